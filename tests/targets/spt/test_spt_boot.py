"""The spt tender boots good images: output, exit status, command line, clocks,
yield, memory layout, the tender's own options, and the image's ELF layout."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

from mirage_tools.cmdline import solo5_cmdline
from tests.targets.solo5.helpers import ARG_VECTORS, argv, heap, image_end
from tests.targets.spt.sptbuild import run

SOLO5_NOTE_TYPES = {0x31494241: "ABI1", 0x3154464D: "MFT1"}


def test_hello_prints_and_exits_zero(tender: Path, hello: Path) -> None:
    r = run(tender, hello)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Hello from an spt guest\n")
    assert r.stdout.endswith("Goodbye\n")
    assert r.stderr == ""


@pytest.mark.parametrize("status", [0, 1, 7, 42, 254, 255])
def test_exit_status_is_the_guests(tender: Path, hello: Path, status: int) -> None:
    assert run(tender, hello, f"exit={status}").returncode == status


def test_abort_exits_255(tender: Path, hello: Path) -> None:
    r = run(tender, hello, "abort")
    assert r.returncode == 255
    assert "Goodbye" not in r.stdout


def test_stack_protector_catches_a_smashed_stack(tender: Path, hello: Path) -> None:
    r = run(tender, hello, "smash")
    assert r.returncode == 255
    assert "stack smashing detected" in r.stdout
    assert "smash survived" not in r.stdout


def test_command_line_reaches_the_guest(tender: Path, hello: Path) -> None:
    r = run(tender, hello, "one", "two", "--three=3")
    assert r.returncode == 0, r.stderr
    assert argv(r.stdout) == ["unikernel", "one", "two", "--three=3"]
    assert "argc=4\n" in r.stdout


def test_command_line_is_split_on_spaces(tender: Path, hello: Path) -> None:
    # ARGS are joined by single spaces, then the guest splits on spaces.
    r = run(tender, hello, "a b", "", "c")
    assert argv(r.stdout) == ["unikernel", "a", "b", "c"]


@pytest.mark.parametrize("words", ARG_VECTORS)
def test_quoted_command_line_round_trips(tender: Path, hello: Path, words: list[str]) -> None:
    r = run(tender, hello, solo5_cmdline(words))
    assert r.returncode == 0, r.stderr
    assert argv(r.stdout) == ["unikernel", *words]


def test_solo5_arguments_are_dropped_by_the_guest(tender: Path, hello: Path) -> None:
    r = run(tender, hello, "--solo5:quiet", "x")
    assert argv(r.stdout) == ["unikernel", "x"]


def test_double_dash_ends_tender_options(tender: Path, hello: Path) -> None:
    r = run(tender, "--mem=16", "--", hello, "--mem=32")
    assert r.returncode == 0, r.stderr
    assert argv(r.stdout) == ["unikernel", "--mem=32"]


def test_longest_command_line(tender: Path, hello: Path) -> None:
    arg = "x" * 8191
    r = run(tender, hello, arg)
    assert r.returncode == 0, r.stderr
    assert argv(r.stdout) == ["unikernel", arg]


def test_too_long_command_line_is_refused(tender: Path, hello: Path) -> None:
    r = run(tender, hello, "x" * 4096, "y" * 4095)  # 8192 characters with the space
    assert r.returncode == 1
    assert "command line too long" in r.stderr
    assert r.stdout == ""


def test_clocks(tender: Path, hello: Path) -> None:
    before = time.time_ns()
    r = run(tender, hello, "clocks")
    after = time.time_ns()
    wall = int(re.search(r"wall_ns=(\d+)", r.stdout).group(1))
    mono = int(re.search(r"monotonic_ns=(\d+)", r.stdout).group(1))
    assert before - 10**9 <= wall <= after + 10**9
    assert 0 < mono <= time.monotonic_ns()


def test_yield_waits_until_the_deadline(tender: Path, hello: Path) -> None:
    r = run(tender, hello, "sleep=50")
    assert r.returncode == 0, r.stderr
    m = re.search(r"slept_ns=(\d+) yields=(\d+) ready=(\d+)", r.stdout)
    assert m, r.stdout
    slept, yields, ready = map(int, m.groups())
    assert 50_000_000 <= slept < 2_000_000_000
    assert 1 <= yields <= 5  # the timer wakes the guest, it does not spin
    assert ready == 0


@pytest.mark.parametrize("mib", [2, 3, 4, 64, 512, 2048])
def test_heap_spans_image_end_to_stack(tender: Path, hello: Path, mib: int) -> None:
    r = run(tender, f"--mem={mib}", hello)
    assert r.returncode == 0, r.stderr
    base, size = heap(r.stdout)
    assert base % 4096 == 0 and base >= image_end(hello)
    stack = min(1 << 20, (mib << 20) // 4)  # 1 MiB, less in a tiny guest
    assert base + size == (mib << 20) - stack


@pytest.mark.parametrize("arg", ["--mem=0", "--mem=1", "--mem=", "--mem=12x", "--mem=-5",
                                 "--mem=99999999", "--mem=18446744073709551617"])
def test_bad_memory_sizes_are_refused(tender: Path, hello: Path, arg: str) -> None:
    r = run(tender, arg, hello)
    assert r.returncode == 1
    assert r.stderr.startswith("mirage-spt: ")
    assert "mem" in r.stderr
    assert r.stdout == ""
    if arg in ("--mem=0", "--mem=1", "--mem=99999999"):  # the range it states is the one it takes
        assert r.stderr == f"mirage-spt: {arg}: memory is a number of MiB from 2 to 65536\n"


def test_help(tender: Path) -> None:
    r = run(tender, "--help")
    assert r.returncode == 1  # as solo5-spt: --help is not a run
    assert r.stdout == ""
    assert r.stderr.startswith("usage: mirage-spt [OPTIONS] [--] KERNEL [ARGS...]")
    for opt in ("--mem=", "--block:", "--block-sector-size:", "--net:", "--net-mac:"):
        assert opt in r.stderr


def test_version(tender: Path) -> None:
    r = run(tender, "--version")
    assert r.returncode == 0
    assert "spt ABI version 2" in r.stdout


@pytest.mark.parametrize("args, message", [
    ((), "missing KERNEL operand"),
    (("--mem=16",), "missing KERNEL operand"),
    (("--frobnicate", "x"), "unknown option '--frobnicate'"),
    (("-x", "x"), "unknown option '-x'"),
    (("/nonexistent/image.spt",), "/nonexistent/image.spt: cannot open"),
    (("/",), "/: not a regular file"),
])
def test_usage_errors(tender: Path, args: tuple[str, ...], message: str) -> None:
    r = run(tender, *args)
    assert r.returncode == 1
    assert r.stderr.startswith("mirage-spt: ")
    assert message in r.stderr


# --- the image's layout, as pyelftools reads it ---------------------------------

def test_image_layout(hello: Path) -> None:
    with open(hello, "rb") as f:
        elf = ELFFile(f)
        assert elf.header["e_type"] == "ET_EXEC"
        assert elf.header["e_machine"] == "EM_X86_64"
        assert elf.elfclass == 64 and elf.little_endian
        loads = [s for s in elf.iter_segments() if s["p_type"] == "PT_LOAD"]
        assert min(s["p_vaddr"] for s in loads) == 0x100000
        last_end = 0
        for s in loads:
            assert s["p_align"] == 0x1000
            assert s["p_vaddr"] % 0x1000 == 0
            assert s["p_vaddr"] >= last_end
            last_end = s["p_vaddr"] + s["p_memsz"]
            assert not (s["p_flags"] & 2 and s["p_flags"] & 1), "W+X segment"
        text = [s for s in loads if s["p_flags"] & 1]
        assert len(text) == 1
        assert text[0]["p_vaddr"] <= elf.header["e_entry"] < text[0]["p_vaddr"] + text[0]["p_memsz"]
        assert elf.get_section_by_name(".note.gnu.build-id") is None


def test_each_solo5_note_is_alone_first_in_its_pt_note(hello: Path) -> None:
    with open(hello, "rb") as f:
        elf = ELFFile(f)
        found = {}
        for seg in elf.iter_segments():
            if seg["p_type"] != "PT_NOTE":
                continue
            notes = list(seg.iter_notes())
            assert len(notes) == 1, "a Solo5 note shares its PT_NOTE"
            n = notes[0]
            assert n["n_name"] == "Solo5" and n["n_namesz"] == 6
            assert n["n_offset"] == seg["p_offset"]
            kind = SOLO5_NOTE_TYPES[n["n_type"]]  # unknown types come back as ints
            found[kind] = (n, seg)
        assert set(found) == {"ABI1", "MFT1"}

        abi, _ = found["ABI1"]
        assert abi["n_descsz"] == 16
        desc = abi["n_descdata"]
        assert int.from_bytes(desc[0:4], "little") == 2  # spt
        assert int.from_bytes(desc[4:8], "little") == 2  # ABI version

        mft, seg = found["MFT1"]
        assert mft["n_descsz"] == 4 + 8 + 1 * 104
        f.seek(seg["p_offset"] + 24)
        raw = f.read(8 + 104)
        assert int.from_bytes(raw[0:4], "little") == 1  # manifest version
        assert int.from_bytes(raw[4:8], "little") == 1  # entries
        assert int.from_bytes(raw[8 + 68:8 + 72], "little") == 0x40000000  # reserved first
        assert seg["p_align"] == 4
