"""Power-cut tests: the backing files live on tests/e2e/lazyfs.py, a FUSE file system that
drops every change not yet synced when it is killed. crash_app runs to the end, then the
power is cut: in the durable modes every acknowledged record survives (block: fdatasync
through mirage_block_flush on unix, our tenders' --block-sync on spt and hvt; kv:
direct_kv_rw always); without them some are lost, so the test can fail. What this proves
and what it cannot: docs/benchmarks.md, "Durability"."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.crashlib import REC, acks, build, command, generation, run
from tests.machine import missing
from tests.sconsrun import ROOT

COUNT = 16


def _fuse_missing() -> str | None:
    if not os.path.exists("/dev/fuse"):
        return "no /dev/fuse on this machine (the power-cut file system is a FUSE one)"
    try:
        import mfusepy  # noqa: F401
    except (ImportError, OSError) as e:  # OSError: no libfuse for it to load
        return f"mfusepy cannot load libfuse here ({e}): install the test extras and fuse3"
    return None


class LazyMount:
    """lazyfs mounted at mount/, keeping what survives in disk/ (view/ is what runs see)."""

    def __init__(self, root: Path) -> None:
        self.disk, self.view, self.mount = root / "disk", root / "view", root / "mnt"
        for p in (self.disk, self.view, self.mount):
            p.mkdir(parents=True)
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.e2e.lazyfs", str(self.disk), str(self.view),
                                      str(self.mount)], cwd=ROOT, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while not os.path.ismount(self.mount):
            assert self.proc.poll() is None, self.proc.stderr.read() if self.proc.stderr else ""
            assert time.monotonic() < deadline, "lazyfs did not mount"
            time.sleep(0.05)

    def cut_power(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        subprocess.run(["umount", "-l", str(self.mount)], capture_output=True)


@pytest.fixture
def lazy(tmp_path: Path) -> Iterator[LazyMount]:
    why = _fuse_missing()
    if why:
        pytest.skip(why)
    m = LazyMount(tmp_path / "lazy")
    try:
        yield m
    finally:
        m.cut_power()


def _new_file(m: LazyMount, name: str, size: int) -> Path:
    """A zeroed file through the mount, synced: it exists on the 'disk' before the run."""
    path = m.mount / name
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
    os.pwrite(fd, bytes(size), 0)
    os.fsync(fd)
    os.close(fd)
    return path


def _survivors(data: bytes) -> dict[int, int]:
    return {i: generation(data[i * REC:(i + 1) * REC], i) for i in range(COUNT)}


@pytest.mark.parametrize("durable", [True, False], ids=["durable", "plain"])
@pytest.mark.parametrize("target", ["unix", "spt", "hvt"])
def test_power_cut_block(tmp_path: Path, lazy: LazyMount, target: str, durable: bool) -> None:
    why = missing(target)
    if why:
        pytest.skip(f"{target} images cannot boot here: {why}")
    app = build(tmp_path, target)
    disk = _new_file(lazy, "disk.img", COUNT * REC)
    (lazy.mount / "store").mkdir()  # the unix image's kv device, unused here
    args = ["--gen=5", f"--count={COUNT}"] + (["--flush"] if durable and target == "unix" else [])
    out = run(command(app, target, disk, args, sync=durable and target != "unix"), cwd=lazy.mount)
    assert out.returncode == 0, out.stdout + out.stderr
    acked = acks(out.stdout)
    assert acked == set(range(COUNT))
    lazy.cut_power()
    got = _survivors((lazy.disk / "disk.img").read_bytes())
    lost = sorted(i for i in acked if got[i] != 5)
    if durable:
        assert lost == [], f"acknowledged records lost at the power cut: {lost}"
    else:
        assert lost, "nothing was lost without the durable mode: the power cut proves nothing"


def test_power_cut_kv(tmp_path: Path, lazy: LazyMount) -> None:
    app = build(tmp_path, "unix")
    disk = _new_file(lazy, "disk.img", REC)
    store = lazy.mount / "store"
    store.mkdir()
    fd = os.open(lazy.mount, os.O_RDONLY | os.O_DIRECTORY)
    os.fsync(fd)
    os.close(fd)
    out = run(command(app, "unix", disk, ["--gen=9", f"--count={COUNT}", "--kv"]), cwd=lazy.mount)
    assert out.returncode == 0, out.stdout + out.stderr
    acked = acks(out.stdout)
    assert acked == set(range(COUNT))
    # The control: temp file and rename without fsync, on the same file system.
    for i in range(4):
        (lazy.mount / f"tmp{i}").write_bytes(b"x" * REC)
        os.rename(lazy.mount / f"tmp{i}", lazy.mount / f"control{i}")
    lazy.cut_power()
    kept = lazy.disk / "store"
    lost = [i for i in acked if not (kept / f"k{i}").exists() or generation((kept / f"k{i}").read_bytes(), i) != 9]
    assert lost == [], f"acknowledged sets lost at the power cut: {lost}"
    assert not any((lazy.disk / f"control{i}").exists() for i in range(4)), "the control survived unsynced"
    assert sorted(p.name for p in kept.iterdir()) == sorted(f"k{i}" for i in range(COUNT))
