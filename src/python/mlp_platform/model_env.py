"""The logged model's environment: the run's uv.lock, and the pip requirements pinned from it.

The supervisor copies the project's ``uv.lock`` (checked against the run's
``dependency_lock_hash``: the lock the run was made with, not one edited since), its
``pyproject.toml`` and ``.python-version`` into a staging directory, and asks uv for the locked
runtime packages of that copy (``uv export --frozen --offline``, the development group left out).
uv rather than a parse of the lock here: uv alone knows how the lock's environment markers
combine along a dependency path (``pywin32`` only on Windows), which pip needs to install the
list elsewhere; ``--frozen`` reads the lock as it is and never resolves.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from mlp_platform.plan import Plan

LOCK_FILE, PYPROJECT_FILE, PYTHON_VERSION_FILE = "uv.lock", "pyproject.toml", ".python-version"
EXPORT_ARGS = (
    "export",
    "--frozen",
    "--offline",
    "--no-hashes",
    "--no-dev",
    "--no-emit-project",
    "--no-header",
    "--no-annotate",
)


class ModelEnvironmentError(Exception):
    """The run's locked environment cannot be given to its model; the message says why and how."""


def stage_lock(plan: Plan, staging: Path) -> Path:
    """Copies the project's uv.lock (when its SHA-256 is the run's ``dependency_lock_hash``),
    pyproject.toml and .python-version (when present) into `staging`; returns `staging`."""
    root = plan.project_root
    expected = plan.params.get("dependency_lock_hash")
    if expected is None:
        raise ModelEnvironmentError('the plan has no param "dependency_lock_hash": run the experiment with mlp run')
    try:
        lock = (root / LOCK_FILE).read_bytes()
        pyproject = (root / PYPROJECT_FILE).read_bytes()
    except OSError as error:
        raise ModelEnvironmentError(
            f'the model\'s environment is the project\'s "{LOCK_FILE}" and "{PYPROJECT_FILE}", which cannot be '
            f"read ({error}): restore them from git and run again"
        ) from error
    found = hashlib.sha256(lock).hexdigest()
    if found != expected:
        raise ModelEnvironmentError(
            f'"{LOCK_FILE}" has SHA-256 "{found}", not the run\'s dependency_lock_hash "{expected}": it changed '
            "during the run; run again with the lock you mean to use"
        )
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    (staging / LOCK_FILE).write_bytes(lock)
    (staging / PYPROJECT_FILE).write_bytes(pyproject)
    if (root / PYTHON_VERSION_FILE).is_file():
        shutil.copyfile(root / PYTHON_VERSION_FILE, staging / PYTHON_VERSION_FILE)
    return staging


def uv_binary() -> str:
    """The uv that started this process (``uv run`` sets ``UV``), else the first on PATH."""
    found = os.environ.get("UV") or shutil.which("uv")
    if not found:
        raise ModelEnvironmentError(
            "the model's requirements are exported from uv.lock with uv, which is not on PATH: run with mlp run "
            "(it starts the supervisor with uv)"
        )
    return found


def locked_requirements(staged: Path) -> list[str]:
    """The runtime packages of the staged lock as pip requirements (``name==version`` and its
    environment marker), in the lock's order."""
    done = subprocess.run(
        [uv_binary(), *EXPORT_ARGS, "--project", str(staged)],
        cwd=staged,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        last = [line for line in done.stderr.splitlines() if line.strip()][-1:] or ["(no output)"]
        raise ModelEnvironmentError(
            f"uv export of the run's uv.lock failed (exit {done.returncode}): {last[0].strip()}: check the lock with "
            "`uv lock --check` and run again"
        )
    requirements = [line.strip() for line in done.stdout.splitlines() if line.strip() and not line.startswith("#")]
    if not requirements:
        raise ModelEnvironmentError("uv export of the run's uv.lock listed no package: the project's lock is empty")
    return requirements
