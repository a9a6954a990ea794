"""Starting, watching and stopping the trainer child process from the supervisor."""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable

from mlp_platform.child_env import trainer_env
from mlp_platform.descendants import kill_children
from mlp_platform.plan import Plan

STOP_GRACE_SECONDS = 5.0
TAIL_LINES = 40


class TrainerProcess:
    """The trainer as a child in its own session (so a terminal's Ctrl-C reaches only the
    supervisor, which then stops the whole trainer process group), its output copied to our stderr
    with the last lines kept for the error report."""

    def __init__(self, plan: Plan) -> None:
        self.tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
        self.out_dir = plan.out_dir
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mlp_platform.trainer", str(plan.path), str(plan.project_root), str(os.getpid())],
            env=trainer_env(os.environ, plan.scratch_dir, plan.platform_dir),
            cwd=plan.scratch_dir,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._pump = threading.Thread(target=self._copy_output, daemon=True)
        self._pump.start()

    def go(self) -> None:
        """Lets the trainer start on project code (it waits after its imports until told)."""
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(b"go\n")
            self.process.stdin.close()
        except BrokenPipeError:
            pass  # the trainer already died; wait() reports its exit code

    def _copy_output(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            line = raw.decode("utf-8", errors="replace")
            self.tail.append(line)
            sys.stderr.write(line)
            sys.stderr.flush()

    def wait(self, should_stop: Callable[[], bool]) -> int:
        """Waits for the exit code, polling `should_stop`; returns -1 without waiting further when
        it says to stop (the caller then calls stop())."""
        while True:
            try:
                code = self.process.wait(timeout=0.1)
                self._pump.join(timeout=2)
                return code
            except subprocess.TimeoutExpired:
                if should_stop():
                    return -1

    def stop(self) -> None:
        """SIGTERM to the trainer's process group, SIGKILL after 5 s if it is still there; then
        SIGKILL to every process left that the supervisor reaps (the supervisor is a subreaper,
        so a process that left the group with setsid() and outlived the trainer is its child)."""
        if self.process.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                pass
        # Worker processes (joblib) may outlive the trainer itself; none may survive the run.
        self._signal_group(signal.SIGKILL)
        self.process.wait()
        try:
            kill_children()
        except RuntimeError as error:  # stuck in the kernel; the run must still end
            print(f"supervisor: {error}", file=sys.stderr)

    def _signal_group(self, sig: signal.Signals) -> None:
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            pass

    def output_tail(self) -> str:
        """The last lines the trainer printed."""
        return "".join(self.tail)

    def error_text(self, code: int) -> str:
        """Why the trainer failed: its traceback (``out/error.txt``), else its last lines (on a full
        disk it writes no error.txt and prints its error instead), and how it ended when a signal
        ended it."""
        error_file = self.out_dir / "error.txt"
        if error_file.is_file():
            return error_file.read_text(encoding="utf-8")
        if code < 0:
            name = signal.Signals(-code).name
            why = " (the kernel kills a process that runs out of memory this way)" if -code == signal.SIGKILL else ""
            return self.output_tail() + f"the trainer was killed by {name}{why}\n"
        return self.output_tail() or f"the trainer exited with code {code} and printed nothing\n"
