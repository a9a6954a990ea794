"""The supervisor's stdout: one JSON object per line, flushed, read by mlp.

Events: ``refused`` (reason, message; nothing was recorded), ``run_created`` (run_id,
experiment_id) and ``finished`` (status FINISHED/FAILED/KILLED, run_id, metrics, error when it
failed). Everything meant for humans goes to stderr.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def emit(event: str, **fields: Any) -> None:
    """Writes one event line to stdout and flushes it."""
    sys.stdout.write(json.dumps({"event": event, **fields}, ensure_ascii=False, allow_nan=False) + "\n")
    sys.stdout.flush()
