"""Runs a command on a pseudo-terminal, as a terminal window would, and closes the terminal when
told: ``python3 pty_run.py CMD ARGS...``. The command's output is copied to stdout. A line
``hangup`` on stdin closes the terminal (the kernel then sends SIGHUP, as when a user closes the
window); the last line of stdout is then ``exit <code>``, the command's exit status (128 + signal
when a signal ended it)."""

from __future__ import annotations

import os
import pty
import select
import sys


def main(argv: list[str]) -> int:
    pid, master = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    open_master: int | None = master
    while open_master is not None:
        ready, _, _ = select.select([open_master, 0], [], [])
        if 0 in ready and sys.stdin.readline().strip() == "hangup":
            os.close(open_master)
            open_master = None
            break
        if open_master in ready:
            try:
                data = os.read(open_master, 65536)
            except OSError:
                data = b""
            if not data:
                os.close(open_master)
                open_master = None
                break
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    print(f"\nexit {128 - code if code < 0 else code}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
