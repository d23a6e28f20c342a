#!/usr/bin/env python3
"""kv_ro figures: image growth per embedded MiB with crunch (goal: within 1% of the data),
get throughput on spt for a 5 MiB file (crunch, and archive through the block device), and
the build time of a crunch of 1,000 small files, first build and after touching one file.

Usage: python bench/kv.py [--runs 5]
"""
from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONFIG = """from mirage_tools import *
m = main("unikernel", console @ mclock @ kv_ro @ job)
register("kvb", [m(default_console, default_monotonic_clock, generic_kv_ro("data"))])
"""
# Reads data/big.bin through get_partial in 64 KiB pieces, ten times, and reports MiB/s.
UNIKERNEL = """#include <stdlib.h>
#include <mirage/clock.h>
#include <mirage/console.h>
#include <mirage/kv_ro.h>
#include "mirage_app.h"
int unikernel_start(struct mirage_console *c, struct mirage_mclock *clock, struct mirage_kv_ro *kv)
{
    (void)clock;
    uint64_t size;
    if (mirage_kv_ro_size(kv, "big.bin", &size) < 0)
        return 1;
    static uint8_t buf[65536];
    uint64_t start = mirage_mclock_ns(), total = 0;
    for (int round = 0; round < 10; round++)
        for (uint64_t off = 0; off < size;) {
            size_t n;
            if (mirage_kv_ro_get_partial(kv, "big.bin", off, buf, sizeof buf, &n) < 0 || n == 0)
                return 1;
            off += n;
            total += n;
        }
    uint64_t ns = mirage_mclock_ns() - start;
    mirage_console_printf(c, "read %llu bytes in %llu us\\n", (unsigned long long)total,
                          (unsigned long long)(ns / 1000));
    return 0;
}
"""
SCONSTRUCT = """import mirage_tools
env = Environment(tools=["mirage"], toolpath=[mirage_tools.toolpath()])
env.Unikernel("config.py")
"""


def scons(folder: Path, *args: str) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "SCons", "-Q", *args], cwd=folder, check=True,
                         capture_output=True, text=True).stdout
    return time.perf_counter() - start, out


def stripped(path: Path) -> int:
    out = path.with_suffix(".stripped")
    subprocess.run(["strip", "-o", str(out), str(path)], check=True)
    return out.stat().st_size


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    opts = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="mirage-bench-"))
    rows = []
    try:
        app = tmp / "kvb"
        (app / "data").mkdir(parents=True)
        for name, text in (("config.py", CONFIG), ("unikernel.c", UNIKERNEL), ("SConstruct", SCONSTRUCT)):
            (app / name).write_text(text)
        rng = random.Random(1)
        (app / "data" / "big.bin").write_bytes(b"")
        scons(app, "target=spt")
        empty = stripped(app / "build/spt/kvb.spt")
        mib = 8
        (app / "data" / "big.bin").write_bytes(rng.randbytes(mib << 20))
        scons(app, "target=spt")
        grown = stripped(app / "build/spt/kvb.spt") - empty
        rows.append(("crunch: image growth per embedded MiB", f"{grown / mib:,.0f} B", f"1 MiB = {1 << 20:,} B",
                     f"{grown / (mib << 20):.4f}"))
        (app / "data" / "big.bin").write_bytes(rng.randbytes(5 << 20))
        for backend in ("crunch", "archive"):
            scons(app, "target=spt", f"kv_ro={backend}")
            tender = app / "build/spt/tender/mirage-spt"
            attach = [f"--block:data={app / 'build' / 'data.tar'}"] if backend == "archive" else []
            rates = []
            for _ in range(opts.runs):
                out = subprocess.run([str(tender), *attach, str(app / "build/spt/kvb.spt")], check=True,
                                     capture_output=True, text=True).stdout
                m = re.search(r"read (\d+) bytes in (\d+) us", out)
                assert m, out
                rates.append(int(m.group(1)) / (1 << 20) / (int(m.group(2)) / 1e6))
            rows.append((f"spt: kv_ro get of a 5 MiB file ({backend})", f"{statistics.median(rates):,.0f} MiB/s",
                         "-", "-"))
        many = tmp / "many"
        shutil.copytree(app, many, ignore=shutil.ignore_patterns("build", "data", ".sconsign.dblite"))
        (many / "data").mkdir()
        (many / "data" / "big.bin").write_bytes(b"big")
        for i in range(1000):
            (many / "data" / f"f{i:04d}.txt").write_text(f"file {i}\n" * (i % 7 + 1))
        first, touch = [], []
        for _ in range(opts.runs):
            shutil.rmtree(many / "build", ignore_errors=True)
            (many / ".sconsign.dblite").unlink(missing_ok=True)
            first.append(scons(many, "target=spt", "-j2")[0])
        for i in range(opts.runs):
            (many / "data" / "f0500.txt").write_text(f"changed {i}\n")
            elapsed, out = scons(many, "target=spt", "-j2")
            assert sum(line.startswith(("AS ", "CC ")) for line in out.splitlines()) == 2, out
            touch.append(elapsed)
        f, t = statistics.median(first), statistics.median(touch)
        rows.append(("crunch of 1,000 files: clean build (-j2)", f"{f:.2f} s", "-", "-"))
        rows.append(("crunch of 1,000 files: one file changed", f"{t:.2f} s", f"clean {f:.2f} s", f"{t / f:.2f}"))
        print(f"kv_ro figures, target spt, median of {opts.runs} runs")
        print(f"| {'what':<44} | {'value':>12} | {'reference':<18} | {'ratio':>6} |")
        print(f"|{'-' * 46}|{'-' * 14}|{'-' * 20}|{'-' * 8}|")
        for what, value, ref, ratio in rows:
            print(f"| {what:<44} | {value:>12} | {ref:<18} | {ratio:>6} |")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    os.environ.pop("SCONSFLAGS", None)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    main()
