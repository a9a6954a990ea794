"""``python -m mlp_platform.supervisor PLAN.json``: records one run in MLflow around the trainer.

The supervisor is the only process that writes to MLflow and it never imports project code. In
order: probe the sandbox in a forked child (refuse if it cannot be set up), start the trainer
(which confines itself and imports its libraries, then waits), create the MLflow run and log the
plan's tags and params, system facts and the plan file, tell the trainer to go, and finally
compute the metrics from the trainer's out-of-fold predictions and log them with the plots and the
model files.

The model is logged as plain run artifacts under ``model/`` (the directory the trainer wrote with
``mlflow.sklearn.save_model``), so no process that writes to MLflow ever unpickles project
classes. ``mlflow.pyfunc.load_model("runs:/<id>/model")`` loads it because MLflow 3 resolves
``runs:/`` URIs from run artifacts before looking for a LoggedModel of that name. It is not also an
MLflow 3 LoggedModel (the experiment's Models tab does not list it); ``create_logged_model`` plus
``log_model_artifacts`` could add one without loading it, at the cost of a second copy.

A full, read-only or forbidden file system (``os_errors``) is said in one line instead of a
traceback: it is the run's error when the run can still be ended FAILED, and an ``unended`` event
when the store itself cannot be written (the run then stays RUNNING).

Stdout carries JSON events (see ``events``). Exit codes: 0 FINISHED; 1 FAILED (trainer error or
supervisor error, recorded), nothing recorded because MLflow could not be reached, or the run could
not be ended; 2 invalid plan; 3 sandbox unavailable (nothing recorded); 130 interrupted (KILLED when
the run existed).
"""

from __future__ import annotations

import logging
import math
import shutil
import signal
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from mlp_platform.events import claim_stdout, emit
from mlp_platform.os_errors import OsProblem, describe, sqlite_store
from mlp_platform.plan import Plan, PlanError, load_plan
from mlp_platform.sandbox import SandboxReport, SandboxUnavailable, probe_sandbox

if TYPE_CHECKING:
    from mlp_platform.recording import Recorder
    from mlp_platform.trainer_process import TrainerProcess

EXIT_FAILED, EXIT_INVALID_PLAN, EXIT_NO_SANDBOX, EXIT_INTERRUPTED = 1, 2, 3, 130


class Interrupted(Exception):
    """SIGINT or SIGTERM reached the supervisor."""


@dataclass
class Signals:
    """Records SIGINT/SIGTERM instead of raising at an arbitrary point (say, halfway through an
    MLflow write); the supervisor checks at safe points."""

    received: list[int] = field(default_factory=list)

    def install(self) -> None:
        """Takes over SIGINT and SIGTERM."""
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._record)

    def _record(self, signum: int, _frame: FrameType | None) -> None:
        self.received.append(signum)

    def check(self) -> None:
        """Raises Interrupted if a signal arrived."""
        if self.received:
            raise Interrupted(f"interrupted by {signal.Signals(self.received[0]).name}")


def _isolate_sys_path(plan: Plan) -> None:
    """Drops the project root and source from sys.path: ``python -m`` puts the working directory
    first, and the supervisor must never import a module from the project."""
    banned = {plan.project_root.resolve(), plan.project_src.resolve()}
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() not in banned]


def assert_no_project_modules(project_src: Path) -> None:
    """Fails if any loaded module's file lies in the project's source directory."""
    src = project_src.resolve()
    for name, module in list(sys.modules.items()):
        origin = getattr(module, "__file__", None)
        if origin and Path(origin).resolve().is_relative_to(src):
            raise AssertionError(f'the supervisor imported project module "{name}" from "{origin}"')


def _prepare_scratch(plan: Plan) -> None:
    """Creates the scratch layout; an ``out/`` left by an earlier attempt is emptied so that only
    this trainer's results can be recorded."""
    shutil.rmtree(plan.out_dir, ignore_errors=True)
    for sub in ("out", "tmp", "mpl", "plots", "mlp"):
        (plan.scratch_dir / sub).mkdir(parents=True, exist_ok=True)


def _probe(plan: Plan) -> SandboxReport:
    if plan.sandbox.mode == "none":
        return SandboxReport(landlock_abi=0, network="none")
    read, write = plan.trainer_paths()
    return probe_sandbox(read, write, required_abi=plan.sandbox.min_landlock_abi)


