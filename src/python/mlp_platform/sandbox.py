"""Confine the current process with Landlock, a seccomp filter and, when possible, private network
and mount namespaces.

Why Landlock: it is a Linux security module that an unprivileged process applies to itself with
three system calls. It needs no package (we call it through ctypes), no root, no user namespaces
and no setuid helper, so the same code confines the trainer on a laptop, in CI and on a shared
server. Since ABI 4 it also restricts TCP bind and connect, so one mechanism covers the files and
the network. A restriction is inherited by every child process and can never be lifted.

What the trainer may touch: read (and execute) the Python runtime, the system libraries, the
project's source, the one dataset directory and the platform code; read and write only its scratch
directory, its own /dev/shm and /dev/null. The project root itself is not readable, so mlflow.db,
logs/, data/production/ and every other dataset are out of reach.

Layers, best first:
- ``unshare(CLONE_NEWNET)`` (as root, or inside a new user namespace otherwise) leaves the process
  with a loopback interface that is down: no TCP, no UDP, no DNS. Reported as ``network="netns"``.
- Landlock ABI >= 4 without any network rule denies every TCP bind and connect even when the
  namespace could not be created. Reported as ``network="tcp-only"``.
- ``unshare(CLONE_NEWNS)`` in the same call, then a fresh tmpfs on /dev/shm: the trainer and its
  workers share semaphores and memory maps there, nobody else sees them, and they vanish with the
  last process of the run. Reported as ``shm="private"``. Without the namespace /dev/shm is left
  out of the Landlock rules altogether (``shm="denied"``): never the host's shared one. joblib then
  runs its work in one process.
- A seccomp filter (``unix_socket_filter``) refuses Unix sockets, so a socket with a path that the
  trainer can see (a database's, a daemon's in /run) cannot be reached. Reported as
  ``unix_sockets="blocked"``.
- ABI >= 6 also scopes abstract Unix sockets and signals to the sandbox.

Limits: Landlock does not restrict reading file metadata (stat), UDP without the namespace, or
system calls in general; the seccomp filter refuses only Unix sockets and io_uring. It needs Linux
6.7+ for ABI 4; elsewhere the supervisor refuses the run rather than run unconfined.
"""

from __future__ import annotations

import ctypes
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from mlp_platform.unix_socket_filter import block_unix_sockets

_SYS_CREATE_RULESET = 444
_SYS_ADD_RULE = 445
_SYS_RESTRICT_SELF = 446
_CREATE_RULESET_VERSION = 1 << 0
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
_CLONE_NEWNS = 0x00020000
_MS_NOSUID = 1 << 1
_MS_NODEV = 1 << 2
_MS_REC = 1 << 14
_MS_PRIVATE = 1 << 18

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

SHM = "/dev/shm"
"""Where multiprocessing and loky make their semaphores; writable only once it is the run's own."""

SHM_SIZE = "512m"
"""The private /dev/shm's limit: semaphores and small shared buffers (joblib writes its memory maps
to JOBLIB_TEMP_FOLDER in scratch instead), while a trainer cannot fill the machine's memory."""

SYSTEM_WRITE_PATHS = ("/dev/null",)
"""Writable system paths: /dev/null for silenced output."""


class SandboxUnavailable(Exception):
    """The kernel cannot confine this process as required; the message says why."""


@dataclass(frozen=True)
class SandboxReport:
    """Which layers confine the process: the Landlock ABI (0 = none), the network layer
    (netns, tcp-only, none), /dev/shm (private, denied, shared) and Unix sockets (blocked,
    allowed)."""

    landlock_abi: int
    network: str
    shm: str
    unix_sockets: str


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


def _unshare(flags: int) -> bool:
    """Moves the process into new namespaces of `flags`, inside a new user namespace when it may
    not create them in its own; True when that worked. unshare creates all of them or none."""
    if _libc.unshare(ctypes.c_int(flags)) == 0:
        return True
    uid, gid = os.getuid(), os.getgid()
    if _libc.unshare(ctypes.c_int(_CLONE_NEWUSER | flags)) != 0:
        return False
    # Map our own ids so files we create keep their owner instead of the overflow id.
    try:
        _write_proc("/proc/self/setgroups", "deny")
        _write_proc("/proc/self/uid_map", f"{uid} {uid} 1")
        _write_proc("/proc/self/gid_map", f"{gid} {gid} 1")
    except OSError:
        pass
    return True


def _enter_namespaces() -> tuple[bool, bool]:
    """Enters new network and mount namespaces, or the one of them the kernel allows; returns
    which (network, mount) it entered."""
    for net, mount in ((True, True), (True, False), (False, True)):
        if _unshare((_CLONE_NEWNET if net else 0) | (_CLONE_NEWNS if mount else 0)):
            return net, mount
    return False, False


def _c_string(text: str | None) -> bytes | None:
    return None if text is None else text.encode()


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None) -> bool:
    """mount(2); True when it worked."""
    args = (_c_string(source), _c_string(target), _c_string(fstype), ctypes.c_ulong(flags), _c_string(data))
    return int(_libc.mount(*args)) == 0


