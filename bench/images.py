#!/usr/bin/env python3
"""Image and tender sizes, and start-to-exit time of a hello unikernel, per target.

A one-line hello (print, exit 0) is built with scons in a temporary folder. Sizes are of
stripped copies. Start-to-exit is the wall time of the whole boot command (tender or QEMU
included), median of N runs. References are the real Solo5 v0.12.1 figures measured on
this machine (docs/benchmarks.md); with --solo5 DIR (a Solo5 build tree) the real
tenders and test_hello images are measured in the same run instead.

Usage: python bench/images.py [--targets unix,spt] [--runs 20] [--solo5 /tmp/solo5] [--cpu nosimd]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mirage_tools.targets import get_target

# Real Solo5 v0.12.1 on this machine (shared/reference/solo5-abi.md).
ANCHOR_IMAGE = {"spt": 21_496, "hvt": 34_064, "virtio": 79_120}
ANCHOR_TENDER = {"spt": 39_688, "hvt": 47_976}
ANCHOR_BOOT_MS = {"spt": 0.78, "hvt": 13.4, "virtio": 148.0}

CONFIG = """from mirage_tools import *
register("hello", [main("unikernel", console @ job)(default_console)])
"""
UNIKERNEL = """#include <mirage/console.h>
#include "mirage_app.h"
int unikernel_start(struct mirage_console *console)
{
    mirage_console_printf(console, "hello\\n");
    return 0;
}
"""
SCONSTRUCT = """import mirage_tools
env = Environment(tools=["mirage"], toolpath=[mirage_tools.toolpath()])
env.Unikernel("config.py")
"""


def stripped_size(path: Path, tmp: Path) -> int:
    out = tmp / (path.name + ".stripped")
    subprocess.run(["strip", "-o", str(out), str(path)], check=True)
    return out.stat().st_size


def boot_ms(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def ratio(ours: float, ref: float | None) -> str:
    return f"{ours / ref:5.2f}" if ref else "    -"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--targets", default="unix,spt")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--solo5", type=Path, help="a Solo5 v0.12.x build tree to measure side by side")
    ap.add_argument("--cpu", default="baseline", help="cpu= for the images (nosimd where KVM cannot run SIMD)")
    opts = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="mirage-bench-"))
    rows: list[tuple[str, str, str, str, str]] = []
    try:
        folder = tmp / "hello"
        folder.mkdir()
        for name, text in (("config.py", CONFIG), ("unikernel.c", UNIKERNEL), ("SConstruct", SCONSTRUCT)):
            (folder / name).write_text(text)
        for name in opts.targets.split(","):
            target = get_target(name)
            subprocess.run([sys.executable, "-m", "SCons", "-Q", f"target={name}", f"cpu={opts.cpu}"], cwd=folder,
                           check=True, stdout=subprocess.DEVNULL)
            image = folder / "build" / name / target.image_name("hello")
            tender = folder / "build" / name / "tender" / target.tender.name if target.tender else None
            cmd = target.command(str(image), [], str(tender) if tender else None, [])
            real_image = real_tender = None
            if opts.solo5 and name in ANCHOR_IMAGE:
                real_image = opts.solo5 / "tests/test_hello" / f"test_hello.{name}"
                real_tender = opts.solo5 / "tenders" / name / f"solo5-{name}"
            ref = stripped_size(real_image, tmp) if real_image else ANCHOR_IMAGE.get(name)
            rows.append((name, "image size (stripped)", f"{stripped_size(image, tmp):,} B",
                         f"{ref:,} B" if ref else "-", ratio(stripped_size(image, tmp), ref)))
            if tender:
                tref = stripped_size(real_tender, tmp) if real_tender else ANCHOR_TENDER.get(name)
                rows.append((name, "tender size (stripped)", f"{stripped_size(tender, tmp):,} B",
                             f"{tref:,} B" if tref else "-", ratio(stripped_size(tender, tmp), tref)))
            ours = boot_ms(cmd, opts.runs)
            if real_tender and real_image and name != "virtio":
                bref: float | None = boot_ms([str(real_tender), str(real_image)], opts.runs)
                label = "measured now"
            else:
                bref, label = ANCHOR_BOOT_MS.get(name), "anchor"
            rows.append((name, "hello start to exit", f"{ours:.2f} ms",
                         f"{bref:.2f} ms ({label})" if bref else "-", ratio(ours, bref)))
            if tender and real_image and name != "virtio":
                theirs_under_ours = boot_ms([str(tender), str(real_image)], opts.runs)
                rows.append((name, "Solo5 test_hello under our tender", f"{theirs_under_ours:.2f} ms",
                             f"{bref:.2f} ms" if bref else "-", ratio(theirs_under_ours, bref)))
        print(f"hello (print one line, exit 0), median of {opts.runs} runs")
        print(f"| {'target':<7} | {'what':<34} | {'ours':>12} | {'reference':<22} | ratio |")
        print(f"|{'-' * 9}|{'-' * 36}|{'-' * 14}|{'-' * 24}|-------|")
        for row in rows:
            print(f"| {row[0]:<7} | {row[1]:<34} | {row[2]:>12} | {row[3]:<22} | {row[4]} |")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    os.environ.pop("SCONSFLAGS", None)
    main()
