"""events: the event channel stays clean whatever else writes to stdout, and carries only events of the contract."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from conftest import PLATFORM_DIR

from mlp_platform.events import InvalidEvent, emit

SCRIPT = textwrap.dedent(
    """
    import os, subprocess, sys
    from mlp_platform.events import claim_stdout, emit
    print("before the claim", flush=True)
    claim_stdout()
    print("a library talking", flush=True)  # what MLflow's client does on a tracking server
    os.write(1, b"raw fd 1\\n")
    subprocess.run([sys.executable, "-c", "print('a child process')"], check=True)
    emit("run_created", run_id="r1", experiment_id="1")
    sys.stdout.flush()
    """
)


def test_after_claim_stdout_only_events_reach_stdout_and_the_rest_goes_to_stderr() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(PLATFORM_DIR), "PATH": "/usr/bin:/bin"},
        check=True,
    )
    lines = done.stdout.splitlines()
    assert lines[0] == "before the claim"
    assert [json.loads(line) for line in lines[1:]] == [{"event": "run_created", "run_id": "r1", "experiment_id": "1"}]
    assert done.stderr.splitlines() == ["a library talking", "raw fd 1", "a child process"]


@pytest.mark.parametrize(
    ("event", "fields", "message"),
    [
        ("started", {}, 'event "started" is not one of refused, run_created, unended, finished, ended'),
        (
            "refused",
            {"reason": "full_disk", "message": "m"},
            'event "refused": field "reason" must be one of invalid_plan, sandbox_unavailable, tracking_unavailable, '
            'store_unusable, interrupted, got "full_disk"',
        ),
        ("unended", {"run_id": "r1", "message": "m"}, 'event "unended": field "hint" is missing: it must be a string'),
        (
            "run_created",
            {"run_id": "r1", "experiment_id": "1", "url": "http://x"},
            'event "run_created": field "url" is unknown: the fields here are event, run_id, experiment_id',
        ),
        (
            "finished",
            {"status": "FINISHED", "run_id": "r1", "metrics": {"roc_auc": float("nan")}, "error": None, "seal": None},
            'event "finished": field "metrics.roc_auc" must be a number or null, got NaN',
        ),
        (
            "finished",
            {"status": "FINISHED", "run_id": "r1", "metrics": {"gini": 0.5}, "error": None, "seal": None},
            'event "finished": field "metrics.gini" is not allowed: a name here is one of roc_auc',
        ),
        (
            "ended",
            {"run_id": "r1", "status": "KILLED", "changed": 1, "was": "RUNNING"},
            'event "ended": field "changed" must be a boolean, got 1',
        ),
    ],
)
def test_emit_refuses_what_mlp_would_not_parse(
    capsys: pytest.CaptureFixture[str], event: str, fields: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidEvent) as caught:
        emit(event, **fields)
    assert str(caught.value).startswith(message)
    assert capsys.readouterr().out == ""


def test_emit_writes_an_event_of_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    metrics = {"roc_auc": None, "training_time_s": 1.5}
    assert emit("finished", status="FAILED", run_id="r1", metrics=metrics, error="x", seal=None, outcome=None)
    assert json.loads(capsys.readouterr().out) == {
        "event": "finished",
        "status": "FAILED",
        "run_id": "r1",
        "metrics": {"roc_auc": None, "training_time_s": 1.5},
        "error": "x",
        "seal": None,
        "outcome": None,
    }
