"""How the supervisor learns that it must stop, and how it keeps talking once nobody listens.

A run must end FINISHED, FAILED or KILLED whoever dies first, so the supervisor stops for any of:
SIGINT (Ctrl-C), SIGTERM (``kill``, a CI runner), SIGHUP (a closed terminal), a line
``interrupt <SIGNAL>`` from mlp on its stdin (mlp passes on the signals it receives this way: ``uv``,
in between, does not forward a SIGINT sent to its own PID), or mlp going away (``kill -9`` of mlp
closes that pipe). Reasons are only recorded here; the supervisor acts on them at safe points,
never halfway through an MLflow write.

Once the terminal is gone, writing to stderr fails (EIO), and so would every progress line and log
record: ``tolerant_stderr`` keeps such failures from ending the run in the wrong state.
"""

from __future__ import annotations

import io
import logging
import os
import signal
import sys
import threading
from types import FrameType
from typing import TextIO, cast

from mlp_platform import contract

INTERRUPT_SIGNALS = tuple(signal.Signals[name] for name in contract.INTERRUPT_SIGNALS)
"""The signals by which a user stops a run: the contract's list, which mlp passes on."""


class Interrupted(Exception):
    """A signal arrived or mlp went away; the message says which."""


class Interrupts:
    """Collects the reasons to stop: signals, and the end of mlp's pipe."""

    def __init__(self) -> None:
        self._reasons: list[str] = []
        self._lock = threading.Lock()

    def install(self, *, watch_parent_pipe: bool) -> None:
        """Takes over the interrupt signals and, when `watch_parent_pipe`, reads mlp's messages on
        stdin: ``interrupt <SIGNAL>`` lines, and end of file when mlp has exited."""
        for sig in INTERRUPT_SIGNALS:
            signal.signal(sig, self._on_signal)
        if watch_parent_pipe:
            threading.Thread(target=self._watch_stdin, name="mlp-parent-pipe", daemon=True).start()

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self.add(f"interrupted by {signal.Signals(signum).name}")

    def _watch_stdin(self) -> None:
        try:
            with os.fdopen(0, "rb", buffering=0, closefd=False) as pipe:
                for line in pipe:
                    words = line.decode("ascii", errors="replace").split()
                    if len(words) == 2 and words[0] == "interrupt":
                        self.add(f"interrupted by {words[1]}")
        except OSError:
            pass
        self.add("mlp exited while the run was in progress (its pipe to the supervisor closed)")

    def add(self, reason: str) -> None:
        """Records a reason to stop."""
        with self._lock:
            self._reasons.append(reason)

    @property
    def requested(self) -> bool:
        """True once any reason to stop has arrived."""
        return bool(self._reasons)

    def check(self) -> None:
        """Raises Interrupted with the first reason, if any arrived."""
        if self._reasons:
            raise Interrupted(self._reasons[0])


def exit_when_stdin_closes(code: int = 1) -> None:
    """For a helper that only reads and reports (the restore check): once mlp, which holds the
    other end of stdin, is gone, nobody waits for the report and nothing is left to finish, so the
    process ends at once instead of reading a scratch copy for minutes as an orphan."""

    def watch() -> None:
        try:
            with os.fdopen(0, "rb", buffering=0, closefd=False) as pipe:
                while pipe.read(4096):
                    pass
        except OSError:
            pass
        os._exit(code)

    threading.Thread(target=watch, name="mlp-parent-pipe", daemon=True).start()


class _Tolerant(io.TextIOBase):
    """A text stream that drops what it cannot write instead of raising."""

    def __init__(self, inner: TextIO) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        try:
            return self._inner.write(text)
        except (OSError, ValueError):
            return len(text)

    def flush(self) -> None:
        try:
            self._inner.flush()
        except (OSError, ValueError):
            pass

    def fileno(self) -> int:
        return self._inner.fileno()

    def isatty(self) -> bool:
        try:
            return self._inner.isatty()
        except (OSError, ValueError):
            return False

    def writable(self) -> bool:
        return True


def tolerant_stderr() -> None:
    """Makes stderr and logging survive a closed terminal or pipe. Call before importing
    libraries that keep a reference to ``sys.stderr`` (MLflow's log handler does)."""
    if not isinstance(sys.stderr, _Tolerant):
        sys.stderr = cast(TextIO, _Tolerant(sys.stderr))
    logging.raiseExceptions = False
