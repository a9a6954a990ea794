"""The supervisor's event channel to mlp: one JSON object per line on the process's original
stdout, flushed.

Events: ``refused`` (reason, message, optional hint; nothing was recorded), ``run_created``
(run_id, experiment_id), then ``finished`` (status FINISHED/FAILED/KILLED, run_id, metrics, error:
null when it finished) or ``unended`` (run_id, message, hint: the store refused the run's end, so it stays
RUNNING); ``run_admin`` sends ``ended``. Their schemas are mlp's (src/contract/events.ts, generated
into ``events.schema.json``): ``emit`` checks every event against them before writing it, so the
platform cannot send what mlp would refuse. Every string of an event is redacted (``redact_uri``):
a message quoting the store's URL never carries its credentials. Everything meant for humans goes
to stderr.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any, TextIO

from mlp_platform.contract import EVENT_SCHEMAS
from mlp_platform.json_schema import Invalid, validate
from mlp_platform.redact import redact_strings

_channel: TextIO | None = None


class InvalidEvent(AssertionError):
    """An event that mlp would refuse: a bug in the platform (or a contract file out of date)."""


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
    what counts, so a closed pipe never changes what the caller does next.

    Raises InvalidEvent when the event is not one of the contract."""
    line = redact_strings({"event": event, **fields})
    if event not in EVENT_SCHEMAS:
        raise InvalidEvent(f'event "{event}" is not one of {", ".join(EVENT_SCHEMAS)}')
    try:
        validate(EVENT_SCHEMAS[event], line)
    except Invalid as error:
        raise InvalidEvent(f'event "{event}": {error}') from None
    channel = _channel or sys.stdout
    try:
        channel.write(json.dumps(line, ensure_ascii=False, allow_nan=False) + "\n")
        channel.flush()
    except (OSError, ValueError):
        return False
    return True