def _private_shm() -> bool:
    """In a new mount namespace: stops mounts propagating back to the host's namespace (which a
    copied shared mount would), then puts a fresh tmpfs over /dev/shm; True when both worked."""
    if not _mount(None, "/", None, _MS_REC | _MS_PRIVATE, None):
        return False
    return _mount("tmpfs", SHM, "tmpfs", _MS_NOSUID | _MS_NODEV, f"size={SHM_SIZE},mode=1777")


def _restrict_self(abi: int, read_paths: list[str], write_paths: list[str], *, handled_net: int, scoped: int) -> None:
    """Adds one Landlock layer to this thread: read (and execute) beneath the runtime, system and
    `read_paths`, write beneath `write_paths`, the network rights in `handled_net` denied, the
    `scoped` IPC kept inside the layer. Raises SandboxUnavailable when a system call fails."""
    handled_fs, file_rights = _fs_rights(abi)
    attr = _RulesetAttr(handled_access_fs=handled_fs, handled_access_net=handled_net, scoped=scoped)
    try:
        ruleset_fd = _syscall(_SYS_CREATE_RULESET, ctypes.addressof(attr), ctypes.sizeof(attr), 0)
    except OSError as error:
        raise SandboxUnavailable(f"landlock_create_ruleset failed: {error}") from error
    try:
        read_access = _FS_EXECUTE | _FS_READ_FILE | _FS_READ_DIR
        for path in [*runtime_read_paths(), *SYSTEM_READ_PATHS, *read_paths]:
            _add_path_rule(ruleset_fd, path, read_access, file_rights)
        write_access = handled_fs & ~(_FS_MAKE_CHAR | _FS_MAKE_BLOCK)
        for path in write_paths:
            _add_path_rule(ruleset_fd, path, write_access, file_rights)
        if _prctl(_PR_SET_NO_NEW_PRIVS, 1) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
        _syscall(_SYS_RESTRICT_SELF, ruleset_fd, 0)
    except OSError as error:
        raise SandboxUnavailable(f"could not apply the Landlock ruleset: {error}") from error
    finally:
        os.close(ruleset_fd)


def _prctl(option: int, value: int) -> int:
    """prctl(2) with one argument; returns its result (0 on success)."""
    zero = ctypes.c_ulong(0)
    return int(_libc.prctl(ctypes.c_int(option), ctypes.c_ulong(value), zero, zero, zero))


def add_filesystem_layer(read_paths: list[str], write_paths: list[str]) -> None:
    """Narrows an already sandboxed process further, for good: from now on it reads only beneath
    `read_paths` (plus the Python runtime and system paths) and writes only beneath `write_paths`
    and /dev/null. Landlock layers stack, so everything the earlier layers denied (TCP, other
    files) stays denied; with ABI 6 signals and abstract Unix sockets are also kept inside the new
    layer, so the process cannot signal the one that confined it. Call it in a single-threaded
    process (a freshly forked child): the layer applies to the calling thread."""
    abi = landlock_abi()
    scoped = _SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL if abi >= 6 else 0
    _restrict_self(abi, read_paths, [*SYSTEM_WRITE_PATHS, *write_paths], handled_net=0, scoped=scoped)


def apply_sandbox(
    read_paths: list[str], write_paths: list[str], *, required_abi: int = MIN_ABI, namespaces: bool = True
) -> SandboxReport:
    """Confines this process for good: reads only beneath `read_paths` (plus the Python runtime
    and system paths), writes only beneath `write_paths` and a private /dev/shm, no TCP, no Unix
    sockets. `namespaces=False` skips the network and mount namespaces, as on a kernel that allows
    none (the tests use it to see that fallback).

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
    net, mount = _enter_namespaces() if namespaces else (False, False)
    # Before the Landlock rules: a rule holds the inode it was given, which must be the new tmpfs.
    shm = "private" if mount and _private_shm() else "denied"
    scoped = _SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL if abi >= 6 else 0
    writable = [*SYSTEM_WRITE_PATHS, *([SHM] if shm == "private" else []), *write_paths]
    _restrict_self(abi, read_paths, writable, handled_net=_NET_BIND_TCP | _NET_CONNECT_TCP, scoped=scoped)
    try:
        block_unix_sockets()
    except KeyError as error:
        raise SandboxUnavailable(f"the Unix-socket filter does not know the system calls of {error}") from error
    except OSError as error:
        raise SandboxUnavailable(f"could not install the Unix-socket filter: {error}") from error
    return SandboxReport(landlock_abi=abi, network="netns" if net else "tcp-only", shm=shm, unix_sockets="blocked")


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
            message = f"ok {report.landlock_abi} {report.network} {report.shm} {report.unix_sockets}"
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
    abi, network, shm, unix_sockets = detail.split(" ")
    return SandboxReport(landlock_abi=int(abi), network=network, shm=shm, unix_sockets=unix_sockets)


def die_with_parent() -> None:
    """Asks the kernel to SIGKILL this process when its parent dies, so a trainer never outlives
    a supervisor that was itself killed."""
    pr_set_pdeathsig, sigkill = 1, 9
    _prctl(pr_set_pdeathsig, sigkill)
