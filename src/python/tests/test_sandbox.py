"""sandbox: Landlock and the network namespace, exercised in child processes (a sandbox cannot be
lifted, so the test process itself is never confined)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
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
results["report"] = f"{{report.landlock_abi}} {{report.network}} {{report.shm}} {{report.unix_sockets}}"
"""
        + file_actions(tree)
    )
    assert results == {
        "report": f"{landlock_abi()} netns private blocked",
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
report = apply_sandbox([], ["{tree}/scratch"], namespaces=False)
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
results["report"] = f"{{report.landlock_abi}} {{report.network}} {{report.shm}} {{report.unix_sockets}}"
attempt("read secret", lambda: open("{tree}/secret.txt").read())
""")
    assert results == {"report": f"{landlock_abi()} netns private blocked", "read secret": "allowed"}


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


@pytest.fixture
def host_shm() -> Iterator[tuple[Path, Path]]:
    """(a file planted in the host's /dev/shm before the run, a name the sandbox will write there);
    both removed afterwards."""
    tag = uuid.uuid4().hex
    planted, written = Path(f"/dev/shm/mlp-test-planted-{tag}"), Path(f"/dev/shm/mlp-test-written-{tag}")
    planted.write_text("host rows")
    yield planted, written
    planted.unlink(missing_ok=True)
    written.unlink(missing_ok=True)


def test_dev_shm_is_a_private_tmpfs_that_vanishes_with_the_sandbox(tree: Path, host_shm: tuple[Path, Path]) -> None:
    planted, written = host_shm
    results = run_child(f"""
from mlp_platform.sandbox import apply_sandbox
report = apply_sandbox([], ["{tree}/scratch"])
results["shm"] = report.shm
attempt("read planted", lambda: open("{planted}").read())
results["planted listed"] = str("{planted.name}" in os.listdir("/dev/shm"))
attempt("write shm", lambda: open("{written}", "w").write("rows"))
results["written listed"] = str("{written.name}" in os.listdir("/dev/shm"))
results["fs"] = next(line.split()[2] for line in open("/proc/self/mounts") if line.split()[1] == "/dev/shm")
""")
    assert results == {
        "shm": "private",
        "read planted": "denied errno=2",
        "planted listed": "False",
        "write shm": "allowed",
        "written listed": "True",
        "fs": "tmpfs",
    }
    assert not written.exists()
    assert planted.read_text() == "host rows"


def test_without_namespaces_dev_shm_is_denied_outright(tree: Path, host_shm: tuple[Path, Path]) -> None:
    planted, written = host_shm
    results = run_child(f"""
from mlp_platform.sandbox import apply_sandbox
results["shm"] = apply_sandbox([], ["{tree}/scratch"], namespaces=False).shm
attempt("read planted", lambda: open("{planted}").read())
attempt("list shm", lambda: os.listdir("/dev/shm"))
attempt("write shm", lambda: open("{written}", "w").write("rows"))
""")
    assert results == {
        "shm": "denied",
        "read planted": "denied errno=13",
        "list shm": "denied errno=13",
        "write shm": "denied errno=13",
    }
    assert not written.exists()


@pytest.fixture
def unix_listeners(tree: Path) -> Iterator[dict[str, str]]:
    """Unix stream listeners outside the sandbox, by where they are: in a directory the sandbox may
    read, in the host's /run (a system daemon's place) and in the abstract namespace; plus a
    datagram one (like /dev/log)."""
    places = {
        "readable dir": str(tree / "allowed" / "listener.sock"),
        "host run": f"/run/mlp-test-{uuid.uuid4().hex}.sock",
        "abstract": f"\0mlp-test-{uuid.uuid4().hex}",
    }
    servers = []
    for address in places.values():
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(address)
        server.listen()
        servers.append(server)
    datagram = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    places["datagram"] = str(tree / "allowed" / "datagram.sock")
    datagram.bind(places["datagram"])
    servers.append(datagram)
    yield places
    for server in servers:
        server.close()
    Path(places["host run"]).unlink(missing_ok=True)


UNIX_ATTEMPTS = """
def connect(address):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.connect(address)
def send(address):
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as client:
        client.sendto(b"rows", address)
def pair(kind):
    left, right = socket.socketpair(socket.AF_UNIX, kind)
    left.sendall(b"x")
    assert right.recv(1) == b"x"
def reconnect_pair(address):
    left, _ = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    left.connect(address)
addresses = {addresses}
for name in ("readable dir", "host run", "abstract"):
    attempt("connect " + name, lambda: connect(addresses[name]))
attempt("sendto datagram", lambda: send(addresses["datagram"]))
attempt("socketpair stream", lambda: pair(socket.SOCK_STREAM))
attempt("socketpair datagram", lambda: pair(socket.SOCK_DGRAM))
attempt("socketpair seqpacket", lambda: pair(socket.SOCK_SEQPACKET))
attempt("reconnect stream pair", lambda: reconnect_pair(addresses["readable dir"]))
"""


def test_without_the_sandbox_unix_sockets_reach_the_listeners(unix_listeners: dict[str, str]) -> None:
    assert run_child(UNIX_ATTEMPTS.format(addresses=repr(unix_listeners))) == {
        "connect readable dir": "allowed",
        "connect host run": "allowed",
        "connect abstract": "allowed",
        "sendto datagram": "allowed",
        "socketpair stream": "allowed",
        "socketpair datagram": "allowed",
        "socketpair seqpacket": "allowed",
        "reconnect stream pair": "denied errno=106",
    }


def test_unix_sockets_are_blocked_but_a_stream_socketpair_works(tree: Path, unix_listeners: dict[str, str]) -> None:
    results = run_child(
        f"""
from mlp_platform.sandbox import apply_sandbox
results["unix_sockets"] = apply_sandbox(["{tree}/allowed"], ["{tree}/scratch"]).unix_sockets
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
params = ctypes.create_string_buffer(120)
def io_uring():
    if libc.syscall(425, 1, params) < 0:
        raise OSError(ctypes.get_errno(), "io_uring_setup")
attempt("io_uring_setup", io_uring)
"""
        + UNIX_ATTEMPTS.format(addresses=repr(unix_listeners))
    )
    assert results == {
        "unix_sockets": "blocked",
        "io_uring_setup": "denied errno=1",
        "connect readable dir": "denied errno=13",
        "connect host run": "denied errno=13",
        "connect abstract": "denied errno=13",
        "sendto datagram": "denied errno=13",
        "socketpair stream": "allowed",
        "socketpair datagram": "denied errno=13",
        "socketpair seqpacket": "denied errno=13",
        "reconnect stream pair": "denied errno=106",
    }


def test_joblib_loky_and_multiprocessing_still_work(tree: Path) -> None:
    results = run_child(f"""
from mlp_platform.sandbox import apply_sandbox
apply_sandbox([], ["{tree}/scratch"])
os.environ["TMPDIR"] = os.environ["JOBLIB_TEMP_FOLDER"] = "{tree}/scratch"  # as trainer_env sets them
import multiprocessing, joblib
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
x, y = make_classification(n_samples=200, random_state=0)
forest = RandomForestClassifier(n_estimators=8, n_jobs=2, random_state=0)
with joblib.parallel_backend("loky", n_jobs=2):
    results["loky"] = str(joblib.Parallel()(joblib.delayed(abs)(-i) for i in range(4)))
    results["forest"] = str(forest.fit(x, y).score(x, y))
with multiprocessing.Pool(2) as pool:
    results["pool"] = str(pool.map(abs, [-1, -2]))
lock = multiprocessing.Lock()
results["lock"] = str(lock.acquire(timeout=1))
""")
    assert results == {"loky": "[0, 1, 2, 3]", "forest": "0.995", "pool": "[1, 2]", "lock": "True"}
