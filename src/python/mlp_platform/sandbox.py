"""Confine the current process with Landlock and, when possible, a private network namespace.

Why Landlock: it is a Linux security module that an unprivileged process applies to itself with
three system calls. It needs no package (we call it through ctypes), no root, no user namespaces
and no setuid helper, so the same code confines the trainer on a laptop, in CI and on a shared
server. Since ABI 4 it also restricts TCP bind and connect, so one mechanism covers the files and
the network. A restriction is inherited by every child process and can never be lifted.

What the trainer may touch: read (and execute) the Python runtime, the system libraries, the
project's source, the one dataset directory and the platform code; read and write only its scratch
directory, /dev/shm and /dev/null. The project root itself is not readable, so mlflow.db, logs/,
data/production/ and every other dataset are out of reach.

Layers, best first:
- ``unshare(CLONE_NEWNET)`` (as root, or inside a new user namespace otherwise) leaves the process
  with a loopback interface that is down: no TCP, no UDP, no DNS. Reported as ``network="netns"``.
- Landlock ABI >= 4 without any network rule denies every TCP bind and connect even when the
  namespace could not be created. Reported as ``network="tcp-only"``.
- ABI >= 6 also scopes abstract Unix sockets and signals to the sandbox.

Limits: Landlock does not restrict reading file metadata (stat), connecting to a Unix socket that
has a path (on kernels without the newer Unix-socket right), UDP without the namespace, or system
calls in general (use seccomp for that). It needs Linux 6.7+ for ABI 4; elsewhere the supervisor
refuses the run rather than run unconfined.
"""

from __future__ import annotations

import ctypes
import os
import sys
from dataclasses import dataclass
from pathlib import Path

_SYS_CREATE_RULESET = 444
_SYS_ADD_RULE = 445
_SYS_RESTRICT_SELF = 446
_CREATE_RULESET_VERSION = 1 << 0
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000

_FS_EXECUTE = 1 << 0
_FS_WRITE_FILE = 1 << 1
_FS_READ_FILE = 1 << 2
_FS_READ_DIR = 1 << 3
_FS_MAKE_CHAR = 1 << 6
_FS_MAKE_BLOCK = 1 << 11
_FS_REFER = 1 << 13
_FS_TRUNCATE = 1 << 14
_FS_IOCTL_DEV = 1 << 15
_NET_BIND_TCP = 1 << 0
_NET_CONNECT_TCP = 1 << 1
_SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0
_SCOPE_SIGNAL = 1 << 1

MIN_ABI = 4
"""The oldest Landlock ABI that restricts TCP, below which the sandbox is refused."""

SYSTEM_READ_PATHS = (
    "/usr",
    "/lib",
    "/lib64",
    "/bin",
    "/etc/ld.so.cache",
    "/etc/localtime",
    "/proc/self",
    "/dev/urandom",
    "/sys/devices/system/cpu",
    "/sys/fs/cgroup",
)
"""System paths any Python process needs: libraries, the loader cache, time zone, CPU counts."""

SYSTEM_WRITE_PATHS = ("/dev/shm", "/dev/null")
"""Writable system paths: /dev/shm for joblib/loky semaphores, /dev/null for silenced output."""


class SandboxUnavailable(Exception):
    """The kernel cannot confine this process as required; the message says why."""


@dataclass(frozen=True)
class SandboxReport:
    """Which layers confine the process: the Landlock ABI (0 = none) and the network layer."""

    landlock_abi: int
    network: str


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def _syscall(number: int, *args: int) -> int:
    """Calls a raw system call with word-sized arguments (pointers as addresses, NULL as 0),
    raising OSError with errno on failure."""
    result = int(_libc.syscall(ctypes.c_long(number), *(ctypes.c_long(arg) for arg in args)))
    if result < 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno))
    return result


def landlock_abi() -> int:
    """Returns the kernel's Landlock ABI version, or 0 when Landlock is missing or disabled."""
    if not sys.platform.startswith("linux"):
        return 0
    try:
        return _syscall(_SYS_CREATE_RULESET, 0, 0, _CREATE_RULESET_VERSION)
    except OSError:
        return 0


def _fs_rights(abi: int) -> tuple[int, int]:
    """Returns (all rights handled at this ABI, the rights that apply to regular files)."""
    handled = (1 << 13) - 1
    file_rights = _FS_EXECUTE | _FS_WRITE_FILE | _FS_READ_FILE
    if abi >= 2:
        handled |= _FS_REFER
    if abi >= 3:
        handled |= _FS_TRUNCATE
        file_rights |= _FS_TRUNCATE
    if abi >= 5:
        handled |= _FS_IOCTL_DEV
        file_rights |= _FS_IOCTL_DEV
    return handled, file_rights


def runtime_read_paths() -> list[str]:
    """The running interpreter's prefixes, its real binary directory and that directory's lib."""
    real_bin = Path(os.path.realpath(sys.executable)).parent
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, str(real_bin), str(real_bin.parent / "lib")}
    return sorted(paths)


