"""examples/arp_ping end to end: built by scons for every target this machine can boot,
booted inside a private network namespace on tap0, pinged by the real `ping` of that
namespace."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from mirage_tools.targets import get_target
from tests.machine import missing
from tests.netns import Netns, finish, read_line
from tests.sconsrun import copy_example, scons

TARGETS = ["unix", "spt", "hvt", "virtio"]
PINGS = 20
MAC = r"[0-9a-f]{2}(?::[0-9a-f]{2}){5}"


@pytest.fixture(scope="module")
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    why = missing(request.param)
    if why:
        pytest.skip(f"{request.param} images cannot boot here: {why}")
    folder = copy_example("arp_ping", tmp_path_factory.mktemp(request.param))
    scons(folder, f"target={request.param}", "-j2")
    return request.param, folder


def guest_status(built: tuple[str, Path], returncode: int) -> int:
    desc = get_target(built[0])
    return desc.status(returncode) if desc.status else returncode


def command(built: tuple[str, Path], *args: str) -> list[str]:
    """How `scons run` boots the image, with tap0 attached as `service`."""
    target, folder = built
    desc = get_target(target)
    image = folder / "build" / target / desc.image_name("arp_ping")
    tender = str(folder / "build" / target / "tender" / desc.tender.name) if desc.tender else None
    return desc.command(str(image), args, tender, [("net", "service", "tap0")])


def ping(netns: Netns, address: str, count: int) -> tuple[str, float, float]:
    r = netns.exec("ping", "-n", "-c", str(count), "-i", "0.05", "-W", "1", address, timeout=60)
    rtt = re.search(r"rtt min/avg/max/mdev = ([\d.]+)/([\d.]+)/", r.stdout)
    return r.stdout + r.stderr, float(rtt.group(1)) if rtt else -1.0, float(rtt.group(2)) if rtt else -1.0


@pytest.mark.parametrize("built", TARGETS, indirect=True)
def test_ping(built: tuple[str, Path], netns: Netns) -> None:
    proc = netns.start(command(built, f"--count={PINGS + 1}"))
    first = read_line(proc)
    assert re.fullmatch(rf"arp_ping: 10\.0\.0\.2/24 on service, mac {MAC}\n", first), first
    mac = first.split("mac ")[1].strip()
    out, rtt_min, rtt_avg = ping(netns, "10.0.0.2", PINGS)
    assert f"{PINGS} packets transmitted, {PINGS} received, 0% packet loss" in out, out
    # The host learnt the unikernel's MAC from its ARP reply (while the tap is open:
    # closing it drops the carrier and the neighbour entry).
    neigh = netns.exec("ip", "neigh", "show", "10.0.0.2", "dev", "tap0").stdout
    assert mac in neigh, neigh
    assert "1 received" in ping(netns, "10.0.0.2", 1)[0]
    status, rest = finish(proc, timeout=30)
    assert (guest_status(built, status), rest) == (0, f"arp_ping: {PINGS + 1} echo replies, done\n")
    print(f"{built[0]}: rtt min/avg {rtt_min}/{rtt_avg} ms")
    assert 0 < rtt_min <= rtt_avg < 100


@pytest.mark.parametrize("built", TARGETS, indirect=True)
def test_other_address(built: tuple[str, Path], netns: Netns) -> None:
    """--ipv4 moves the unikernel; the old address gets no answer."""
    proc = netns.start(command(built, "--ipv4=10.0.0.77/24", "--count=3"))
    assert read_line(proc).startswith("arp_ping: 10.0.0.77/24 on service, mac ")
    out, _, _ = ping(netns, "10.0.0.77", 3)
    assert "3 received" in out, out
    assert guest_status(built, finish(proc, timeout=30)[0]) == 0
    out = netns.exec("ping", "-n", "-c", "1", "-W", "0.3", "10.0.0.2", timeout=20).stdout
    assert "0 received" in out, out


# QEMU creates a tap named by ifname= itself, so only the other targets have one to refuse.
@pytest.mark.parametrize("built", ["unix", "spt", "hvt"], indirect=True)
def test_missing_tap(built: tuple[str, Path], netns: Netns) -> None:
    netns.ip("link", "del", "tap0")
    r = netns.exec(*command(built), timeout=20)
    out = r.stdout + r.stderr
    if built[0] == "unix":
        assert r.returncode == 1
        assert "no network interface named 'tap0'" in out and "netif" in out
    else:  # the tender refuses before the unikernel runs
        assert r.returncode != 0 and "tap0" in out
    assert "arp_ping:" not in out
