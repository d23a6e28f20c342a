"""The hvt tender boots good images: output, exit status, command line, clocks,
yield, heap, CPU exceptions reported by the bindings, the tender's options.
Every test here runs a guest, so every test needs KVM."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from mirage_tools.cmdline import solo5_cmdline
from tests.targets.hvt.hvtbuild import run
from tests.targets.solo5.helpers import ARG_VECTORS, argv, heap, image_end

pytestmark = pytest.mark.usefixtures("kvm")


def test_hello_prints_and_exits_zero(tender: Path, hello: Path) -> None:
    r = run(tender, hello)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Hello from an hvt guest\n")
    assert r.stdout.endswith("Goodbye\n")
    assert r.stderr == ""


@pytest.mark.parametrize("status", [1, 7, 42, 255])
def test_exit_status_is_the_guests(tender: Path, hello: Path, status: int) -> None:
    r = run(tender, hello, f"exit={status}")
    assert r.returncode == status, r.stderr
    assert r.stdout.endswith("Goodbye\n")


def test_abort_exits_255(tender: Path, hello: Path) -> None:
    r = run(tender, hello, "abort")
    assert r.returncode == 255
    assert "Goodbye" not in r.stdout


def test_stack_protector_catches_a_smashed_stack(tender: Path, hello: Path) -> None:
    r = run(tender, hello, "smash")
    assert r.returncode == 255
    assert "stack smashing detected" in r.stdout
    assert "smash survived" not in r.stdout


def test_command_line(tender: Path, hello: Path) -> None:
    r = run(tender, hello, "one", "two  three", "", "--four=4", "--solo5:quiet")
    assert r.returncode == 0, r.stderr
    # Joined by spaces by the tender, split on spaces by the guest, which drops --solo5: args.
    assert argv(r.stdout) == ["unikernel", "one", "two", "three", "--four=4"]
    assert "argc=5\n" in r.stdout


@pytest.mark.parametrize("words", ARG_VECTORS)
def test_quoted_command_line_round_trips(tender: Path, hello: Path, words: list[str]) -> None:
    r = run(tender, hello, solo5_cmdline(words))
    assert r.returncode == 0, r.stderr
    assert argv(r.stdout) == ["unikernel", *words]


def test_longest_command_line(tender: Path, hello: Path) -> None:
    arg = "x" * 8191
    r = run(tender, hello, arg)
    assert r.returncode == 0, r.stderr
    assert f"argv[1]=<{arg}>" in r.stdout


def test_clocks_advance(tender: Path, hello: Path) -> None:
    before = time.time_ns()
    r = run(tender, hello, "clocks")
    after = time.time_ns()
    assert r.returncode == 0, r.stderr
    m0, m1 = map(int, re.search(r"monotonic_ns=(\d+) (\d+)", r.stdout).groups())
    w0, w1 = map(int, re.search(r"wall_ns=(\d+) (\d+)", r.stdout).groups())
    assert 0 <= m0 < 10**9  # counted from boot
    assert 5_000_000 <= m1 - m0 < 10**9  # the guest spun for 5 ms
    assert before - 10**9 <= w0 <= w1 <= after + 10**9
    # The wall clock is the monotonic one plus an offset read once.
    assert abs((w1 - w0) - (m1 - m0)) < 1_000_000


@pytest.mark.parametrize("ms", [30, 200])
def test_yield_sleeps_until_the_deadline(tender: Path, hello: Path, ms: int) -> None:
    t0 = time.monotonic()
    r = run(tender, hello, f"sleep={ms}")
    elapsed = time.monotonic() - t0
    assert r.returncode == 0, r.stderr
    slept, yields, ready = map(int, re.search(r"slept_ns=(\d+) yields=(\d+) ready=(\d+)",
                                              r.stdout).groups())
    assert ms * 10**6 <= slept < ms * 10**6 + 500_000_000
    assert 1 <= yields <= 3  # POLL sleeps on the host; the guest does not spin
    assert ready == 0
    assert elapsed >= ms / 1000


@pytest.mark.parametrize("mib, expect", [(1, 2), (2, 2), (3, 2), (64, 64), (4095, 4094), (4096, 4096)])
def test_memory_is_whole_2mib_pages(tender: Path, hello: Path, mib: int, expect: int) -> None:
    r = run(tender, f"--mem={mib}", hello)
    assert r.returncode == 0, r.stderr
    if mib != expect:  # a note, as solo5-hvt's
        way = "up" if mib < expect else "down"
        assert f"guest memory rounded {way} to {expect} MiB" in r.stderr
    base, size = heap(r.stdout)
    assert base % 4096 == 0 and base >= image_end(hello)
    stack = min(1 << 20, (expect << 20) // 4)
    assert base + size == (expect << 20) - stack


@pytest.mark.parametrize("arg, message", [("--mem=4097", "from 1 to 4096"),
                                          ("--mem=0", "from 1 to 4096")])
def test_bad_memory_sizes_are_refused(tender: Path, hello: Path, arg: str, message: str) -> None:
    r = run(tender, arg, hello)
    assert r.returncode == 1 and message in r.stderr and r.stdout == ""


# --- CPU exceptions: the bindings' IDT reports them, then HALT(255) -------------

@pytest.mark.parametrize("kind, vector, name, address", [
    ("ud2", 6, "#UD", None),
    ("div0", 0, "#DE", None),
    ("rowrite", 14, "#PF", "0x10000"),  # the boot info is read-only to the guest
    ("null", 14, "#PF", "0x0"),
])
def test_cpu_exception_is_reported(tender: Path, hello: Path, kind: str, vector: int, name: str,
                                   address: str | None) -> None:
    r = run(tender, hello, f"fault={kind}")
    assert r.returncode == 255, (r.stdout, r.stderr)
    m = re.search(r"mirage: fatal CPU exception vector (\d+) \((#\w+)[^)]*\), error code (0x[0-9a-f]+), "
                  r"rip (0x[0-9a-f]+), rsp (0x[0-9a-f]+)(?:, address (0x[0-9a-f]+))?\n", r.stdout)
    assert m, r.stdout
    assert int(m.group(1)) == vector and m.group(2) == name
    assert 0x100000 <= int(m.group(4), 16) < 0x200000  # in the image's code
    assert m.group(6) == address
    if kind == "rowrite":
        assert int(m.group(3), 16) & 0x3 == 0x3  # present, write
    assert "survived" not in r.stdout
