"""The trainer's side of the feature stage: fork it, feed it, kill what it leaves, check what it made.

The trainer forks the stage (``feature_stage``) before it reads the dataset and sends it the
dataset less the target column. When the stage has exited the trainer SIGKILLs every process left
(it is their subreaper, ``descendants``) before it opens a single file of the stage, so nothing of
project code is alive once the trainer reads, fits and writes what is scored. Of the stage's files
it reads only ``features.arrow`` (checked: one row per dataset row, unique names, numbers only, no
infinity) and ``model.skops`` (checked by ``model_check``), as regular files, never through a link;
``error.txt`` is shown as the run's error when the stage failed, and fails the run whatever it says.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy
import pandas
import pyarrow
import pyarrow.ipc

from mlp_platform.descendants import kill_children
from mlp_platform.feature_stage import ERROR_FILE, FEATURES_FILE, MODEL_FILE, run_stage
from mlp_platform.fitting import TrainingRefused
from mlp_platform.model_check import load_checked
from mlp_platform.plan import Plan

MAX_ERROR_BYTES = 1 << 20
"""The most of the stage's error.txt shown: a traceback, not a disk's worth."""


class StageFailed(Exception):
    """The feature stage ended without its results; `text` is its traceback or how it ended."""

    def __init__(self, text: str) -> None:
        super().__init__(text.strip().splitlines()[-1] if text.strip() else "the feature stage failed")
        self.text = text


@dataclass(frozen=True)
class StageResult:
    """What the trainer takes from the stage: the checked features and unfitted estimator."""

    features: pandas.DataFrame
    estimator: Any


def _read_regular(path: Path, limit: int | None = None) -> bytes:
    """A regular file's bytes; a link, FIFO or device in its place is refused (opened without
    following a link and without blocking, then checked)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise TrainingRefused(f'"{path}" is not a regular file: the feature stage must not replace its outputs')
        return handle.read() if limit is None else handle.read(limit)


def check_features(data: bytes, rows: int) -> pandas.DataFrame:
    """The feature frame in Arrow IPC file `data`, or TrainingRefused when it is not `rows` rows of
    uniquely named numeric (integer, float, boolean) columns without infinities; missing values
    (NaN) are allowed, the gradient-boosted models handle them."""
    try:
        table = pyarrow.ipc.open_file(pyarrow.BufferReader(data)).read_all()
    except pyarrow.ArrowInvalid as error:
        raise TrainingRefused(f"the feature stage's {FEATURES_FILE} is not an Arrow file: {error}") from error
    if table.num_rows != rows:
        raise TrainingRefused(
            f"build_features() must return a DataFrame with one row per input row ({rows}), got {table.num_rows} rows"
        )
    names = table.column_names
    duplicate = next((name for name in names if names.count(name) > 1), None)
    if duplicate is not None:
        raise TrainingRefused(f'build_features() returned column "{duplicate}" twice: give each feature its own name')
    for field in table.schema:
        kind = field.type
        if not (pyarrow.types.is_integer(kind) or pyarrow.types.is_floating(kind) or pyarrow.types.is_boolean(kind)):
            raise TrainingRefused(
                f'build_features() returned column "{field.name}" of type {kind}: features must be numbers '
                "(encode text as indicator columns, dates as calendar parts)"
            )
    features = table.to_pandas()
    for name in names:
        if numpy.isinf(features[name].to_numpy(dtype=float, na_value=numpy.nan)).any():
            raise TrainingRefused(
                f'build_features() returned column "{name}" with infinite values: replace them (e.g. with NaN)'
            )
    return features


class FeatureStage:
    """A forked feature stage waiting for its input frame."""

    def __init__(self, pid: int, frame_fd: int, stage_dir: Path) -> None:
        self.pid, self.frame_fd, self.stage_dir = pid, frame_fd, stage_dir

    @classmethod
    def fork(cls, plan: Plan, shm_private: bool) -> FeatureStage:
        """Forks the stage with an empty ``<scratch>/stage`` directory. Call it before reading any
        byte that carries a label: the child gets a copy of this process's memory."""
        stage_dir = plan.scratch_dir / "stage"
        shutil.rmtree(stage_dir, ignore_errors=True)
        (stage_dir / "tmp").mkdir(parents=True)
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(writer)
            run_stage(plan, reader, stage_dir, shm_private)
        os.close(reader)
        return cls(pid, writer, stage_dir)

    def run(
        self, raw: pandas.DataFrame, model_type: str, hyperparameters: dict[str, Any], random_seed: int
    ) -> StageResult:
        """Sends `raw` (no target column), waits for the stage, kills every process it left, then
        reads and checks its features and estimator; raises StageFailed when it failed."""
        try:
            table = pyarrow.Table.from_pandas(raw, preserve_index=False)
        except pyarrow.ArrowException as error:
            self.abandon()
            raise TrainingRefused(f"the dataset cannot be passed to build_features() as Arrow: {error}") from error
        try:
            with os.fdopen(self.frame_fd, "wb") as pipe, pyarrow.ipc.new_stream(pipe, table.schema) as out:
                out.write_table(table)
        except (OSError, pyarrow.ArrowException):
            pass  # the stage died before reading it all; its exit status says why
        _, status = os.waitpid(self.pid, 0)
        kill_children()
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            raise StageFailed(self._failure(code))
        features = check_features(_read_regular(self.stage_dir / FEATURES_FILE), len(raw))
        estimator = load_checked(_read_regular(self.stage_dir / MODEL_FILE), model_type, hyperparameters, random_seed)
        return StageResult(features=features, estimator=estimator)

    def abandon(self) -> None:
        """Ends a stage that will get no input (the run was not started): it and all it left."""
        try:
            os.close(self.frame_fd)
        except OSError:
            pass
        kill_children()

    def _failure(self, code: int) -> str:
        try:
            text = _read_regular(self.stage_dir / ERROR_FILE, MAX_ERROR_BYTES).decode("utf-8", errors="replace")
        except (OSError, TrainingRefused):
            text = ""
        if text.strip():
            return text
        if code < 0:
            name = signal.Signals(-code).name
            why = " (the kernel kills a process that runs out of memory this way)" if -code == signal.SIGKILL else ""
            return f"the feature stage was killed by {name}{why}\n"
        return f"the feature stage exited with code {code}\n"
