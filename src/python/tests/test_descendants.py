"""descendants: a subreaper kills the processes that left its process group."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path


def test_kill_children_kills_a_double_forked_child_in_its_own_session(tmp_path: Path) -> None:
    marker = tmp_path / "pid"
    code = textwrap.dedent(
        f"""
        import os, time
        from mlp_platform.descendants import become_subreaper, children, kill_children
        become_subreaper()
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                open({str(marker)!r}, "w").write(str(os.getpid()))
                time.sleep(600)
            os._exit(0)
        os.wait()
        while not os.path.exists({str(marker)!r}) or not open({str(marker)!r}).read():
            time.sleep(0.01)
        grandchild = int(open({str(marker)!r}).read())
        assert children() == [grandchild], children()
        print(kill_children(), children())
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=os.environ)
    assert (done.returncode, done.stdout, done.stderr) == (0, "1 []\n", "")
    assert not Path(f"/proc/{marker.read_text()}").exists()
