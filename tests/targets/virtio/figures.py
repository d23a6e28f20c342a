"""Figures of the virtio target on this machine, for the report and the docs:

    python -m tests.targets.virtio.figures

- stripped image sizes (tiny: one console line; hello: the test guest with the
  libc's formatted printing), anchor: Solo5 test_hello.virtio 79,120 bytes;
- boot to exit under QEMU TCG, median of 10 (anchor 148 ms);
- ping round trip to the ARP/ICMP guest over a tap device in a private
  network namespace (anchor 0.26-0.7 ms; needs root).
"""
from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from tests.targets.virtio import virtiobuild


def stripped_size(image: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / image.name
        subprocess.run(["strip", "-o", str(out), str(image)], check=True)
        return out.stat().st_size


def boot_ms(image: Path, runs: int = 10) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = virtiobuild.run(image)
        times.append((time.perf_counter() - t0) * 1000)
        assert r.returncode == 1, r
    return times


def ping_rtt(count: int = 20) -> str:
    ns = f"mirage-virtio-fig-{uuid.uuid4().hex[:8]}"
    image = virtiobuild.build_guest("ping", manifest="NET")
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        for args in (["link", "set", "lo", "up"], ["tuntap", "add", "dev", "tap0", "mode", "tap"],
                     ["addr", "add", "10.77.0.1/24", "dev", "tap0"], ["link", "set", "tap0", "up"]):
            subprocess.run(["ip", "-n", ns, *args], check=True)
        cmd = ["ip", "netns", "exec", ns, *virtiobuild.qemu_command(
            image, ["ip=10.77.0.2", f"count={count}", "timeout=60"],
            extra=["-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no",
                   "-device", "virtio-net,netdev=n0"])]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        assert proc.stdout is not None
        for line in proc.stdout:
            if line == "ready\n":
                break
        out = subprocess.run(["ip", "netns", "exec", ns, "ping", "-n", "-c", str(count), "-i", "0.2",
                              "10.77.0.2"], capture_output=True, text=True).stdout
        proc.communicate(timeout=60)
        m = re.search(r"rtt min/avg/max/mdev = (\S+) ms", out)
        return m.group(1) if m else out
    finally:
        subprocess.run(["ip", "netns", "del", ns], check=False)


def main() -> None:
    tiny = virtiobuild.build_guest("tiny")
    hello = virtiobuild.build_guest("hello")
    print(f"stripped size: tiny.virtio {stripped_size(tiny):,} bytes, "
          f"hello.virtio {stripped_size(hello):,} bytes (Solo5 test_hello.virtio: 79,120)")
    times = boot_ms(tiny)
    print(f"boot to exit (tiny, QEMU TCG, 10 runs): median {statistics.median(times):.0f} ms, "
          f"min {min(times):.0f} ms, max {max(times):.0f} ms (Solo5: 148 ms)")
    if shutil.which("ping") and shutil.which("ip"):
        print(f"ping rtt min/avg/max/mdev: {ping_rtt()} ms (Solo5 virtio: 0.26-0.7 ms)")


if __name__ == "__main__":
    main()
