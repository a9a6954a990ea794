"""``python -m mlp_platform.supervisor PLAN.json``: records one run in MLflow around the trainer.

The supervisor is the only process that writes to MLflow and it never imports project code. In
order: probe the sandbox in a forked child (refuse if it cannot be set up), start the trainer
(which confines itself and imports its libraries, then waits), create the MLflow run and log the
plan's tags and params, system facts and the plan file, tell the trainer to go (it forks the feature
stage, the only process that runs project code: docs/architecture.md), and finally
compute the metrics from the trainer's out-of-fold predictions and log them with the plots and the
model files, and seal the run (``seal``: a digest over what it logged, set as the last tag and
reported to mlp, docs/seal.md) before it ends the run FINISHED.

The model is an MLflow pyfunc that scores raw rows (``raw_model``), which the supervisor builds
around the trainer's final estimator without loading it (``model_export``): no process that writes
to MLflow runs project code or unpickles anything. It is logged as plain run artifacts under
``model/`` (the sealed copy; ``mlflow.pyfunc.load_model("runs:/<id>/model")`` loads it because
MLflow 3 resolves ``runs:/`` URIs from run artifacts first) and copied into an MLflow 3 LoggedModel
linked to the run (``mlflow_fields.log_logged_model``).

The end state follows the work, never the pipe: the run ends exactly once, FINISHED when its
results are recorded, FAILED when the trainer or the recording failed, KILLED when a signal
arrived or mlp went away (``lifecycle``); an event that cannot be delivered changes nothing. The
run carries its owner (``owner``) so that, should this process itself be killed, the next mlp
command ends the run KILLED. The trainer never outlives the supervisor (``trainer_process``), and
no process of the run outlives the trainer: the supervisor is their subreaper and kills what is
left once the trainer has ended, however it ended (``descendants``).

A full, read-only or forbidden file system (``os_errors``) is said in one line instead of a
traceback: it is the run's error when the run can still be ended FAILED, and an ``unended`` event
when the store itself cannot be written (the run then stays RUNNING until ``mlp runs repair``).

Usage: ``python -m mlp_platform.supervisor PLAN.json [--parent-pipe]`` in the project root, with
``MLFLOW_TRACKING_URI`` naming the store; ``--parent-pipe`` makes the end of stdin an interrupt
(mlp holds its other end).

Stdout carries JSON events (see ``events``). Exit codes: 0 FINISHED; 1 FAILED (trainer error or
supervisor error, recorded), nothing recorded because the store cannot be used, or the run could
not be ended; 2 invalid plan; 3 sandbox unavailable (nothing recorded); 130 interrupted (KILLED
when the run existed).
"""

from __future__ import annotations

import logging
import math
import os
import shutil
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from mlp_platform.contract import RUN_STATUSES
from mlp_platform.descendants import become_subreaper
from mlp_platform.events import claim_stdout, emit
from mlp_platform.lifecycle import Interrupted, Interrupts, tolerant_stderr
from mlp_platform.os_errors import OsProblem, describe, sqlite_store
from mlp_platform.owner import hold_owner_lock
from mlp_platform.plan import Plan, PlanError, load_plan
from mlp_platform.project_import import assert_no_project_modules
from mlp_platform.redact import redact_uri
from mlp_platform.sandbox import SandboxReport, SandboxUnavailable, probe_sandbox
from mlp_platform.store import StoreError, prepare_store

if TYPE_CHECKING:
    from mlp_platform.recording import Recorder
    from mlp_platform.trainer_process import TrainerProcess

EXIT_FAILED, EXIT_INVALID_PLAN, EXIT_NO_SANDBOX, EXIT_INTERRUPTED = 1, 2, 3, 130
EXIT_OF_STATUS = {"FINISHED": 0, "FAILED": EXIT_FAILED, "KILLED": EXIT_INTERRUPTED}
assert tuple(EXIT_OF_STATUS) == RUN_STATUSES, "the contract's run statuses (lists.json) each need an exit code"
USAGE = "usage: MLFLOW_TRACKING_URI=… python -m mlp_platform.supervisor PLAN.json [--parent-pipe]"


def _isolate_sys_path(plan: Plan) -> None:
    """Drops the project root and source from sys.path: ``python -m`` puts the working directory
    first, and the supervisor must never import a module from the project."""
    banned = {plan.project_root.resolve(), plan.project_src.resolve()}
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() not in banned]


def _prepare_scratch(plan: Plan) -> None:
    """Creates the scratch layout; an ``out/`` left by an earlier attempt is emptied so that only
    this trainer's results can be recorded."""
    shutil.rmtree(plan.out_dir, ignore_errors=True)
    for sub in ("out", "tmp", "mpl", "plots", "mlp"):
        (plan.scratch_dir / sub).mkdir(parents=True, exist_ok=True)


def _probe(plan: Plan) -> SandboxReport:
    if plan.sandbox.mode == "none":
        return SandboxReport(landlock_abi=0, network="none", shm="shared", unix_sockets="allowed")
    read, write = plan.trainer_paths()
    return probe_sandbox(read, write, required_abi=plan.sandbox.min_landlock_abi)


def _refuse(reason: str, message: str, code: int, hint: str | None = None) -> int:
    emit("refused", reason=reason, message=message, **({"hint": hint} if hint else {}))
    return code


