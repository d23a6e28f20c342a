#!/usr/bin/env python3
"""Build-time figures for examples/hello on one target: clean build, no-op rebuild, and
the rebuild after editing one runtime .c file. Prints a table of medians.

References: the clean build is compared with compiling and linking the same files by
hand with the same compiler flags, one `cc` per file (the floor any build tool pays);
the rebuilds are compared with the goals of the core issue (0.5 s and 1 s).

Usage: python bench/build_times.py [--target unix] [--runs 5]
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COPY = ("mirage_tools", "runtime_c", "targets", "site_scons", "examples")


def scons(folder: Path, env: dict[str, str], *args: str) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "SCons", "-Q", *args], cwd=folder, env=env,
                         capture_output=True, text=True, check=True)
    return time.perf_counter() - start, out.stdout


def by_hand(folder: Path, env: dict[str, str], target: str) -> float:
    """Run the compile and link commands scons used, one by one, without scons."""
    subprocess.run([sys.executable, "-m", "SCons", "-Q", f"target={target}", "compiledb=1"], cwd=folder,
                   env=env, capture_output=True, check=True)
    db = json.loads((folder / f"build/{target}/compile_commands.json").read_text())
    verbose = subprocess.run([sys.executable, "-m", "SCons", "-Q", "-n", f"target={target}", "VERBOSE=1",
                              "--always-build"], cwd=folder, env=env, capture_output=True, text=True).stdout
    link = [line for line in verbose.splitlines() if line.startswith(("gcc -o", "cc -o", "ld "))]
    start = time.perf_counter()
    for entry in db:
        subprocess.run(entry["command"], shell=True, cwd=entry["directory"], check=True)
    for line in link:
        subprocess.run(shlex.split(line), cwd=folder, check=True)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--target", default="unix")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--example", default="hello")
    opts = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="mirage-bench-"))
    try:
        for name in COPY:  # a private copy, so editing a runtime file touches nothing real
            shutil.copytree(ROOT / name, tmp / name, ignore=shutil.ignore_patterns("build", "__pycache__",
                                                                                   ".sconsign.dblite"))
        env = dict(os.environ, PYTHONPATH=str(tmp))
        # Python caches compiled modules for users; some sandboxes turn that off.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        folder = tmp / "examples" / opts.example
        tgt = f"target={opts.target}"
        rows = []

        def clean() -> None:
            shutil.rmtree(folder / "build", ignore_errors=True)
            (folder / ".sconsign.dblite").unlink(missing_ok=True)

        for jobs in ("-j1", "-j2"):
            times = []
            for _ in range(opts.runs):
                clean()
                times.append(scons(folder, env, tgt, jobs)[0])
            rows.append((f"clean build ({jobs})", times))
        hand = statistics.median(by_hand(folder, env, opts.target) for _ in range(opts.runs))
        scons(folder, env, tgt)
        rows.append(("no-op rebuild", [scons(folder, env, tgt)[0] for _ in range(opts.runs * 2)]))
        loop_c = tmp / "runtime_c/core/loop.c"
        original = loop_c.read_text()
        times = []
        for i in range(opts.runs):
            loop_c.write_text(original + f"\nint mirage_bench_edit_{i}(void);\nint mirage_bench_edit_{i}(void) "
                              f"{{ return {i}; }}\n")
            elapsed, out = scons(folder, env, tgt)
            built = [line for line in out.splitlines() if line.startswith(("CC ", "LINK "))]
            assert len(built) == 2, built  # one compile and one link, nothing else
            times.append(elapsed)
        rows.append(("edit one runtime .c", times))
        refs = {"clean build (-j1)": ("cc by hand", hand), "clean build (-j2)": ("cc by hand", hand),
                "no-op rebuild": ("goal", 0.5), "edit one runtime .c": ("goal", 1.0)}
        print(f"examples/{opts.example}, target={opts.target}, median of {opts.runs} runs "
              f"({opts.runs * 2} for no-op)")
        print(f"| {'what':<22} | {'median s':>8} | {'reference':<18} | {'ratio':>5} |")
        print(f"|{'-' * 24}|{'-' * 10}|{'-' * 20}|{'-' * 7}|")
        for what, times in rows:
            med = statistics.median(times)
            ref_name, ref = refs[what]
            print(f"| {what:<22} | {med:8.3f} | {ref_name + f' {ref:.3f} s':<18} | {med / ref:5.2f} |")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
