"""The seccomp sandbox: a guest making any call outside the spt ABI, or an
allowed call with arguments the tender did not pin (another descriptor, a
partial block, an offset past the capacity), is killed by SIGSYS."""
from __future__ import annotations

import signal
import socket
from pathlib import Path

import pytest

from tests.targets.spt.sptbuild import run


@pytest.fixture(scope="module")
def forbidden(guest):  # type: ignore[no-untyped-def]
    return guest("forbidden", manifest="BLOCK")


@pytest.fixture
def disk(tmp_path: Path) -> Path:
    path = tmp_path / "disk.img"
    path.write_bytes(bytes(8 * 512))
    return path


@pytest.mark.parametrize("call", [
    "getpid",           # not in the filter at all
    "stderr",           # write, but not to fd 1
    "cputime",          # clock_gettime, but not MONOTONIC/REALTIME
    "pread-past-end",   # offset > capacity - block size
    "pwrite-past-end",  # the same for writes (would grow the file)
    "pread-short",      # count != block size
    "read-disk",        # read() is only for network descriptors
])
def test_forbidden_call_kills_with_sigsys(tender: Path, forbidden: Path, disk: Path, call: str) -> None:
    r = run(tender, f"--block:disk={disk}", forbidden, call)
    assert r.returncode == -signal.SIGSYS, (r.returncode, r.stdout, r.stderr)
    assert f"trying {call}\n" in r.stdout
    assert "survived" not in r.stdout
    assert disk.stat().st_size == 8 * 512


def test_allowed_raw_call_survives(tender: Path, forbidden: Path, disk: Path) -> None:
    r = run(tender, f"--block:disk={disk}", forbidden, "allowed-pread")
    assert r.returncode == 0, r.stderr
    assert "survived, result 512\n" in r.stdout


@pytest.fixture(scope="module")
def forbidden_net(guest):  # type: ignore[no-untyped-def]
    return guest("forbidden", manifest="DEVICES")


@pytest.mark.parametrize("call", ["pread-unaligned", "pwrite-unaligned"])
def test_unaligned_block_offset_kills_with_sigsys(tender: Path, forbidden: Path, disk: Path, call: str) -> None:
    """One block at a block-aligned offset, as hvt's BLOCK_READ/BLOCK_WRITE."""
    r = run(tender, f"--block:disk={disk}", forbidden, call)
    assert r.returncode == -signal.SIGSYS, (r.returncode, r.stdout, r.stderr)
    assert "survived" not in r.stdout


@pytest.mark.parametrize("blocks", [1, 7, 8, 13, 1000])
def test_every_aligned_block_is_allowed(tender: Path, forbidden: Path, tmp_path: Path, blocks: int) -> None:
    """The offset rules (one per set bit of the block count) let every block through."""
    disk = tmp_path / "odd.img"
    disk.write_bytes(bytes(blocks * 512))
    r = run(tender, f"--block:disk={disk}", forbidden, "allowed-every-block")
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    assert "survived, result 512\n" in r.stdout
    r = run(tender, f"--block:disk={disk}", forbidden, "pread-past-end")
    assert r.returncode == -signal.SIGSYS


def test_frame_over_mtu_kills_with_sigsys(tender: Path, forbidden_net: Path, disk: Path) -> None:
    """write(2) on a tap descriptor takes at most mtu + 14 bytes (hvt: NET_WRITE says EINVAL)."""
    host, guest_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    with host, guest_end:
        fd = guest_end.fileno()
        net = f"--net:net0=@{fd}"
        ok = run(tender, f"--block:disk={disk}", net, forbidden_net, "allowed-net-write", pass_fds=(fd,))
        assert ok.returncode == 0 and "survived, result 1514\n" in ok.stdout, (ok.returncode, ok.stderr)
        big = run(tender, f"--block:disk={disk}", net, forbidden_net, "net-write-big", pass_fds=(fd,))
        assert big.returncode == -signal.SIGSYS, (big.returncode, big.stdout, big.stderr)
        assert "survived" not in big.stdout
