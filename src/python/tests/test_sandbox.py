"""sandbox: Landlock and the network namespace, exercised in child processes (a sandbox cannot be
lifted, so the test process itself is never confined)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import PLATFORM_DIR

from mlp_platform.sandbox import MIN_ABI, SandboxUnavailable, landlock_abi, probe_sandbox

pytestmark = pytest.mark.skipif(landlock_abi() < MIN_ABI, reason="needs Landlock ABI 4+")

ATTEMPTS = """
import json, os, socket, sys
def attempt(name, action):
    try:
        action()
        results[name] = "allowed"
    except OSError as error:
        results[name] = f"denied errno={error.errno}"
results = {}
"""


def run_child(code: str) -> dict[str, str]:
    """Runs `code` (after the ATTEMPTS helpers) in a fresh Python; returns its `results` dict."""
    script = ATTEMPTS + textwrap.dedent(code) + "\nprint(json.dumps(results))\n"
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(PLATFORM_DIR), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    results: dict[str, str] = json.loads(done.stdout.splitlines()[-1])
    return results


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """root/allowed/in.txt, root/scratch/, root/secret.txt."""
    (tmp_path / "allowed").mkdir()
    (tmp_path / "allowed" / "in.txt").write_text("ok")
    (tmp_path / "scratch").mkdir()
    (tmp_path / "secret.txt").write_text("no")
    return tmp_path


def file_actions(root: Path) -> str:
    return f"""
attempt("read allowed", lambda: open("{root}/allowed/in.txt").read())
attempt("read secret", lambda: open("{root}/secret.txt").read())
attempt("list root", lambda: os.listdir("{root}"))
attempt("write scratch", lambda: open("{root}/scratch/out.txt", "w").write("x"))
attempt("write allowed", lambda: open("{root}/allowed/new.txt", "w").write("x"))
attempt("append secret", lambda: open("{root}/secret.txt", "a").write("x"))
"""


def test_without_the_sandbox_everything_is_allowed(tree: Path) -> None:
    assert set(run_child(file_actions(tree)).values()) == {"allowed"}


def test_files_outside_the_allowed_paths_are_denied(tree: Path) -> None:
    results = run_child(
        f"""
from mlp_platform.sandbox import apply_sandbox
report = apply_sandbox(["{tree}/allowed"], ["{tree}/scratch"])
results["report"] = f"{{report.landlock_abi}} {{report.network}}"
"""
        + file_actions(tree)
    )
    assert results == {
        "report": f"{landlock_abi()} netns",
        "read allowed": "allowed",
        "read secret": "denied errno=13",
        "list root": "denied errno=13",
        "write scratch": "allowed",
        "write allowed": "denied errno=13",
        "append secret": "denied errno=13",
    }


def tcp_listener() -> tuple[socket.socket, int]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    return server, server.getsockname()[1]


def test_landlock_alone_denies_tcp_connect_and_bind(tree: Path) -> None:
    server, port = tcp_listener()
    with server:
        before = run_child(f'attempt("connect", lambda: socket.create_connection(("127.0.0.1", {port}), 5))')
        after = run_child(f"""
from mlp_platform.sandbox import apply_sandbox
report = apply_sandbox([], ["{tree}/scratch"], isolate_network=False)
results["network"] = report.network
attempt("connect", lambda: socket.create_connection(("127.0.0.1", {port}), 5))
attempt("bind", lambda: socket.socket().bind(("127.0.0.1", 0)))
""")
    assert before == {"connect": "allowed"}
    assert after == {"network": "tcp-only", "connect": "denied errno=13", "bind": "denied errno=13"}


def test_the_network_namespace_also_removes_udp(tree: Path) -> None:
    results = run_child(f"""
from mlp_platform.sandbox import apply_sandbox
results["network"] = apply_sandbox([], ["{tree}/scratch"]).network
attempt("udp", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("1.1.1.1", 53)))
""")
    assert results == {"network": "netns", "udp": "denied errno=101"}


def test_python_and_the_scientific_stack_still_work(tree: Path) -> None:
    results = run_child(f"""
from mlp_platform.sandbox import apply_sandbox
apply_sandbox([], ["{tree}/scratch"])
import numpy, pandas, sklearn.linear_model, xgboost, lightgbm
results["sum"] = str(int(numpy.arange(4).sum()))
""")
    assert results == {"sum": "6"}


def test_probe_reports_without_confining_the_caller(tree: Path) -> None:
    results = run_child(f"""
from mlp_platform.sandbox import probe_sandbox
report = probe_sandbox([], ["{tree}/scratch"])
results["report"] = f"{{report.landlock_abi}} {{report.network}}"
attempt("read secret", lambda: open("{tree}/secret.txt").read())
""")
    assert results == {"report": f"{landlock_abi()} netns", "read secret": "allowed"}


def test_a_required_abi_above_the_kernels_is_refused(tree: Path) -> None:
    with pytest.raises(SandboxUnavailable) as caught:
        probe_sandbox([], [str(tree / "scratch")], required_abi=99)
    assert str(caught.value) == (
        "the trainer sandbox needs Landlock ABI 99 or newer (Linux 6.7+, TCP restriction), "
        f"but this kernel has Landlock ABI {landlock_abi()}"
    )


@pytest.mark.skipif(landlock_abi() < 6, reason="signal scoping needs Landlock ABI 6+")
def test_signals_to_processes_outside_the_sandbox_are_denied(tree: Path) -> None:
    results = run_child(f"""
from mlp_platform.sandbox import apply_sandbox
attempt("signal parent before", lambda: os.kill(os.getppid(), 0))
apply_sandbox([], ["{tree}/scratch"])
attempt("signal parent after", lambda: os.kill(os.getppid(), 0))
attempt("signal self", lambda: os.kill(os.getpid(), 0))
""")
    assert results == {
        "signal parent before": "allowed",
        "signal parent after": "denied errno=1",
        "signal self": "allowed",
    }
