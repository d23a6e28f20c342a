"""Block and network devices through the hvt hypercalls, driven by the same
guests as the spt tests (tests/targets/solo5/guests/block.c and net.c use only
solo5_platform.h, which both targets implement). Device attachment is shared
code (targets/solo5/tender/devices.c), tested in depth by the spt tests."""
from __future__ import annotations

import re
import signal
from pathlib import Path

import pytest

from tests.targets.hvt.hvtbuild import run
from tests.targets.solo5.helpers import ECHO_FRAME, check_exit_on_signal, check_frame_sizes, make_disk, run_echo


@pytest.fixture(scope="module")
def block_guest(guest):  # type: ignore[no-untyped-def]
    return guest("block", manifest="BLOCK")


@pytest.fixture(scope="module")
def net_guest(guest):  # type: ignore[no-untyped-def]
    return guest("net", manifest="DEVICES")


@pytest.mark.usefixtures("kvm")
@pytest.mark.parametrize("block_size, blocks", [(512, 128), (4096, 4)])
def test_block_round_trip(tender: Path, block_guest: Path, tmp_path: Path, block_size: int,
                          blocks: int) -> None:
    disk = make_disk(tmp_path, block_size * blocks)
    args = [f"--block:disk={disk}"]
    if block_size != 512:
        args.append(f"--block-sector-size:disk={block_size}")
    r = run(tender, *args, block_guest)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"disk handle=1 capacity={block_size * blocks} block_size={block_size}\n" in r.stdout
    assert "block 0 starts with <BLOCK0-MAGIC-123>" in r.stdout
    assert "block all ok" in r.stdout  # includes the refused requests (short, unaligned, ...)
    data = disk.read_bytes()
    assert len(data) == block_size * blocks
    assert data[-block_size:] == bytes((i * 7 + 3) & 0xFF for i in range(block_size))


def test_missing_block_device_is_refused(tender: Path, block_guest: Path) -> None:
    r = run(tender, block_guest)
    assert r.returncode == 1 and r.stdout == ""
    assert "block device 'disk' is declared by the unikernel but not attached" in r.stderr


@pytest.mark.usefixtures("kvm")
def test_net_echo_over_a_descriptor(tender: Path, net_guest: Path, tmp_path: Path) -> None:
    """A datagram socket as the network backend: the guest reads nothing
    (AGAIN), waits in POLL until the frame arrives, and echoes it."""
    out, echo = run_echo(tender, net_guest, make_disk(tmp_path, 4096), "--net-mac:net0=02:00:5e:10:20:30")
    assert echo == b"E" + ECHO_FRAME[1:]
    assert "empty read: eagain\n" in out
    assert re.search(r"net0 handle=2 mtu=1500 mac=02:00:5e:10:20:30\n", out), out
    assert "got 120 bytes\n" in out and "echoed\n" in out


@pytest.mark.usefixtures("kvm")
def test_frame_over_mtu_is_refused(tender: Path, guest, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    check_frame_sizes(run, tender, guest("netbig", manifest="DEVICES"), make_disk(tmp_path, 4096))


@pytest.mark.usefixtures("kvm")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_ends_the_tender_with_a_message(tender: Path, net_guest: Path, tmp_path: Path,
                                               sig: signal.Signals) -> None:
    check_exit_on_signal(tender, net_guest, make_disk(tmp_path, 4096), sig, "mirage-hvt")
