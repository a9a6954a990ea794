"""project_import.use_source_only: project code runs from its .py sources, never from bytecode."""

from __future__ import annotations

import os
import py_compile
import subprocess
import sys
import textwrap
from importlib.util import cache_from_source
from pathlib import Path

import mlp_platform

PLATFORM_DIR = Path(mlp_platform.__file__).resolve().parent.parent

IMPORTS = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    src = Path(sys.argv[1])
    if sys.argv[2] == "source-only":
        from mlp_platform.project_import import use_source_only
        use_source_only(src)
    else:
        sys.path.insert(0, str(src))
    found = {}
    for name in ("mod", "pkg.sub", "helpers"):
        try:
            found[name] = __import__(name, fromlist=["X"]).X
        except ImportError as error:
            found[name] = type(error).__name__
    print(json.dumps(found))
    """
)


def _stale_cache(source: Path, cached_text: str, real_text: str) -> None:
    """Leaves `source` holding `real_text` and its __pycache__ .pyc the code of `cached_text`,
    with the mtime and size the .pyc records, as a crafted or stale cache would."""
    assert len(cached_text) == len(real_text)
    source.write_text(cached_text)
    os.utime(source, (1_700_000_000, 1_700_000_000))
    py_compile.compile(str(source), cfile=cache_from_source(str(source)), doraise=True)
    source.write_text(real_text)
    os.utime(source, (1_700_000_000, 1_700_000_000))


def _project(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    (src / "pkg").mkdir(parents=True)
    (src / "pkg" / "__init__.py").write_text("")
    _stale_cache(src / "mod.py", "X = 'cache'\n", "X = 'srcs!'\n")
    _stale_cache(src / "pkg" / "sub.py", "X = 'cache'\n", "X = 'srcs!'\n")
    helpers = tmp_path / "helpers.py"
    helpers.write_text("X = 'sourceless'\n")
    py_compile.compile(str(helpers), cfile=str(src / "helpers.pyc"), doraise=True)
    return src


def _imports(src: Path, mode: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(PLATFORM_DIR)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    result = subprocess.run(
        [sys.executable, "-c", IMPORTS, str(src), mode], env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_python_alone_runs_a_stale_cache_and_a_sourceless_pyc(tmp_path: Path) -> None:
    # What the trainer must not do: the code that runs is not the source git records.
    assert _imports(_project(tmp_path), "default") == '{"mod": "cache", "pkg.sub": "cache", "helpers": "sourceless"}'


def test_source_only_runs_the_sources_and_refuses_a_sourceless_pyc(tmp_path: Path) -> None:
    src = _project(tmp_path)
    before = sorted(p.relative_to(src).as_posix() for p in src.rglob("*"))
    assert _imports(src, "source-only") == '{"mod": "srcs!", "pkg.sub": "srcs!", "helpers": "ModuleNotFoundError"}'
    # No bytecode written, even with PYTHONDONTWRITEBYTECODE unset.
    assert sorted(p.relative_to(src).as_posix() for p in src.rglob("*")) == before
