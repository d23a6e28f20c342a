"""virtio images booted under QEMU (TCG): console, exit status, command line,
clocks, memory and fatal faults."""
from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest

from mirage_tools.cmdline import solo5_cmdline
from tests.targets.solo5.helpers import ARG_VECTORS
from tests.targets.virtio import virtiobuild

pytestmark = pytest.mark.usefixtures("qemu")


def test_hello_prints_and_exits_zero(hello: Path) -> None:
    r = virtiobuild.run(hello)
    assert r.stdout.startswith("Hello from a virtio guest\nargc=1\nargv[0]=<unikernel>\n")
    assert r.stdout.endswith("Goodbye\n")
    assert r.returncode == 1 and virtiobuild.guest_status(r.returncode) == 0
    assert r.stderr == ""  # the bindings print nothing of their own


@pytest.mark.parametrize("status", [1, 7, 42, 64, 127])
def test_exit_status_reaches_the_host(hello: Path, status: int) -> None:
    r = virtiobuild.run(hello, f"exit={status}")
    assert "Goodbye\n" in r.stdout
    assert r.returncode == (status << 1) | 1
    assert virtiobuild.guest_status(r.returncode) == status


def test_abort_is_255(hello: Path) -> None:
    r = virtiobuild.run(hello, "abort")
    assert "Goodbye" not in r.stdout and r.returncode == 255


def test_command_line(hello: Path) -> None:
    r = virtiobuild.run(hello, "one", " two", "--solo5:quiet", "--hello=Bonjour", "--solo5:debug", "x=y")
    args = re.findall(r"argv\[\d+\]=<(.*)>", r.stdout)
    assert args == ["unikernel", "one", "two", "--hello=Bonjour", "x=y"]
    assert "argc=5\n" in r.stdout and "not NULL-terminated" not in r.stdout


@pytest.mark.parametrize("words", ARG_VECTORS)
def test_quoted_command_line_round_trips(hello: Path, words: list[str]) -> None:
    r = virtiobuild.run(hello, solo5_cmdline(words))
    assert re.findall(r"argv\[\d+\]=<(.*)>", r.stdout) == ["unikernel", *words]


def test_kernel_path_with_no_arguments(hello: Path, tmp_path: Path) -> None:
    """The first token of the Multiboot command line (the kernel path) never reaches argv."""
    image = tmp_path / "k.virtio"
    image.write_bytes(hello.read_bytes())
    r = virtiobuild.run(image)
    assert "argc=1\n" in r.stdout and "k.virtio" not in r.stdout


def test_clocks(hello: Path) -> None:
    before = time.time_ns()
    r = virtiobuild.run(hello, "clocks", "sleep=300", "clocks")
    after = time.time_ns()
    mono = [int(v) for v in re.findall(r"monotonic_ns=(\d+)", r.stdout)]
    wall = [int(v) for v in re.findall(r"wall_ns=(\d+)", r.stdout)]
    slept = int(re.search(r"slept_ns=(\d+)", r.stdout).group(1))
    # Lower bounds are exact; upper ones leave room for a busy host descheduling QEMU.
    assert 300e6 <= slept < 1300e6
    assert slept <= mono[1] - mono[0] < 1400e6
    assert slept <= wall[1] - wall[0] < 1400e6
    # The RTC has 1 s resolution: the guest's wall clock is within a second of ours.
    assert before - 1.5e9 <= wall[0] <= after + 1e9
    assert "ready=0" in r.stdout  # no device, nothing ever ready


def _timed_marks(image: Path, sleep_ms: int) -> float:
    """Host seconds between the guest's "mark a" and "mark b" around a sleep."""
    cmd = virtiobuild.qemu_command(image, ["mark=a", f"sleep={sleep_ms}", "mark=b"])
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True, bufsize=1)
    stamps = {}
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("mark "):
                stamps[line.split()[1]] = time.monotonic()
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == 1
    return stamps["b"] - stamps["a"]


def test_clock_rate_matches_host_time(hello: Path) -> None:
    """The host times the console lines around a 1 s guest sleep: the TSC
    calibration makes the guest's second a real one (within 2 %; typically
    0.1 %). The host timestamps suffer when this machine is busy, so the
    best of three boots counts."""
    gaps = []
    for _ in range(3):
        gaps.append(_timed_marks(hello, 1000))
        if abs(gaps[-1] - 1.0) <= 0.02:
            break
    assert min(abs(g - 1.0) for g in gaps) <= 0.02, gaps


def test_heap(hello: Path) -> None:
    r = virtiobuild.run(hello, "malloc")
    assert "malloc ok total=4194304 big=yes" in r.stdout


def test_heap_follows_memory_size(hello: Path) -> None:
    r = virtiobuild.run(hello, "malloc", mem_mib=16)
    assert "malloc ok total=4194304 big=yes" in r.stdout
    r = virtiobuild.run(hello, "malloc", mem_mib=8)
    assert "malloc ok total=4194304 big=no" in r.stdout


def test_stack_protector(hello: Path) -> None:
    r = virtiobuild.run(hello, "smash")
    assert "stack smashing detected" in r.stdout and "survived" not in r.stdout
    assert r.returncode == 255


@pytest.mark.parametrize("what,vector,name,cr2", [
    ("null", 14, "#PF page fault", "0x18"),
    ("far", 14, "#PF page fault", "0x7654321000"),
    ("ud2", 6, "#UD invalid opcode", None),
])
def test_fault_is_reported(hello: Path, what: str, vector: int, name: str, cr2: str | None) -> None:
    r = virtiobuild.run(hello, what)
    m = re.search(r"virtio: fatal exception: vector (\d+) \((.*?)\) error=(0x[0-9a-f]+) "
                  r"rip=(0x[0-9a-f]+) cr2=(0x[0-9a-f]+)", r.stdout)
    assert m, r.stdout
    assert int(m.group(1)) == vector and m.group(2) == name
    assert 0x100000 <= int(m.group(4), 16) < 0x200000  # inside the image's text
    if cr2 is not None:
        assert m.group(5) == cr2
    assert "survived" not in r.stdout and "Goodbye" not in r.stdout
    assert r.returncode == 255  # abort status: ((255 << 1) | 1) & 0xFF


def test_boot_time_is_reasonable(hello: Path) -> None:
    t0 = time.monotonic()
    r = virtiobuild.run(hello)
    assert r.returncode == 1
    assert time.monotonic() - t0 < 5  # ~0.15 s here; generous for loaded CI machines
