"""A seccomp-BPF filter that keeps the trainer from opening Unix sockets.

Why seccomp: Landlock (up to the ABI this platform targets) does not restrict connecting to a Unix
socket that has a path, so a trainer that may read a directory holding a socket (a database's, a
test listener's, /run's daemons) could talk to whatever listens there. Without a socket the
trainer cannot connect, send to or listen on any Unix address, with a path or abstract.

Why hand-written BPF: the filter is eighteen instructions, and the Python bindings of libseccomp are
not on PyPI from its maintainers (the one package there is an unofficial build that needs the C
library's headers); calling prctl through ctypes needs nothing installed, like the Landlock layer.

What it denies, returning EACCES (as Landlock does for a refused TCP connect):
- ``socket(AF_UNIX, …)`` of any type;
- ``socketpair(AF_UNIX, …)`` unless it is SOCK_STREAM: multiprocessing's duplex pipes use a
  stream pair, whose two ends are already connected to each other and reach nothing else
  (``connect`` on one fails with EISCONN), while a datagram pair could be re-aimed at any path
  with ``sendto``;
- ``io_uring_setup`` (EPERM, as a kernel with io_uring disabled answers): io_uring's socket
  operation would create a socket without a system call the filter sees.
A system call of another ABI than the filter's (32-bit, x32) kills the process: its numbers mean
other calls and would slip past the checks.
"""

from __future__ import annotations

import ctypes
import errno
import platform
from dataclasses import dataclass

_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_RET_KILL_PROCESS = 0x80000000
_RET_ERRNO = 0x00050000
_RET_ALLOW = 0x7FFF0000
_LD_W_ABS = 0x20
_JEQ_K = 0x15
_JGE_K = 0x35
_AND_K = 0x54
_RET_K = 0x06
_AF_UNIX = 1
_SOCK_STREAM = 1
_SOCK_TYPE_MASK = 0xF
_X32_SYSCALL_BIT = 0x40000000
# struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]. The low word
# of a little-endian argument is the int the kernel reads for the family and the type.
_NR, _ARCH, _ARG0, _ARG1 = 0, 4, 16, 24


@dataclass(frozen=True)
class _Abi:
    audit_arch: int
    socket: int
    socketpair: int
    io_uring_setup: int
    x32_bit: bool


_ABIS = {
    "x86_64": _Abi(audit_arch=0xC000003E, socket=41, socketpair=53, io_uring_setup=425, x32_bit=True),
    "aarch64": _Abi(audit_arch=0xC00000B7, socket=198, socketpair=199, io_uring_setup=425, x32_bit=False),
}


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_uint16), ("filter", ctypes.POINTER(_SockFilter))]


_Step = tuple[int, str | None, str | None, int]
"""(opcode, label jumped to when true, label when false, constant); a label is a name given to a
step with a string in the program list, and None means the next step."""


def _program(abi: _Abi) -> list[str | _Step]:
    denied = _RET_ERRNO | errno.EACCES
    return [
        (_LD_W_ABS, None, None, _ARCH),
        (_JEQ_K, None, "kill", abi.audit_arch),
        (_LD_W_ABS, None, None, _NR),
        *([(_JGE_K, "kill", None, _X32_SYSCALL_BIT)] if abi.x32_bit else []),
        (_JEQ_K, "no_io_uring", None, abi.io_uring_setup),
        (_JEQ_K, "socket", None, abi.socket),
        (_JEQ_K, "socketpair", "allow", abi.socketpair),
        "socket",
        (_LD_W_ABS, None, None, _ARG0),
        (_JEQ_K, "deny", "allow", _AF_UNIX),
        "socketpair",
        (_LD_W_ABS, None, None, _ARG0),
        (_JEQ_K, None, "allow", _AF_UNIX),
        (_LD_W_ABS, None, None, _ARG1),
        (_AND_K, None, None, _SOCK_TYPE_MASK),
        (_JEQ_K, "allow", "deny", _SOCK_STREAM),
        "deny",
        (_RET_K, None, None, denied),
        "no_io_uring",
        (_RET_K, None, None, _RET_ERRNO | errno.EPERM),
        "kill",
        (_RET_K, None, None, _RET_KILL_PROCESS),
        "allow",
        (_RET_K, None, None, _RET_ALLOW),
    ]


def assemble(program: list[str | _Step]) -> list[tuple[int, int, int, int]]:
    """Resolves the labels of `program` into the relative jump offsets of BPF; raises ValueError
    for a jump backwards or too far, which BPF cannot express."""
    labels: dict[str, int] = {}
    steps: list[_Step] = []
    for item in program:
        if isinstance(item, str):
            labels[item] = len(steps)
        else:
            steps.append(item)

    def offset(at: int, label: str | None) -> int:
        distance = 0 if label is None else labels[label] - at - 1
        if not 0 <= distance <= 255:
            raise ValueError(f"step {at} jumps to {label}, {distance} steps on; BPF jumps 0 to 255 forward")
        return distance

    return [(code, offset(at, jt), offset(at, jf), k) for at, (code, jt, jf, k) in enumerate(steps)]


def filter_for(machine: str) -> list[tuple[int, int, int, int]]:
    """The filter's instructions for `machine` (``platform.machine()``); raises KeyError for a
    machine whose system call numbers it does not know."""
    return assemble(_program(_ABIS[machine]))


def block_unix_sockets() -> None:
    """Installs the filter on this thread and the children it starts, for good. Needs
    no_new_privs set first; raises OSError when the kernel refuses the filter and KeyError on an
    unknown machine."""
    instructions = filter_for(platform.machine())
    array = (_SockFilter * len(instructions))(*(_SockFilter(*step) for step in instructions))
    prog = _SockFprog(len=len(instructions), filter=array)
    libc = ctypes.CDLL(None, use_errno=True)
    status = libc.prctl(
        ctypes.c_int(_PR_SET_SECCOMP),
        ctypes.c_ulong(_SECCOMP_MODE_FILTER),
        ctypes.c_void_p(ctypes.addressof(prog)),
        ctypes.c_ulong(0),
        ctypes.c_ulong(0),
    )
    if status != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"prctl(PR_SET_SECCOMP) failed: {errno.errorcode.get(code, code)}")
