#!/usr/bin/env python3
"""Deep and wide device graphs: `mirage-tools describe` (text and --dot) of a config.py
whose graph has N distinct devices, as a chain of functor applications (each device the
argument of the next) and as a chain of extra_deps. Prints a table of medians, with the
time per thousand devices (the goal: well under a second).

Usage: python bench/graphs.py [--sizes 1000,10000] [--runs 5]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHAPES = {
    "functor chain": '''
t = typ("layer")
x = impl("base", t)
for i in range({n}):
    x = impl(f"d{{i}}", t @ t)(x)
register("deep", [main("unikernel", t @ job)(x)], src=None)
''',
    "extra_deps chain": '''
x = impl("base", console)
for i in range({n}):
    x = impl(f"d{{i}}", console, extra_deps=[x])
register("deep", [main("unikernel", console @ job)(x)], src=None)
''',
}


def run(folder: Path, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mirage_tools.cli", "describe", *args], cwd=folder,
                   check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=5)
    opts = parser.parse_args()
    sizes = [int(s) for s in opts.sizes.split(",")]
    print("| graph | devices | describe | describe --dot | describe per 1000 devices |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for shape, body in SHAPES.items():
            for n in sizes:
                folder = Path(tmp) / f"{shape.replace(' ', '_')}_{n}"
                folder.mkdir()
                (folder / "config.py").write_text("from mirage_tools import *\n" + body.format(n=n))
                text = statistics.median(run(folder) for _ in range(opts.runs))
                dot = statistics.median(run(folder, "--dot") for _ in range(opts.runs))
                print(f"| {shape} | {n + 2} | {text:.2f} s | {dot:.2f} s | {text / (n + 2) * 1000:.3f} s |")


if __name__ == "__main__":
    main()
