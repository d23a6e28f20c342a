#!/usr/bin/env python3
"""Durability's cost: block writes (one 512-byte sector per write) and direct_kv_rw sets
(512-byte values) per second, with and without the durable mode, on a real disk. Block:
unix with mirage_block_flush after each write (fdatasync) or not; spt under our tender
with --block-sync (O_DSYNC) or not. kv (unix): direct_kv_rw as it is (fsync file and
folder per set) against the same binary with fsync and fdatasync turned into no-ops by a
preload, which is what set cost before it synced. Whole runs of tests/e2e/crash_app are
timed (start-up included, a few ms against seconds); medians of --runs.

Usage: python bench/durability.py [--runs 5] [--count 400] [--dir DIR]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.e2e.crashlib import REC, build, command  # noqa: E402

NOSYNC_C = "int fsync(int fd) { (void)fd; return 0; }\nint fdatasync(int fd) { (void)fd; return 0; }\n"


def _nosync(folder: Path) -> Path:
    src, lib = folder / "nosync.c", folder / "nosync.so"
    src.write_text(NOSYNC_C)
    subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-o", str(lib), str(src)], check=True)
    return lib


def _rate(cmd: list[str], cwd: Path, count: int, runs: int, env: dict[str, str] | None = None,
          reset: Path | None = None) -> float:
    """Median writes per second over `runs` whole runs."""
    rates = []
    for _ in range(runs):
        if reset is not None:
            for p in reset.iterdir():
                p.unlink()
        start = time.monotonic()
        subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, env=env)
        rates.append(count / (time.monotonic() - start))
    return statistics.median(rates)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--count", type=int, default=400)
    ap.add_argument("--dir", default=None, help="folder on the disk to measure (default: a temporary one)")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=a.dir) as tmp:
        work = Path(tmp)
        n = a.count
        rows = []
        for target in ("unix", "spt"):
            app = build(work / target, target)
            disk = app / "disk.img"
            disk.write_bytes(bytes(n * REC))
            args = ["--gen=3", f"--count={n}"]
            if target == "unix":
                plain = _rate(command(app, target, disk, args), app, n, a.runs)
                durable = _rate(command(app, target, disk, [*args, "--flush"]), app, n, a.runs)
                how = "flush (fdatasync) after each write"
            else:
                plain = _rate(command(app, target, disk, args), app, n, a.runs)
                durable = _rate(command(app, target, disk, args, sync=True), app, n, a.runs)
                how = "tender --block-sync (O_DSYNC)"
            rows.append((f"{target}: block writes/s (MiB/s)", plain, durable, how))
        app = work / "unix" / "crash_app"
        env = dict(os.environ, LD_PRELOAD=str(_nosync(work)))
        args = command(app, "unix", app / "disk.img", ["--gen=3", f"--count={n}", "--kv"])
        plain = _rate(args, app, n, a.runs, env=env, reset=app / "store")
        durable = _rate(args, app, n, a.runs, reset=app / "store")
        rows.append(("unix: direct_kv_rw sets/s", plain, durable, "fsync of file and folder per set"))
    print("| what | without | durable | ratio | cost |")
    print("|---|---|---|---|---|")
    for what, plain, durable, how in rows:
        if "block" in what:
            cell = [f"{v:,.0f} ({v * REC / 2**20:.2f})" for v in (plain, durable)]
        else:
            cell = [f"{v:,.0f}" for v in (plain, durable)]
        print(f"| {what} | {cell[0]} | {cell[1]} | {durable / plain:.3f} | {how} |")


if __name__ == "__main__":
    main()
