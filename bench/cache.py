#!/usr/bin/env python3
"""Clean build of every example with a warm shared cache versus a cold one, and the size
of the OCI layout for hello. Prints a table of medians (ratio: warm / cold).

Usage: python bench/cache.py [--target spt] [--runs 3]
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

ROOT = Path(__file__).resolve().parent.parent
COPY = ("SConstruct", "site_scons", "examples")


def scons(folder: Path, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "SCons", "-Q", *args], cwd=folder, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def clean(folder: Path) -> None:
    for build in folder.rglob("build"):
        shutil.rmtree(build, ignore_errors=True)
    for sign in folder.rglob(".sconsign.dblite"):
        sign.unlink()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--target", default="spt")
    ap.add_argument("--runs", type=int, default=3)
    opts = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="mirage-bench-"))
    try:
        tree = tmp / "tree"
        tree.mkdir()
        for name in COPY:
            src = ROOT / name
            if src.is_dir():
                shutil.copytree(src, tree / name, ignore=shutil.ignore_patterns("build", "*.img", ".sconsign.dblite"))
            else:
                shutil.copy(src, tree / name)
        target = f"target={opts.target}"
        cold, warm = [], []
        for i in range(opts.runs):
            cache = tmp / f"cache{i}"
            clean(tree)
            cold.append(scons(tree, target, f"cache={cache}", "-j2"))
            clean(tree)
            warm.append(scons(tree, target, f"cache={cache}", "-j2"))
        hello = tree / "examples" / "hello"
        scons(hello, target, "oci=1")
        oci = hello / "build" / opts.target / "oci"
        size = sum(p.stat().st_size for p in oci.rglob("*") if p.is_file())
        image = next((hello / "build" / opts.target).glob("hello*"))
        examples = len(list((tree / "examples").glob("*/config.py")))
        print(f"{examples} examples, target={opts.target}, -j2, median of {opts.runs} runs")
        print(f"| {'what':<34} | {'value':>10} | {'reference':<22} | {'ratio':>5} |")
        print(f"|{'-' * 36}|{'-' * 12}|{'-' * 24}|{'-' * 7}|")
        c, w = statistics.median(cold), statistics.median(warm)
        print(f"| {'clean build, cold cache':<34} | {c:9.2f}s | {'-':<22} | {'-':>5} |")
        print(f"| {'clean build, warm cache':<34} | {w:9.2f}s | {f'cold {c:.2f} s':<22} | {w / c:5.2f} |")
        print(f"| {'OCI layout of hello (bytes)':<34} | {size:10,} | {f'image {image.stat().st_size:,} B':<22} "
              f"| {size / image.stat().st_size:5.2f} |")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    os.environ.pop("SCONSFLAGS", None)
    main()
