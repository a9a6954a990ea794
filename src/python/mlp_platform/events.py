"""The supervisor's event channel to mlp: one JSON object per line on the process's original
stdout, flushed.

Events: ``refused`` (reason, message, optional hint; nothing was recorded), ``run_created``
(run_id, experiment_id), then ``finished`` (status FINISHED/FAILED/KILLED, run_id, metrics, error
when it failed) or ``unended`` (run_id, message, hint: the store refused the run's end, so it stays
RUNNING). Everything meant for humans goes to stderr.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any, TextIO

_channel: TextIO | None = None


def claim_stdout() -> None:
    """Keeps the original stdout for events alone, before anything else can write to it.

    Libraries print to stdout: MLflow's client prints "View run … at: <url>" when it ends a run on
    a tracking server, which mlp would read as a broken event. So events go to a private duplicate
    of stdout (not inherited by child processes), and fd 1 and ``sys.stdout`` now reach stderr.
    """
    global _channel
    if _channel is not None:
        return
    sys.stdout.flush()
    _channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)


def emit(event: str, **fields: Any) -> bool:
    """Writes one event line to the event channel (stdout until claimed) and flushes it.

    Returns False when nobody reads the channel any more (mlp was killed): the record in MLflow is
    what counts, so a closed pipe never changes what the caller does next."""
    channel = _channel or sys.stdout
    try:
        channel.write(json.dumps({"event": event, **fields}, ensure_ascii=False, allow_nan=False) + "\n")
        channel.flush()
    except (OSError, ValueError):
        return False
    return True
