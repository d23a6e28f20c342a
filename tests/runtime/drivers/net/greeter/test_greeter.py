"""How a flow ends with closed(0) on the lwIP stack, in both orders: our shutdown before the
peer's eof (lwIP then waits out TIME_WAIT and frees its pcb without a callback: the flow
used to be left pointing at it, never ended), and a shutdown from the eof callback with a
reply still queued (closed(0) used to come at once, so exiting then lost the reply's tail)."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

from mirage_tools.targets import get_target
from tests.netns import Netns, finish, read_line
from tests.sconsrun import scons

HERE = Path(__file__).resolve().parent


def test_shutdown_before_eof_ends_with_closed_0(netns: Netns, tmp_path: Path) -> None:
    folder = tmp_path / "greeter"
    shutil.copytree(HERE, folder, ignore=shutil.ignore_patterns("test_*.py", "__pycache__", "build"))
    scons(folder, "target=spt", "-j2")
    desc = get_target("spt")
    proc = netns.start(desc.command(str(folder / "build/spt/greeter.spt"), [],
                                    str(folder / "build/spt/tender/mirage-spt"), [("net", "service", "tap0")]))
    line = read_line(proc, timeout=30)
    while line and not line.startswith("greeter: ready"):
        line = read_line(proc, timeout=30)
    assert line == "greeter: ready (success)\n", line
    for _ in range(2):
        r = netns.exec(sys.executable, "-c", "import socket,time;s=socket.create_connection(('10.0.0.2',7),timeout=10);"
                       "d=b''\nwhile True:\n b=s.recv(100)\n if not b: break\n d+=b\n"
                       "time.sleep(0.2);s.close();print(d.decode(),end='')", timeout=30)
        assert r.stdout == "hello\n", r.stdout + r.stderr
    r = netns.exec(sys.executable, "-c", "import socket;s=socket.create_connection(('10.0.0.2',8),timeout=10);"
                   "s.sendall(b'x');s.shutdown(socket.SHUT_WR);d=b''\nwhile True:\n b=s.recv(65536)\n if not b: break\n"
                   " d+=b\nprint(len(d), set(d) == {ord('r')})", timeout=30)
    assert r.stdout == "150000 True\n", r.stdout + r.stderr
    code, rest = finish(proc, timeout=30)
    assert (desc.status(code) if desc.status else code, rest) == (
        0, "greeter: closed 0\ngreeter: closed 0\ngreeter: reply 150000\ngreeter: closed 0\n")
