"""The feature stage: the only process that runs project code, forked by the trainer.

It is forked before the trainer reads a byte of the dataset, so the labels never exist in its
memory. It narrows its sandbox with one more Landlock layer (no dataset, no scratch but its own
stage directory: nothing it can read carries a label, nothing it can write is scored or logged)
and only then receives the dataset less the target column as Arrow IPC on a pipe, imports the
project's ``features.py`` and ``model.py`` (from source only), and writes ``features.arrow`` and
the unfitted estimator as ``model.skops`` into its stage directory. On an error it writes the
traceback to ``error.txt`` there and prints it (a full or read-only disk: one line, ``os_errors``).
It ends with ``os._exit``: no ``atexit`` handler of project code runs, and the trainer kills
whatever it left behind before reading its files.
"""

from __future__ import annotations

import copy
import importlib
import os
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any, NoReturn

import pandas
import pyarrow
import pyarrow.ipc

from mlp_platform.descendants import set_process_name
from mlp_platform.fitting import TrainingRefused
from mlp_platform.os_errors import describe
from mlp_platform.plan import Plan
from mlp_platform.project_import import use_source_only
from mlp_platform.sandbox import SHM, add_filesystem_layer, die_with_parent

STAGE_NAME = "mlp-features"
"""The stage's process name (``/proc/<pid>/comm``); its command line is the trainer's."""

FEATURES_FILE, MODEL_FILE, ERROR_FILE = "features.arrow", "model.skops", "error.txt"


def _overlaps(path: Path, other: Path) -> bool:
    return path == other or path in other.parents or other in path.parents


def stage_read_paths(plan: Plan) -> list[str]:
    """What the stage may read besides the runtime: the trainer's read paths less the dataset and
    the scratch directory, and less any path that contains either or lies inside one."""
    read, _ = plan.trainer_paths()
    banned = [plan.dataset.dir.resolve(), plan.scratch_dir.resolve()]
    return [p for p in read if not any(_overlaps(Path(p).resolve(), b) for b in banned)]


def _use_stage_dir(stage_dir: Path) -> None:
    """Temporary files, joblib's memory maps, matplotlib's cache and HOME go to the stage directory."""
    for name in ("TMPDIR", "JOBLIB_TEMP_FOLDER"):
        os.environ[name] = str(stage_dir / "tmp")
    os.environ["MPLCONFIGDIR"] = str(stage_dir / "tmp")
    os.environ["HOME"] = str(stage_dir)
    tempfile.tempdir = None  # recomputed from TMPDIR on next use


def _receive(frame_fd: int) -> pandas.DataFrame:
    with os.fdopen(frame_fd, "rb") as pipe:
        return pyarrow.ipc.open_stream(pipe).read_all().to_pandas()


def project_functions(project_src: Path) -> tuple[Any, Any]:
    """Imports build_features and build_model from the project's features.py and model.py, and
    whatever they import from the project, from source only (never a cached or sourceless .pyc)."""
    use_source_only(project_src)
    found = []
    for module_name, function in (("features", "build_features"), ("model", "build_model")):
        module = importlib.import_module(module_name)
        if not callable(getattr(module, function, None)):
            raise TrainingRefused(f'"{project_src / (module_name + ".py")}" must define {function}()')
        found.append(getattr(module, function))
    return found[0], found[1]


def _build_features(build: Any, raw: pandas.DataFrame, params: dict[str, Any]) -> pandas.DataFrame:
    features = build(raw, copy.deepcopy(params))
    if not isinstance(features, pandas.DataFrame) or len(features) != len(raw):
        raise TrainingRefused(
            f"build_features() must return a DataFrame with one row per input row ({len(raw)}), "
            f"got {type(features).__name__} with {len(features) if hasattr(features, '__len__') else '?'} rows"
        )
    features = features.reset_index(drop=True)
    features.columns = [str(c) for c in features.columns]
    return features


def _write(plan: Plan, frame_fd: int, stage_dir: Path) -> None:
    raw = _receive(frame_fd)
    build_features, build_model = project_functions(plan.project_src)
    training = plan.training
    features = _build_features(build_features, raw, training.features)
    prototype = build_model(training.model_type, copy.deepcopy(training.hyperparameters), training.random_seed)
    import skops.io

    table = pyarrow.Table.from_pandas(features, preserve_index=False)
    with pyarrow.OSFile(str(stage_dir / FEATURES_FILE), "wb") as sink, pyarrow.ipc.new_file(sink, table.schema) as out:
        out.write_table(table)
    try:
        skops.io.dump(prototype, stage_dir / MODEL_FILE)
    except Exception as error:
        raise TrainingRefused(
            f"build_model() must return a scikit-learn estimator, got {type(prototype).__name__}: {error}"
        ) from error


def run_stage(plan: Plan, frame_fd: int, stage_dir: Path, shm_private: bool) -> NoReturn:
    """The forked child's whole life: confine, receive, build, write, ``os._exit`` (0 on success)."""
    code = 1
    try:
        set_process_name(STAGE_NAME)
        die_with_parent()
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)  # stdin is the supervisor's "go" pipe, the trainer's alone
        os.close(null)
        if plan.sandbox.mode != "none":
            add_filesystem_layer(stage_read_paths(plan), [str(stage_dir), *([SHM] if shm_private else [])])
        _use_stage_dir(stage_dir)
        _write(plan, frame_fd, stage_dir)
        code = 0
    except BaseException as error:
        text = traceback.format_exc()
        # The scratch directory, as the trainer names it: the stage directory is on its file system.
        problem = describe(
            error, root=plan.project_root, where=[plan.scratch_dir], sandboxed=plan.sandbox.mode != "none"
        )
        if problem is not None:  # a full or read-only disk: one line, the run's error (the last line)
            text += problem.line() + "\n"
        try:
            (stage_dir / ERROR_FILE).write_text(text, encoding="utf-8")
        except OSError:
            pass  # the trainer then reports the stage's exit code; the traceback is printed below
        sys.stderr.write(text if problem is None else problem.line() + "\n")
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)
