"""events: the supervisor's event channel stays clean whatever else writes to stdout."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from conftest import PLATFORM_DIR

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
