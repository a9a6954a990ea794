"""``python -m mlp_platform.run_admin end|tag``: ends runs that mlp found abandoned, and sets the
tags of a correction (``mlp outcome``), through MLflow.

mlp (src/runs/reconcile.ts) decides which RUNNING runs no living process owns any more, or which
run its supervisor left unended when it died; this ends each of them with the status mlp asks for
and the tag ``mlp.end_reason``, through the official MLflow client, so the SQLite file and a
tracking server are written the same way. A run that has ended meanwhile is left as it is: an
ended run is never relabelled.

Input (stdin): ``{"runs": [{"run_id": …, "status": "KILLED"|"FAILED", "reason": …}, …]}`` with
``MLFLOW_TRACKING_URI`` naming the store. Output (the event channel): one
``{"event": "ended", "run_id": …, "status": …, "changed": true|false, "was": …}`` per run. Exit
code 0, or 2 for malformed input.

``tag`` input (stdin): ``{"run_id": …, "tags": {key: value, …}}``; it sets the tags on the run (tags
a seal does not cover: mlp chose them) and sends ``{"event": "tagged", "run_id": …}``.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from mlp_platform.contract import END_STATUSES
from mlp_platform.events import claim_stdout, emit
from mlp_platform.lifecycle import tolerant_stderr

REASON_TAG = "mlp.end_reason"


def _requests(text: str) -> list[dict[str, str]]:
    value: Any = json.loads(text)
    runs = value.get("runs") if isinstance(value, dict) else None
    if not isinstance(runs, list) or not all(
        isinstance(r, dict)
        and isinstance(r.get("run_id"), str)
        and r.get("status") in END_STATUSES
        and isinstance(r.get("reason"), str)
        for r in runs
    ):
        raise ValueError('expected {"runs": [{"run_id": str, "status": "KILLED"|"FAILED", "reason": str}]}')
    return runs


def _tagging(text: str) -> tuple[str, dict[str, str]]:
    value: Any = json.loads(text)
    run_id = value.get("run_id") if isinstance(value, dict) else None
    tags = value.get("tags") if isinstance(value, dict) else None
    if (
        not isinstance(run_id, str)
        or not isinstance(tags, dict)
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in tags.items())
    ):
        raise ValueError('expected {"run_id": str, "tags": {str: str}}')
    return run_id, tags


def main(argv: list[str]) -> int:
    """Ends the runs named on stdin (``end``) or tags one (``tag``); returns the exit code."""
    claim_stdout()
    tolerant_stderr()
    uri = os.environ.get("MLFLOW_TRACKING_URI", "")
    if argv not in (["end"], ["tag"]) or not uri:
        print("usage: MLFLOW_TRACKING_URI=… python -m mlp_platform.run_admin end|tag < request.json", file=sys.stderr)
        return 2
    try:
        text = sys.stdin.read()
        requests = _requests(text) if argv == ["end"] else []
        tagging = _tagging(text) if argv == ["tag"] else None
    except ValueError as error:
        print(f"run_admin: {error}", file=sys.stderr)
        return 2
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=uri)
    if tagging is not None:
        run_id, tags = tagging
        for key, value in tags.items():
            client.set_tag(run_id, key, value)
        emit("tagged", run_id=run_id)
        return 0
    for request in requests:
        run_id, status = request["run_id"], request["status"]
        was = client.get_run(run_id).info.status
        if was != "RUNNING":
            emit("ended", run_id=run_id, status=was, changed=False, was=was)
            continue
        client.set_tag(run_id, REASON_TAG, request["reason"])
        client.set_terminated(run_id, status)
        emit("ended", run_id=run_id, status=status, changed=True, was=was)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
