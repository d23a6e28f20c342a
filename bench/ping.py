#!/usr/bin/env python3
"""Ping round trip to examples/arp_ping on each target, from a private network namespace
(root needed). Prints min/avg/max of N echo requests per target, next to the real Solo5
figures measured on this machine (docs/benchmarks.md).

Usage: python bench/ping.py [--targets unix,spt,virtio] [--count 50] [--cpu baseline]
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mirage_tools.targets import get_target

ROOT = Path(__file__).resolve().parent.parent
# Real Solo5 v0.12.1 test_net images here, min-max ms (shared/reference/solo5-abi.md).
ANCHOR = {"spt": "0.07-0.1", "hvt": "1.0-1.4", "virtio": "0.26-0.7"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--targets", default="unix,spt,virtio")
    ap.add_argument("--count", type=int, default=50)
    ap.add_argument("--cpu", default="baseline")
    opts = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="mirage-bench-"))
    ns = f"mbench{os.getpid()}"
    rows = []
    try:
        folder = tmp / "arp_ping"
        shutil.copytree(ROOT / "examples" / "arp_ping", folder, ignore=shutil.ignore_patterns("build"))
        subprocess.run(["ip", "netns", "add", ns], check=True)
        for cmd in (["tuntap", "add", "dev", "tap0", "mode", "tap"], ["addr", "add", "10.0.0.1/24", "dev", "tap0"],
                    ["link", "set", "tap0", "up"], ["link", "set", "lo", "up"]):
            subprocess.run(["ip", "-n", ns, *cmd], check=True)
        for name in opts.targets.split(","):
            target = get_target(name)
            subprocess.run([sys.executable, "-m", "SCons", "-Q", f"target={name}", f"cpu={opts.cpu}"], cwd=folder,
                           check=True, stdout=subprocess.DEVNULL)
            build = folder / "build" / name
            tender = str(build / "tender" / target.tender.name) if target.tender else None
            cmd = target.command(str(build / target.image_name("arp_ping")), [], tender, [("net", "service", "tap0")])
            proc = subprocess.Popen(["ip", "netns", "exec", ns, *cmd], stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, start_new_session=True)
            try:
                time.sleep(0.5)
                # warm up ARP, then measure; bounded in count and time
                subprocess.run(["ip", "netns", "exec", ns, "ping", "-c", "2", "-W", "5", "10.0.0.2"],
                               capture_output=True, timeout=30)
                out = subprocess.run(["ip", "netns", "exec", ns, "ping", "-n", "-q", "-c", str(opts.count),
                                      "-i", "0.02", "-W", "2", "10.0.0.2"], capture_output=True, text=True,
                                     timeout=120).stdout
            finally:
                os.killpg(proc.pid, 9)
                proc.wait()
            m = re.search(r"(\d+) received.*?rtt min/avg/max/mdev = ([\d.]+)/([\d.]+)/([\d.]+)", out, re.S)
            rows.append((name, m.group(1) if m else "0", *(m.groups()[1:] if m else ("-", "-", "-"))))
        print(f"examples/arp_ping, ping -c {opts.count} -i 0.02 from a private namespace over a tap device")
        print(f"| {'target':<7} | {'received':>8} | {'min ms':>7} | {'avg ms':>7} | {'max ms':>7} | "
              f"{'Solo5 test_net here':<19} |")
        print(f"|{'-' * 9}|{'-' * 10}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 21}|")
        for name, got, lo, avg, hi in rows:
            print(f"| {name:<7} | {got + '/' + str(opts.count):>8} | {lo:>7} | {avg:>7} | {hi:>7} | "
                  f"{ANCHOR.get(name, '-'):<19} |")
    finally:
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
