"""Who owns a RUNNING run: the supervisor that created it, which holds an exclusive lock on
``.mlp/runs/<dir>/supervisor.lock`` for as long as it lives.

The kernel releases the lock when the process dies, however it dies (``kill -9``, a crash, a
reboot), so any later mlp command can tell a run in progress from one that was abandoned by
trying the lock (src/runs/owner.ts): no PID to be reused, no clock. The run records the lock's
path relative to the project root, so a copied project judges its own copy of the run; the host
and PID are recorded for people.
"""

from __future__ import annotations

import fcntl
import os
import socket
from pathlib import Path
from typing import IO

LOCK_NAME = "supervisor.lock"
OWNER_TAGS = ("mlp.owner.lock", "mlp.owner.host", "mlp.owner.pid")
"""The run tags that record the owner."""


def hold_owner_lock(run_dir: Path) -> IO[bytes]:
    """Takes the owner lock of the run directory; keep the handle open for the process's life."""
    handle = open(run_dir / LOCK_NAME, "ab")  # the lock lives as long as the handle
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return handle


def owner_tags(run_dir: Path, project_root: Path) -> dict[str, str]:
    """The owner tags of the calling process, whose lock is in `run_dir`."""
    lock = (run_dir / LOCK_NAME).resolve().relative_to(project_root.resolve()).as_posix()
    values = (lock, socket.gethostname(), str(os.getpid()))
    return dict(zip(OWNER_TAGS, values, strict=True))
