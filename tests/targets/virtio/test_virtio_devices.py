"""virtio-blk and virtio-net under QEMU (TCG): a block round trip on a raw disk
image, the manifest binding rule, and ping against a tiny ARP/ICMP guest on a
tap device inside a private network namespace."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.targets.virtio import virtiobuild

pytestmark = pytest.mark.usefixtures("qemu")


def blk(drive_id: str, image: Path, addr: int | None = None) -> list[str]:
    dev = f"virtio-blk,drive={drive_id}" + (f",addr={addr}" if addr is not None else "")
    return ["-drive", f"id={drive_id},file={image},if=none,format=raw", "-device", dev]


def disk(path: Path, size: int, head: bytes) -> Path:
    path.write_bytes(head + bytes(size - len(head)))
    return path


def test_block_round_trip(guest, tmp_path: Path) -> None:
    image = guest("block", manifest="BLOCK")
    d = disk(tmp_path / "disk.img", 1 << 20, b"first block here")
    r = virtiobuild.run(image, "stamp", extra=blk("d0", d))
    assert "disk handle=1 capacity=1048576 block_size=512\n" in r.stdout
    assert "block 0 starts with <first block here>" in r.stdout
    assert "block all ok" in r.stdout, r.stdout
    assert virtiobuild.guest_status(r.returncode) == 0
    data = d.read_bytes()
    assert data[-512:] == bytes((i * 7 + 3) & 0xFF for i in range(512))
    assert data[512:532] == b"virtio wrote block 1"
    assert data[:16] == b"first block here"


def test_devices_bind_in_pci_order_to_manifest_order(guest, tmp_path: Path) -> None:
    """Disk "first" is the virtio-blk in the lower PCI slot, whatever the
    command-line order; handles are manifest indices."""
    image = guest("block", manifest="MIXED")
    a = disk(tmp_path / "a.img", 1 << 20, b"disk in slot 4..")
    b = disk(tmp_path / "b.img", 64 << 10, b"disk in slot 6..")
    extra = [*blk("dB", b, addr=6), "-netdev", "hubport,id=n0,hubid=0",
             "-device", "virtio-net,netdev=n0,addr=5", *blk("dA", a, addr=4)]
    r = virtiobuild.run(image, "mixed", extra=extra)
    assert "first handle=1 capacity=1048576 block0=<disk in slot 4..>" in r.stdout
    assert "second handle=3 capacity=65536 block0=<disk in slot 6..>" in r.stdout
    assert "net0 handle=2 mtu=1500" in r.stdout
    assert virtiobuild.guest_status(r.returncode) == 0


def test_missing_device_fails_the_boot(guest, tmp_path: Path) -> None:
    image = guest("block", manifest="MIXED")
    r = virtiobuild.run(image, "mixed", extra=blk("d0", disk(tmp_path / "a.img", 4096, b"x")))
    assert "virtio: manifest device 'net0': no virtio-net device" in r.stdout
    assert virtiobuild.guest_status(r.returncode) == 1


def test_surplus_devices_are_ignored(hello: Path, tmp_path: Path) -> None:
    r = virtiobuild.run(hello, extra=blk("d0", disk(tmp_path / "a.img", 4096, b"x")))
    assert "Goodbye" in r.stdout and virtiobuild.guest_status(r.returncode) == 0


# ---- network -----------------------------------------------------------------

def _netns_capable() -> str | None:
    if os.geteuid() != 0:
        return "network namespaces and tap devices need root"
    for tool in ("ip", "ping"):
        if shutil.which(tool) is None:
            return f"no {tool} on this machine"
    if not os.path.exists("/dev/net/tun"):
        return "no /dev/net/tun on this machine"
    return None


@pytest.fixture
def netns() -> Iterator[str]:
    """A private network namespace with tap device tap0 (10.77.0.1/24), removed
    afterwards whatever happens. Nothing is routed out of it."""
    why = _netns_capable()
    if why:
        pytest.skip(why)
    name = f"mirage-virtio-{uuid.uuid4().hex[:8]}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        def ip(*args: str) -> None:
            subprocess.run(["ip", "-n", name, *args], check=True)
        ip("link", "set", "lo", "up")
        ip("tuntap", "add", "dev", "tap0", "mode", "tap")
        ip("addr", "add", "10.77.0.1/24", "dev", "tap0")
        ip("link", "set", "tap0", "up")
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False)


def test_ping(guest, netns: str) -> None:
    image = guest("ping", manifest="NET")
    cmd = ["ip", "netns", "exec", netns, *virtiobuild.qemu_command(
        image, ["ip=10.77.0.2", "count=5", "timeout=30"],
        extra=["-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no",
               "-device", "virtio-net,netdev=n0"])]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True, bufsize=1)
    try:
        assert proc.stdout is not None
        head = []
        for line in proc.stdout:
            head.append(line)
            if line == "ready\n":
                break
        assert head and head[-1] == "ready\n", "".join(head)
        assert re.match(r"net0 handle=1 mtu=1500 mac=([0-9a-f]{2}:){5}[0-9a-f]{2} ip=10.77.0.2",
                        head[0])
        ping = subprocess.run(["ip", "netns", "exec", netns, "ping", "-n", "-c", "5", "-i", "0.2",
                               "-W", "5", "10.77.0.2"], capture_output=True, text=True, timeout=60)
        rest, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert ping.returncode == 0, ping.stdout + ping.stderr
    assert "5 packets transmitted, 5 received, 0% packet loss" in ping.stdout
    assert "arp replies=1 echo replies=5\n" in rest
    assert virtiobuild.guest_status(proc.returncode) == 0, err
    rtt = re.search(r"rtt min/avg/max/mdev = ([\d.]+)/([\d.]+)/([\d.]+)", ping.stdout)
    assert rtt and float(rtt.group(1)) < 100


def test_ping_guest_times_out_without_pings(guest, netns: str) -> None:
    """The ping guest times out cleanly when nobody talks to it (yield returns
    at the deadline with an empty ready set)."""
    image = guest("ping", manifest="NET")
    t0 = time.monotonic()
    r = virtiobuild.run(image, "ip=10.77.0.2", "count=1", "timeout=1", prefix=["ip", "netns", "exec", netns],
                        extra=["-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no",
                               "-device", "virtio-net,netdev=n0"])
    assert "echo replies=0" in r.stdout
    assert virtiobuild.guest_status(r.returncode) == 2
    assert 1.0 <= time.monotonic() - t0 < 10