def main(argv: list[str]) -> int:
    """Runs the supervisor for the plan file in argv[0]; returns the exit code."""
    claim_stdout()
    signals = Signals()
    signals.install()
    if len(argv) != 1:
        print("usage: python -m mlp_platform.supervisor PLAN.json", file=sys.stderr)
        return EXIT_INVALID_PLAN
    try:
        plan = load_plan(Path(argv[0]))
    except PlanError as error:
        emit("refused", reason="invalid_plan", message=str(error))
        return EXIT_INVALID_PLAN
    _isolate_sys_path(plan)
    _prepare_scratch(plan)
    try:
        report = _probe(plan)
    except SandboxUnavailable as error:
        emit("refused", reason="sandbox_unavailable", message=f"cannot sandbox the trainer: {error}")
        return EXIT_NO_SANDBOX
    # The trainer starts now and imports its libraries while we import MLflow and create the run;
    # it runs no project code before go().
    from mlp_platform.trainer_process import TrainerProcess

    trainer = TrainerProcess(plan)
    try:
        from mlp_platform.recording import Recorder

        # MLflow logs a traceback for each failed store write; the supervisor reports the error itself.
        logging.getLogger("mlflow.store.db.utils").setLevel(logging.CRITICAL)
        recorder = Recorder.open(plan, report)
    except Exception as error:  # no run exists: report it, record nothing
        trainer.stop()
        # The message carries the cause; a client library's traceback would bury it for the reader.
        problem = _os_problem(plan, error)
        if problem is None:
            emit("refused", reason="tracking_unavailable", message=f"cannot create the MLflow run: {error}")
        else:
            nothing = "then run `mlp run` again; nothing was recorded and no project code ran"
            emit("refused", reason="tracking_unavailable", message=problem.what, hint=f"{problem.fix}, {nothing}")
        return EXIT_FAILED
    emit("run_created", run_id=recorder.run_id, experiment_id=recorder.experiment_id)
    try:
        return _supervise(plan, recorder, trainer, signals)
    except Exception as error:  # ending the run failed too: the store cannot be written
        trainer.stop()
        return _unended(plan, recorder, error)


def _supervise(plan: Plan, recorder: Recorder, trainer: TrainerProcess, signals: Signals) -> int:
    """Everything after the run exists: it always ends FINISHED, FAILED or KILLED."""
    try:
        recorder.log_setup()
        signals.check()
        trainer.go()
        code = trainer.wait(lambda: bool(signals.received))
        signals.check()
        if code != 0:
            error_file = plan.out_dir / "error.txt"
            text = error_file.read_text(encoding="utf-8") if error_file.is_file() else ""
            # On a full disk the trainer writes no error.txt and prints its error instead.
            text = text or trainer.output_tail() or f"the trainer exited with code {code} and printed nothing\n"
            recorder.end("FAILED", traceback_text=text)
            emit("finished", status="FAILED", run_id=recorder.run_id, metrics={}, error=_last_line(text))
            return EXIT_FAILED
        metrics = recorder.log_results()
        assert_no_project_modules(plan.project_src)
        recorder.end("FINISHED")
        emit("finished", status="FINISHED", run_id=recorder.run_id, metrics=_json_metrics(metrics))
        return 0
    except Interrupted as interruption:
        trainer.stop()
        recorder.end("KILLED", traceback_text=f"{interruption}\n")
        emit("finished", status="KILLED", run_id=recorder.run_id, metrics={}, error=str(interruption))
        return EXIT_INTERRUPTED
    except BaseException as error:  # whatever broke, the run must not stay RUNNING
        text = traceback.format_exc()
        problem = _os_problem(plan, error, recorder)
        if problem is None:
            print(text, file=sys.stderr, end="")
        else:  # the run's error is the last line
            text += problem.line() + "\n"
            print(f"supervisor: {problem.line()}", file=sys.stderr)
        trainer.stop()
        recorder.end("FAILED", traceback_text=text)
        emit("finished", status="FAILED", run_id=recorder.run_id, metrics={}, error=_last_line(text))
        return EXIT_FAILED


def _os_problem(plan: Plan, error: BaseException, recorder: Recorder | None = None) -> OsProblem | None:
    """A full, read-only or forbidden file system among those the supervisor writes to: scratch, the
    run's artifacts, the store."""
    store = sqlite_store(plan.tracking_uri, plan.project_root)
    places = [plan.scratch_dir, *_local_artifacts(recorder), *([store] if store else [])]
    return describe(error, root=plan.project_root, where=places, store=store)


def _local_artifacts(recorder: Recorder | None) -> list[Path]:
    """The run's artifact directory, when it is on this machine."""
    if recorder is None:
        return []
    try:
        uri = urlparse(recorder.client.get_run(recorder.run_id).info.artifact_uri)
    except Exception:  # the store cannot be read either; the other places remain
        return []
    return [Path(uri.path)] if uri.scheme in ("", "file") else []


def _unended(plan: Plan, recorder: Recorder, error: Exception) -> int:
    """Reports a run whose end the store refused: it stays RUNNING until `mlp runs repair` ends it."""
    problem = _os_problem(plan, error, recorder)
    if problem is None:
        print(traceback.format_exc(), file=sys.stderr, end="")
        cause, fix = _last_line(str(error)), "fix that (the error is above)"
    else:
        cause, fix = f"the MLflow store could not be written ({problem.what})", problem.fix
    emit(
        "unended",
        run_id=recorder.run_id,
        message=f"{cause}, so the run is left RUNNING",
        hint=f"{fix}, then end the run with `mlp runs repair` and run `mlp run` again",
    )
    return EXIT_FAILED


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def _json_metrics(metrics: dict[str, float]) -> dict[str, float | None]:
    return {key: (None if math.isnan(value) else value) for key, value in metrics.items()}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