def _add_path_rule(ruleset_fd: int, path: str, access: int, file_rights: int) -> None:
    """Allows `access` beneath `path`; skips paths that do not exist."""
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except FileNotFoundError:
        return
    try:
        if not os.path.isdir(path):
            access &= file_rights
        attr = _PathBeneathAttr(allowed_access=access, parent_fd=fd)
        _syscall(_SYS_ADD_RULE, ruleset_fd, _RULE_PATH_BENEATH, ctypes.addressof(attr), 0)
    finally:
        os.close(fd)


def _write_proc(path: str, text: str) -> None:
    with open(path, "w", encoding="ascii") as handle:
        handle.write(text)


def _isolate_network() -> bool:
    """Moves the process into a new network namespace; True when that worked."""
    if _libc.unshare(ctypes.c_int(_CLONE_NEWNET)) == 0:
        return True
    uid, gid = os.getuid(), os.getgid()
    if _libc.unshare(ctypes.c_int(_CLONE_NEWUSER | _CLONE_NEWNET)) != 0:
        return False
    # Map our own ids so files we create keep their owner instead of the overflow id.
    try:
        _write_proc("/proc/self/setgroups", "deny")
        _write_proc("/proc/self/uid_map", f"{uid} {uid} 1")
        _write_proc("/proc/self/gid_map", f"{gid} {gid} 1")
    except OSError:
        pass
    return True


def apply_sandbox(
    read_paths: list[str], write_paths: list[str], *, required_abi: int = MIN_ABI, isolate_network: bool = True
) -> SandboxReport:
    """Confines this process for good: reads only beneath `read_paths` (plus the Python runtime
    and system paths), writes only beneath `write_paths`, no TCP.

    Must run before the process starts threads (numpy, OpenMP) because unsharing a user namespace
    requires a single-threaded process. Raises SandboxUnavailable when the kernel's Landlock ABI
    is below `required_abi` (never below MIN_ABI) or a system call fails.
    """
    needed = max(required_abi, MIN_ABI)
    abi = landlock_abi()
    if abi < needed:
        found = "Landlock is not enabled in this kernel" if abi == 0 else f"this kernel has Landlock ABI {abi}"
        raise SandboxUnavailable(
            f"the trainer sandbox needs Landlock ABI {needed} or newer (Linux 6.7+, TCP restriction), but {found}"
        )
    network = "netns" if isolate_network and _isolate_network() else "tcp-only"
    handled_fs, file_rights = _fs_rights(abi)
    scoped = _SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL if abi >= 6 else 0
    attr = _RulesetAttr(
        handled_access_fs=handled_fs, handled_access_net=_NET_BIND_TCP | _NET_CONNECT_TCP, scoped=scoped
    )
    try:
        ruleset_fd = _syscall(_SYS_CREATE_RULESET, ctypes.addressof(attr), ctypes.sizeof(attr), 0)
    except OSError as error:
        raise SandboxUnavailable(f"landlock_create_ruleset failed: {error}") from error
    try:
        read_access = _FS_EXECUTE | _FS_READ_FILE | _FS_READ_DIR
        for path in [*runtime_read_paths(), *SYSTEM_READ_PATHS, *read_paths]:
            _add_path_rule(ruleset_fd, path, read_access, file_rights)
        write_access = handled_fs & ~(_FS_MAKE_CHAR | _FS_MAKE_BLOCK)
        for path in [*SYSTEM_WRITE_PATHS, *write_paths]:
            _add_path_rule(ruleset_fd, path, write_access, file_rights)
        if (
            _libc.prctl(
                ctypes.c_int(_PR_SET_NO_NEW_PRIVS),
                ctypes.c_ulong(1),
                ctypes.c_ulong(0),
                ctypes.c_ulong(0),
                ctypes.c_ulong(0),
            )
            != 0
        ):
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
        _syscall(_SYS_RESTRICT_SELF, ruleset_fd, 0)
    except OSError as error:
        raise SandboxUnavailable(f"could not apply the Landlock ruleset: {error}") from error
    finally:
        os.close(ruleset_fd)
    return SandboxReport(landlock_abi=abi, network=network)


def probe_sandbox(read_paths: list[str], write_paths: list[str], *, required_abi: int = MIN_ABI) -> SandboxReport:
    """Applies the sandbox in a forked child and reports the result without confining the caller.

    Raises SandboxUnavailable with the child's reason when the sandbox cannot be set up. Call it
    before the caller starts threads: forking a threaded process is unsafe.
    """
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(reader)
        try:
            report = apply_sandbox(read_paths, write_paths, required_abi=required_abi)
            message = f"ok {report.landlock_abi} {report.network}"
        except BaseException as error:
            message = f"error {error}"
        os.write(writer, message.encode())
        os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        message = pipe.read().decode()
    os.waitpid(pid, 0)
    status, _, detail = message.partition(" ")
    if status != "ok":
        raise SandboxUnavailable(detail or "the sandbox probe process died without a report")
    abi, network = detail.split(" ")
    return SandboxReport(landlock_abi=int(abi), network=network)


def die_with_parent() -> None:
    """Asks the kernel to SIGKILL this process when its parent dies, so a trainer never outlives
    a supervisor that was itself killed."""
    pr_set_pdeathsig, sigkill = 1, 9
    _libc.prctl(
        ctypes.c_int(pr_set_pdeathsig), ctypes.c_ulong(sigkill), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0)
    )
