"""The seccomp sandbox: a guest making any call outside the spt ABI, or an
allowed call with arguments the tender did not pin (another descriptor, a
partial block, an offset past the capacity), is killed by SIGSYS."""
from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.tender.sptbuild import run


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
