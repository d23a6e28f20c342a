"""`mirage-tools net up --user` gives a tap to one user without root: examples/arp_ping (unix)
booted as uid 65534 on the tap `net up` made for it in a private network namespace (another
uid may not attach), pinged from that namespace, then `net down` removes tap and namespace."""
from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from mirage_tools.netsetup import STATE_DIR
from tests.netns import Netns, finish, netns_unavailable, read_line
from tests.sconsrun import copy_example, scons

_serial = itertools.count()


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The unix arp_ping image, in a folder anyone may read (pytest's own are root's only)."""
    folder = copy_example("arp_ping", tmp_path_factory.mktemp("netcmd"))
    scons(folder, "target=unix")
    shared = Path(tempfile.mkdtemp(prefix="mtnet-image-"))
    try:
        shared.chmod(0o755)
        shutil.copy2(folder / "build" / "unix" / "arp_ping", shared / "arp_ping")
        yield shared / "arp_ping"
    finally:
        shutil.rmtree(shared)


@pytest.fixture
def ns() -> Iterator[Netns]:
    why = netns_unavailable() or next((f"no `{tool}` command on this machine" for tool in ("setpriv", "unshare")
                                       if shutil.which(tool) is None), None)
    if why:
        pytest.skip(why)
    namespace = Netns(f"mtnet-{os.getpid()}-e{next(_serial)}")
    try:
        yield namespace
    finally:
        namespace.stop_all()
        subprocess.run(["ip", "netns", "del", namespace.name], capture_output=True, timeout=10)
        (STATE_DIR / namespace.name).unlink(missing_ok=True)


def net(*args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "mirage_tools.cli", "net", *args], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def as_user(uid: int, cmd: list[str]) -> list[str]:
    """cmd run as uid (and gid) `uid`. Where /dev/net/tun is root's only (0600, as in some containers), it runs in a
    private mount namespace seeing a 0666 node of the same device there, as most hosts have it; the host's
    /dev/net/tun is not changed."""
    drop = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", *cmd]
    if os.stat("/dev/net/tun").st_mode & 0o006 == 0o006:
        return drop
    script = 'mount -t tmpfs -o mode=0755 tmpfs /dev/net && mknod -m 0666 /dev/net/tun c 10 200 && exec "$@"'
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", *drop]


def test_a_user_boots_on_the_tap_net_up_made(image: Path, ns: Netns) -> None:
    out = net("up", "--netns", ns.name, "--tap", "tap6", "--address", "10.6.0.1/24", "--user", "65534")
    assert f"ip netns exec {ns.name} sudo -u " in out
    other = ns.exec(*as_user(65533, [str(image), "--net:service=tap6", "--count=1"]), timeout=20)
    assert other.returncode != 0, other.stdout  # not the tap's owner
    assert "cannot attach to tap interface 'tap6': Operation not permitted" in other.stdout + other.stderr
    proc = ns.start(as_user(65534, [str(image), "--net:service=tap6", "--ipv4=10.6.0.2/24", "--count=2"]))
    assert "10.6.0.2/24 on service" in read_line(proc, timeout=20)
    ping = ns.exec("ping", "-n", "-c", "2", "-i", "0.2", "-W", "1", "10.6.0.2", timeout=30)
    assert "2 received" in ping.stdout, ping.stdout + ping.stderr
    status, rest = finish(proc)
    assert status == 0 and "2 echo replies, done" in rest
    out = net("down", "--netns", ns.name, "--tap", "tap6")
    assert "removed tap tap6" in out and f"removed network namespace {ns.name}" in out
