"""``python -m mlp_platform.trainer PLAN.json PROJECT_ROOT SUPERVISOR_PID``: the sandboxed process
that fits and writes the results; it never imports project code.

Order matters: read the plan (standard library), confine the process, become the subreaper of
whatever it starts, import pandas, scikit-learn and MLflow, and fork the feature stage, the one
process that runs project code, before any byte of the dataset is read (``stages``); wait for the
supervisor's "go" line on stdin; then read the dataset, have the stage build the features and
the estimator, and fit. The supervisor starts this with a scrubbed environment and reads the files
it writes into ``<scratch>/out``. On any error the traceback goes to ``out/error.txt`` and stderr
(the stage's own traceback when project code failed; a full or read-only disk: one line saying so,
see ``os_errors``), and the exit code is 1.
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

from mlp_platform.descendants import become_subreaper, kill_children
from mlp_platform.os_errors import describe
from mlp_platform.plan import Plan, load_plan
from mlp_platform.sandbox import apply_sandbox, die_with_parent


def confine(plan: Plan) -> bool:
    """Applies the plan's sandbox (nothing in mode "none"); True when /dev/shm is the run's own."""
    if plan.sandbox.mode == "none":
        print("trainer: running UNSANDBOXED (--unsandboxed)", file=sys.stderr)
        return False
    read, write = plan.trainer_paths()
    report = apply_sandbox(read, write, required_abi=plan.sandbox.min_landlock_abi)
    layers = f"Landlock ABI {report.landlock_abi}, network {report.network}, /dev/shm {report.shm}"
    print(f"trainer: sandboxed ({layers}, Unix sockets {report.unix_sockets})", file=sys.stderr)
    return report.shm == "private"


def main(argv: list[str]) -> int:
    """Runs the trainer for the plan file in argv[0] of the project in argv[1], started by the
    supervisor whose PID is argv[2]; returns the exit code."""
    die_with_parent()
    if os.getppid() != int(argv[2]):
        # The supervisor died before the kernel could be told to kill us with it.
        print("trainer: the supervisor is gone; nothing was trained", file=sys.stderr)
        return 1
    plan = load_plan(Path(argv[0]), Path(argv[1]))
    try:
        shm_private = confine(plan)
        become_subreaper()
        # The heavy imports (pandas, scikit-learn, MLflow) overlap with the supervisor creating the
        # run, and the stage forked after them shares them; project code runs only after the
        # supervisor says "go", i.e. once the run exists.
        from mlp_platform.fitting import run_training
        from mlp_platform.model_check import preload_model_class
        from mlp_platform.model_export import preload
        from mlp_platform.stages import FeatureStage, StageFailed

        preload()
        preload_model_class(plan.training.model_type)
        stage = FeatureStage.fork(plan, shm_private)
        if sys.stdin.readline().strip() != "go":
            stage.abandon()
            print("trainer: the supervisor did not start the run; nothing was trained", file=sys.stderr)
            return 1
        try:
            run_training(plan, stage)
        except StageFailed as failed:
            _write_error(plan, failed.text)  # the stage printed it already
            return 1
    except BaseException as error:
        kill_children()  # a stage still running (the trainer failed first) ends with it
        text = traceback.format_exc()
        problem = describe(
            error, root=plan.project_root, where=[plan.scratch_dir], sandboxed=plan.sandbox.mode != "none"
        )
        if problem is not None:
            # A full or read-only disk is said in one line, the run's error (the last line).
            text += problem.line() + "\n"
        _write_error(plan, text)
        print(text if problem is None else problem.line() + "\n", file=sys.stderr, end="")
        return 1
    return 0


def _write_error(plan: Plan, text: str) -> None:
    """Writes out/error.txt for the supervisor. On a full disk it writes none rather than a truncated
    one: the supervisor then records what the trainer printed, which ends with the error."""
    error_file = plan.out_dir / "error.txt"
    try:
        error_file.write_text(text, encoding="utf-8")
    except OSError:
        error_file.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
