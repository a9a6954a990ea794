"""Keeping every process a run starts inside the run: a child subreaper that kills what is left.

A process that double-forks, or calls ``setsid()``, leaves its process group: a group kill no
longer reaches it, and when its parent exits the kernel re-parents it to the nearest ancestor that
declared itself a *child subreaper* (``PR_SET_CHILD_SUBREAPER``), else to init. The trainer and the
supervisor are both subreapers, so whatever the feature stage leaves behind becomes the trainer's
child, and whatever the trainer leaves behind the supervisor's, where :func:`kill_children` finds
it through ``/proc/self/task/<tid>/children`` (readable inside the trainer's sandbox, which sees
only ``/proc/self``).

Standard library only; Linux only.
"""

from __future__ import annotations

import ctypes
import os
import signal
import time

_PR_SET_NAME = 15
_PR_SET_CHILD_SUBREAPER = 36

KILL_LIMIT_SECONDS = 10.0
"""How long kill_children keeps killing before it gives up (a SIGKILLed process exits at once;
only a process stuck in the kernel, e.g. on a dead network file system, takes longer)."""

_libc = ctypes.CDLL(None, use_errno=True)


def _prctl(option: int, value: int | bytes) -> None:
    arg = ctypes.c_char_p(value) if isinstance(value, bytes) else ctypes.c_ulong(value)
    zero = ctypes.c_ulong(0)
    if _libc.prctl(ctypes.c_int(option), arg, zero, zero, zero) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"prctl({option}) failed: {os.strerror(errno)}")


def become_subreaper() -> None:
    """Makes this process the reaper of every orphaned descendant (PR_SET_CHILD_SUBREAPER)."""
    _prctl(_PR_SET_CHILD_SUBREAPER, 1)


def set_process_name(name: str) -> None:
    """Sets the name ``ps -o comm`` and ``/proc/<pid>/comm`` show (at most 15 bytes), so that tools
    and tests tell this process from the one it was forked from (their command lines are equal)."""
    _prctl(_PR_SET_NAME, name.encode()[:15])


def children() -> list[int]:
    """The PIDs of this process's live and unreaped children, over all its threads (a child
    belongs to the thread that forked it or, once orphaned, to any thread of its subreaper)."""
    found: list[int] = []
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/children", encoding="ascii") as handle:
                found.extend(int(pid) for pid in handle.read().split())
        except FileNotFoundError:
            continue  # the thread ended while we looked
    return sorted(set(found))


def _reap() -> None:
    """Reaps every child that has exited."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def kill_children(limit_s: float = KILL_LIMIT_SECONDS) -> int:
    """SIGKILLs every child of this process and reaps it, again and again until none is left: a
    killed child's own children are re-parented to us (we are their subreaper) and go in the next
    round. Returns how many processes were killed; raises RuntimeError naming the survivors when
    some are still there after `limit_s` seconds. Call it only when none of the children is wanted
    (a caller holding a subprocess.Popen must have waited for it first)."""
    deadline = time.monotonic() + limit_s
    killed: set[int] = set()
    while True:
        _reap()
        pids = children()
        if not pids:
            return len(killed)
        if time.monotonic() > deadline:
            raise RuntimeError(f"processes {pids} survived SIGKILL for {limit_s:.0f} s")
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed.add(pid)
            except ProcessLookupError:
                continue
        time.sleep(0.005)