def main(argv: list[str]) -> int:
    """Runs the supervisor for the plan file in argv[0]; returns the exit code."""
    claim_stdout()
    tolerant_stderr()
    # Orphans of the trainer become our children, so none outlives the run (TrainerProcess.stop).
    become_subreaper()
    interrupts = Interrupts()
    interrupts.install(watch_parent_pipe="--parent-pipe" in argv[1:])
    uri = os.environ.get("MLFLOW_TRACKING_URI", "")
    if len(argv) not in (1, 2) or argv[1:] not in ([], ["--parent-pipe"]) or not uri:
        print(USAGE, file=sys.stderr)
        return _refuse("invalid_plan", USAGE, EXIT_INVALID_PLAN)
    try:
        plan = load_plan(Path(argv[0]), Path.cwd())
    except PlanError as error:
        return _refuse("invalid_plan", str(error), EXIT_INVALID_PLAN)
    _isolate_sys_path(plan)
    try:
        # Held until this process exits: while it is, the run it creates is not abandoned.
        owner_lock = hold_owner_lock(plan.path.parent)
    except OSError as error:
        return _refuse("invalid_plan", f"cannot lock the run directory of {plan.path}: {error}", EXIT_INVALID_PLAN)
    _prepare_scratch(plan)
    try:
        report = _probe(plan)
    except SandboxUnavailable as error:
        return _refuse("sandbox_unavailable", f"cannot sandbox the trainer: {error}", EXIT_NO_SANDBOX)
    # The trainer starts now and imports its libraries while we prepare the store and create the
    # run; it runs no project code before go().
    from mlp_platform.trainer_process import TrainerProcess

    trainer = TrainerProcess(plan)
    try:
        interrupts.check()
        lease = prepare_store(uri, interrupts.check)
        for note in lease.notes:
            print(redact_uri(note), file=sys.stderr)
        from mlp_platform.recording import Recorder

        # MLflow logs a traceback for each failed store write; the supervisor reports the error itself.
        logging.getLogger("mlflow.store.db.utils").setLevel(logging.CRITICAL)
        recorder = Recorder.open(plan, report, uri, lease, interrupts.check)
    except Interrupted as interruption:
        trainer.stop()
        return _refuse("interrupted", f"{interruption}; nothing was recorded", EXIT_INTERRUPTED)
    except StoreError as error:
        trainer.stop()
        return _refuse("store_unusable", str(error), EXIT_FAILED, hint=error.hint)
    except Exception as error:  # no run exists: report it, record nothing
        trainer.stop()
        # The message carries the cause; a client library's traceback would bury it for the reader.
        problem = _os_problem(plan, uri, error)
        if problem is None:
            return _refuse("tracking_unavailable", f"cannot create the MLflow run: {error}", EXIT_FAILED)
        nothing = "then run `mlp run` again; nothing was recorded and no project code ran"
        return _refuse("tracking_unavailable", problem.what, EXIT_FAILED, hint=f"{problem.fix}, {nothing}")
    emit("run_created", run_id=recorder.run_id, experiment_id=recorder.experiment_id)
    try:
        return _supervise(plan, uri, recorder, trainer, interrupts)
    except Exception as error:  # ending the run failed too: the store cannot be written
        trainer.stop()
        return _unended(plan, uri, recorder, error)
    finally:
        owner_lock.close()


def _supervise(plan: Plan, uri: str, recorder: Recorder, trainer: TrainerProcess, interrupts: Interrupts) -> int:
    """Everything after the run exists: it ends exactly once, FINISHED, FAILED or KILLED."""
    metrics: dict[str, float] = {}
    try:
        recorder.log_setup()
        interrupts.check()
        trainer.go()
        code = trainer.wait(lambda: interrupts.requested)
        interrupts.check()
        if code != 0:
            status, text = "FAILED", trainer.error_text(code)
        else:
            metrics = recorder.log_results(interrupts.check)
            recorder.log_readable_record()
            assert_no_project_modules(plan.project_src)
            interrupts.check()
            recorder.log_outcome()
            recorder.seal_finished()
            status, text = "FINISHED", None
    except Interrupted as interruption:
        status, text = "KILLED", f"{interruption}\n"
    except BaseException as error:  # whatever broke, the run must not stay RUNNING
        status, text = "FAILED", traceback.format_exc()
        problem = _os_problem(plan, uri, error, recorder)
        if problem is None:
            print(redact_uri(text), file=sys.stderr, end="")
        else:  # the run's error is the last line
            text += problem.line() + "\n"
            print(redact_uri(f"supervisor: {problem.line()}"), file=sys.stderr)
    trainer.stop()
    recorder.end(status, traceback_text=text)
    if recorder.ended != status and recorder.ended in EXIT_OF_STATUS:  # ended meanwhile by someone else
        status, text, metrics = recorder.ended, f"the run was already ended {recorder.ended}\n", {}
    error_line = _last_line(text) if text else None
    seal = recorder.seal if status == "FINISHED" else None
    emit(
        "finished",
        status=status,
        run_id=recorder.run_id,
        metrics=_json_metrics(metrics),
        error=error_line,
        seal=seal,
        outcome=recorder.outcome if status == "FINISHED" else None,
    )
    return EXIT_OF_STATUS[status]


def _os_problem(plan: Plan, uri: str, error: BaseException, recorder: Recorder | None = None) -> OsProblem | None:
    """A full, read-only or forbidden file system among those the supervisor writes to: scratch, the
    run's artifacts, the store."""
    store = sqlite_store(uri, plan.project_root)
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


def _unended(plan: Plan, uri: str, recorder: Recorder, error: Exception) -> int:
    """Reports a run whose end the store refused: it stays RUNNING until `mlp runs repair` ends it."""
    problem = _os_problem(plan, uri, error, recorder)
    if problem is None:
        print(redact_uri(traceback.format_exc()), file=sys.stderr, end="")
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
