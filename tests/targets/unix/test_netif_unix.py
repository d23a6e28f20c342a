"""The unix netif driver (targets/unix/drivers/netif.c) for real, in a private
network namespace: what connect reports, frames written reach the tap, frames sent
by the host reach the listener, whole and in order, even in a burst."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cbuild import ROOT
from tests.netns import Netns, finish, read_line
from tests.runtime.core.corelib import CORE_SOURCES

HERE = Path(__file__).resolve().parent
MAC = r"([0-9a-f]{2}(?::[0-9a-f]{2}){5})"

# Sends frames of the given lengths out of tap0 (so into the driver), EtherType
# 0x88b5, payload bytes i % 251; prints each payload's byte sum.
SENDER = """
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("tap0", 0))
for n in map(int, sys.argv[1:]):
    payload = bytes(i % 251 for i in range(n - 14))
    s.send(b"\\xff" * 6 + b"\\x02\\0\\0\\0\\0\\x01" + b"\\x88\\xb5" + payload)
    print(sum(payload))
"""


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    exe = tmp_path_factory.mktemp("netif") / "netif_probe"
    drivers = ROOT / "runtime_c" / "drivers" / "net"
    subprocess.run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-O1",
                    f"-I{ROOT / 'runtime_c' / 'include'}", f"-I{ROOT / 'targets' / 'unix' / 'include'}",
                    "-o", str(exe), *map(str, CORE_SOURCES), str(ROOT / "targets" / "unix" / "platform.c"),
                    str(drivers / "network.c"), str(ROOT / "targets" / "unix" / "drivers" / "netif.c"),
                    str(HERE / "netif_probe.c")],
                   check=True, timeout=120)
    return exe


def test_connect(probe: Path, netns: Netns) -> None:
    netns.ip("tuntap", "add", "dev", "tap1", "mode", "tap")
    netns.ip("link", "set", "tap1", "mtu", "1400", "up")
    netns.ip("tuntap", "add", "dev", "tap2", "mode", "tap")  # left down
    r = netns.exec(str(probe), "connect", "service:tap0", "second:tap1", "down:tap2", "gone:tap9",
                   "long:" + "x" * 16, "bare", timeout=20)
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    got = {m.group(1): m for line in lines if (m := re.match(
        rf"(\w+) rc=0 handle=(\d+) mtu=(\d+) mac={MAC}$", line))}
    assert [(k, int(m.group(2)), int(m.group(3))) for k, m in got.items()] == [
        ("service", 32, 1500), ("second", 33, 1400), ("down", 34, 1500)]
    macs = [bytes.fromhex(m.group(4).replace(":", "")) for m in got.values()]
    assert all(mac[0] & 0x03 == 0x02 for mac in macs), "not unicast and locally administered"
    assert len(set(macs)) == 3
    assert re.search(r"WARN.*\[netif\] down: interface 'tap2' is down", r.stdout)
    assert "gone rc=-2" in lines and "no network interface named 'tap9'" in r.stdout
    assert "long rc=-1" in lines
    assert "bare rc=-2" in lines  # no tap given: the interface of the same name


def test_frames_both_ways(probe: Path, netns: Netns) -> None:
    sizes = [60, 61, 1000, 1514, 14 + 46, 1514] + [100 + i for i in range(300)]
    before = netns.stats()
    proc = netns.start([str(probe), "io", "service:tap0", str(len(sizes))])
    assert re.match(rf"service rc=0 handle=32 mtu=1500 mac={MAC}\n", read_line(proc))
    assert read_line(proc) == "write 1514 rc=0\n"
    assert read_line(proc) == "write 1515 rc=-1\n"  # MIRAGE_EINVAL: longer than mtu + 14
    assert read_line(proc) == "write 13 rc=-1\n"
    assert read_line(proc) == "listening rc=0\n"
    after = netns.stats()
    assert after["rx_packets"] - before["rx_packets"] == 1
    assert after["rx_bytes"] - before["rx_bytes"] == 1514
    sent = netns.exec(sys.executable, "-c", SENDER, *map(str, sizes))
    assert sent.returncode == 0, sent.stderr
    status, rest = finish(proc)
    expected = [f"frame len={n} sum={s}" for n, s in zip(sizes, map(int, sent.stdout.split()))]
    assert rest.splitlines() == [*expected, f"done {len(sizes)}"]
    assert status == 0
