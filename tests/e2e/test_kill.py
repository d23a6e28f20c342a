"""Kill tests: crash_app (and examples/block) killed with SIGKILL at random points, at
least 100 times per target. After every kill each record (a sector, or a direct_kv_rw key
on unix) holds its previous generation or the new one, whole, never a mix; every record
acknowledged before the kill holds the new one; no temporary file is listed as a key. The
example recovers from every kill: a later boot exits 0. Time per target stays under ~90 s
(small images, 16 records a run)."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.crashlib import REC, acks, build, command, generation
from tests.machine import missing
from tests.sconsrun import boot, copy_example, scons

RUNS = 100
COUNT = 16


def _kill_at_random(cmd: list[str], cwd: Path, delay: float) -> bytes:
    """Start cmd, SIGKILL its process group after `delay` seconds (or let it end), return
    its stdout."""
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    time.sleep(delay)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    out, _ = proc.communicate(timeout=30)
    return out


def _typical(cmd: list[str], cwd: Path) -> float:
    start = time.monotonic()
    subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=60, check=True)
    return time.monotonic() - start


def _check(slots: dict[int, bytes], before: dict[int, int], gen: int, acked: set[int]) -> dict[int, int]:
    now = {}
    for i in range(COUNT):
        g = generation(slots.get(i, bytes(REC)), i)
        assert g in (before[i], gen), f"record {i}: generation {g}, neither {before[i]} nor {gen}"
        assert i not in acked or g == gen, f"record {i} was acknowledged, then lost"
        now[i] = g
    return now


@pytest.mark.parametrize("target", ["unix", "spt", "hvt"])
def test_kill_block_records(tmp_path: Path, target: str) -> None:
    why = missing(target)
    if why:
        pytest.skip(f"{target} images cannot boot here: {why}")
    app = build(tmp_path, target)
    disk = app / "disk.img"
    disk.write_bytes(bytes(COUNT * REC))
    rng = random.Random(12)
    span = _typical(command(app, target, disk, ["--gen=1000"]), app)
    disk.write_bytes(bytes(COUNT * REC))
    before = dict.fromkeys(range(COUNT), 0)
    started = time.monotonic()
    for gen in range(1, RUNS + 1):
        out = _kill_at_random(command(app, target, disk, [f"--gen={gen}", f"--count={COUNT}"]), app,
                              rng.uniform(0, span * 1.2))
        data = disk.read_bytes()
        slots = {i: data[i * REC:(i + 1) * REC] for i in range(COUNT)}
        before = _check(slots, before, gen, acks(out))
    assert time.monotonic() - started < 90


def test_kill_kv_records(tmp_path: Path) -> None:
    app = build(tmp_path, "unix")
    (app / "disk.img").write_bytes(bytes(REC))
    store = app / "store"
    rng = random.Random(7)
    span = _typical(command(app, "unix", app / "disk.img", ["--gen=1000", "--kv"]), app)
    for p in store.iterdir():
        p.unlink()
    before = dict.fromkeys(range(COUNT), 0)
    started = time.monotonic()
    for gen in range(1, RUNS + 1):
        out = _kill_at_random(command(app, "unix", app / "disk.img", [f"--gen={gen}", f"--count={COUNT}", "--kv"]),
                              app, rng.uniform(0, span * 1.2))
        names = {p.name for p in store.iterdir()}
        slots = {i: (store / f"k{i}").read_bytes() for i in range(COUNT) if f"k{i}" in names}
        before = _check(slots, before, gen, acks(out))
    # The next connect removes what the kills left; the store lists only keys.
    out = subprocess.run(command(app, "unix", app / "disk.img", ["--gen=999", "--count=0", "--kv"]), cwd=app,
                         capture_output=True, timeout=60)
    assert out.returncode == 0 and sorted(os.listdir(store)) == sorted(f"k{i}" for i in range(COUNT) if before[i])
    assert time.monotonic() - started < 90


@pytest.mark.parametrize("target", ["unix", "spt", "hvt"])
def test_kill_the_block_example(tmp_path: Path, target: str) -> None:
    """examples/block killed at random (30 times; 10 on hvt, whose emulated boots of this
    example take a second): every later boot still exits 0 (before the commit sector, a
    kill between its sectors made every later boot exit 1)."""
    why = missing(target)
    if why:
        pytest.skip(f"{target} images cannot boot here: {why}")
    folder = copy_example("block", tmp_path)
    scons(folder, f"target={target}", "-j2")
    disk = folder / "disk.img"
    disk.write_bytes(bytes(256 * 512))
    from mirage_tools.targets import get_target

    desc = get_target(target)
    tender = str(folder / "build" / target / "tender" / desc.tender.name) if desc.tender else None
    cmd = desc.command(str(folder / "build" / target / desc.image_name("block")), [], tender,
                   [("block", "disk", str(disk))])
    span = _typical(cmd, folder)
    rng = random.Random(3)
    for _ in range(10 if target == "hvt" else 30):
        _kill_at_random(cmd, folder, rng.uniform(0, span))
        out = boot(folder, target, "block", devices=(("block", "disk", str(disk)),))
        assert out.returncode == 0, out.stdout + out.stderr
