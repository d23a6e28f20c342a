"""Malformed images are refused: exit status 1, a message naming the problem,
the guest never started, and never a crash. Each bad image is a good one with
a few bytes patched at offsets that pyelftools finds."""
from __future__ import annotations

import os
import struct
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.targets.solo5.helpers import check_truncated
from tests.targets.spt.sptbuild import HVT_TARGET, run

PF_X, PF_W = 1, 2
PT_NULL = 0
ABI1, MFT1 = 0x31494241, 0x3154464D
MFT_ENTRY = 104


@dataclass
class Seg:
    index: int
    hdr: int  # file offset of this program header
    type: str
    offset: int
    vaddr: int
    filesz: int
    memsz: int
    flags: int
    note: int | None  # type of the first note, for PT_NOTE


class Image:
    """A good image's bytes plus the offsets of what the tests patch."""

    def __init__(self, path: Path) -> None:
        self.data = bytearray(path.read_bytes())
        with open(path, "rb") as f:
            elf = ELFFile(f)
            self.phoff = elf.header["e_phoff"]
            self.phentsize = elf.header["e_phentsize"]
            self.segs: list[Seg] = []
            for i, s in enumerate(elf.iter_segments()):
                note = None
                if s["p_type"] == "PT_NOTE":
                    note = next(iter(s.iter_notes()))["n_type"]
                self.segs.append(Seg(i, self.phoff + i * self.phentsize, s["p_type"], s["p_offset"],
                                     s["p_vaddr"], s["p_filesz"], s["p_memsz"], s["p_flags"], note))

    def seg(self, pred: Callable[[Seg], bool]) -> Seg:
        return next(s for s in self.segs if pred(s))

    @property
    def text(self) -> Seg:
        return self.seg(lambda s: s.type == "PT_LOAD" and bool(s.flags & PF_X))

    @property
    def rodata(self) -> Seg:
        return self.seg(lambda s: s.type == "PT_LOAD" and not s.flags & (PF_X | PF_W))

    @property
    def rw(self) -> Seg:
        return self.seg(lambda s: s.type == "PT_LOAD" and bool(s.flags & PF_W))

    @property
    def abi(self) -> Seg:
        return self.seg(lambda s: s.note == ABI1)

    @property
    def mft(self) -> Seg:
        return self.seg(lambda s: s.note == MFT1)

    def put(self, fmt: str, off: int, value: int) -> None:
        struct.pack_into("<" + fmt, self.data, off, value)

    def get(self, fmt: str, off: int) -> int:
        return struct.unpack_from("<" + fmt, self.data, off)[0]

    # Program header fields.
    def ph(self, seg: Seg, field: str, value: int) -> None:
        fmt, off = {"type": ("I", 0), "flags": ("I", 4), "offset": ("Q", 8), "vaddr": ("Q", 16),
                    "filesz": ("Q", 32), "memsz": ("Q", 40), "align": ("Q", 48)}[field]
        self.put(fmt, seg.hdr + off, value)

    # The manifest inside its note: header at +24, entries at +32.
    def mft_field(self, fmt: str, rel: int, value: int) -> None:
        self.put(fmt, self.mft.offset + 24 + rel, value)

    def entry(self, i: int) -> int:
        return self.mft.offset + 32 + i * MFT_ENTRY


def _merge_notes(img: Image) -> None:
    """The manifest follows the ABI note inside one PT_NOTE: not first any more."""
    abi, mft = img.abi, img.mft
    assert mft.offset >= abi.offset + abi.filesz
    img.ph(abi, "filesz", mft.offset + mft.filesz - abi.offset)
    img.ph(mft, "type", PT_NULL)


def _manifest_second_in_its_segment(img: Image) -> None:
    """The manifest's own PT_NOTE starts at the ABI note instead."""
    abi, mft = img.abi, img.mft
    img.ph(mft, "offset", abi.offset)
    img.ph(mft, "filesz", mft.offset + mft.filesz - abi.offset)


def _bss_only(img: Image, vaddr: int) -> None:
    """The writable segment without file bytes, at vaddr."""
    img.ph(img.rw, "filesz", 0)
    img.ph(img.rw, "vaddr", vaddr)


def _name(img: Image, i: int, name: bytes) -> None:
    img.data[img.entry(i):img.entry(i) + 68] = name.ljust(68, b"\0")


# (id, manifest of the base image, patch, expected message)
CASES: list[tuple[str, str, Callable[[Image], None], str]] = [
    ("not-elf", "EMPTY", lambda i: i.data.__setitem__(slice(0, 4), b"\x7fELG"), "not an ELF file"),
    ("elf32", "EMPTY", lambda i: i.put("B", 4, 1), "not a 64-bit ELF file"),
    ("big-endian", "EMPTY", lambda i: i.put("B", 5, 2), "not a little-endian"),
    ("elf-version", "EMPTY", lambda i: i.put("I", 20, 2), "unknown ELF version"),
    ("shared-object", "EMPTY", lambda i: i.put("H", 16, 3), "not a static executable"),
    ("wrong-machine", "EMPTY", lambda i: i.put("H", 18, 3), "built for machine 3, not x86_64"),
    ("aarch64", "EMPTY", lambda i: i.put("H", 18, 183), "built for machine 183"),
    ("ehsize", "EMPTY", lambda i: i.put("H", 52, 60), "e_ehsize 60"),
    ("phentsize", "EMPTY", lambda i: i.put("H", 54, 32), "e_phentsize 32"),
    ("no-phdrs", "EMPTY", lambda i: i.put("H", 56, 0), "0 program headers"),
    ("many-phdrs", "EMPTY", lambda i: i.put("H", 56, 0xFFFF), "65535 program headers"),
    ("phoff-past-end", "EMPTY", lambda i: i.put("Q", 32, len(i.data) - 10),
     "program header table lies beyond the end of the file"),
    ("phoff-overflow", "EMPTY", lambda i: i.put("Q", 32, 2**64 - 8),
     "program header table lies beyond the end of the file"),
    ("wx-text", "EMPTY", lambda i: i.ph(i.text, "flags", i.text.flags | PF_W),
     "is both writable and executable"),
    ("wx-rodata", "EMPTY", lambda i: i.ph(i.rodata, "flags", 7), "is both writable and executable"),
    ("entry-below", "EMPTY", lambda i: i.put("Q", 24, 0x1000), "entry point 0x1000 outside guest memory"),
    ("entry-zero", "EMPTY", lambda i: i.put("Q", 24, 0), "entry point 0x0 outside guest memory"),
    ("entry-above", "EMPTY", lambda i: i.put("Q", 24, 0x7FFF00000000), "outside guest memory"),
    ("entry-not-code", "EMPTY", lambda i: i.put("Q", 24, i.rodata.vaddr),
     "is not inside an executable segment"),
    ("vaddr-low", "EMPTY", lambda i: i.ph(i.text, "vaddr", 0x10000), "is below 0x100000"),
    ("vaddr-unaligned", "EMPTY", lambda i: i.ph(i.rodata, "vaddr", i.rodata.vaddr + 0x10),
     "is not 4 KiB aligned"),
    ("overlap", "EMPTY", lambda i: i.ph(i.rodata, "vaddr", i.text.vaddr), "overlaps or precedes"),
    ("too-big", "EMPTY", lambda i: i.ph(i.text, "memsz", 1 << 40), "does not fit in guest memory"),
    ("memsz-overflow", "EMPTY", lambda i: i.ph(i.text, "memsz", 2**64 - 4096), "address range overflows"),
    ("vaddr-overflow", "EMPTY", lambda i: i.ph(i.rodata, "vaddr", 2**64 - 4096), "overflows"),
    # A segment without file bytes (bss only) is checked like any other.
    ("bss-overlap", "EMPTY", lambda i: _bss_only(i, i.text.vaddr), "overlaps or precedes"),
    ("bss-unaligned", "EMPTY", lambda i: _bss_only(i, i.rw.vaddr + 0x10), "is not 4 KiB aligned"),
    ("bss-bad-align", "EMPTY", lambda i: (_bss_only(i, i.rw.vaddr), i.ph(i.rw, "align", 0x1800)),
     "is not a power of two"),
    ("filesz-over-memsz", "EMPTY", lambda i: i.ph(i.text, "filesz", i.text.memsz + 1),
     "p_memsz is smaller than p_filesz"),
    ("segment-past-eof", "EMPTY", lambda i: i.ph(i.rodata, "offset", len(i.data) - 16),
     "lie beyond the end of the file"),
    ("segment-offset-overflow", "EMPTY", lambda i: i.ph(i.text, "offset", 2**64 - 16),
     "lie beyond the end of the file"),
    ("bad-align", "EMPTY", lambda i: i.ph(i.text, "align", 0x1800), "is not a power of two"),
    ("missing-abi-note", "EMPTY", lambda i: i.ph(i.abi, "type", PT_NULL), "no Solo5 ABI note found"),
    ("abi-note-renamed", "EMPTY", lambda i: i.put("B", i.abi.offset + 16, ord("6")),
     "no Solo5 ABI note found"),
    ("abi-descsz", "EMPTY", lambda i: i.put("I", i.abi.offset + 4, 8), "ABI note: descriptor size 8"),
    ("abi-overruns-segment", "EMPTY", lambda i: i.ph(i.abi, "filesz", 24), "overruns its PT_NOTE"),
    ("note-past-eof", "EMPTY", lambda i: i.ph(i.abi, "offset", len(i.data) - 8),
     "(PT_NOTE) lies beyond the end of the file"),
    ("note-tiny", "EMPTY", lambda i: i.ph(i.abi, "filesz", 4), "is too small for a note"),
    ("missing-manifest", "EMPTY", lambda i: i.ph(i.mft, "type", PT_NULL), "no Solo5 manifest note found"),
    ("manifest-not-first", "EMPTY", _merge_notes, "no Solo5 manifest note found"),
    ("manifest-second-in-segment", "EMPTY", _manifest_second_in_its_segment,
     "no Solo5 manifest note found"),
    ("manifest-65-entries", "EMPTY", lambda i: i.mft_field("I", 4, 65),
     "manifest has 65 entries, at most 64 are allowed"),
    ("manifest-huge-count", "EMPTY", lambda i: i.mft_field("I", 4, 0xFFFFFFFF), "at most 64"),
    ("manifest-no-entries", "EMPTY", lambda i: i.mft_field("I", 4, 0), "manifest has no entries"),
    ("manifest-count-mismatch", "EMPTY", lambda i: i.mft_field("I", 4, 2), "does not match its 2 entries"),
    ("manifest-version", "EMPTY", lambda i: i.mft_field("I", 0, 2), "manifest version 2, expected 1"),
    ("manifest-descsz-huge", "EMPTY", lambda i: i.put("I", i.mft.offset + 4, 100000),
     "manifest note: descriptor size 100000"),
    ("manifest-descsz-short", "EMPTY", lambda i: i.put("I", i.mft.offset + 4, 8),
     "manifest note: descriptor size 8"),
    ("entry0-not-reserved", "EMPTY", lambda i: i.put("I", i.entry(0) + 68, 1),
     "entry 0 is not the reserved first entry"),
    ("entry0-named", "EMPTY", lambda i: _name(i, 0, b"x"), "entry 0 is not the reserved first entry"),
    ("attached", "BLOCK", lambda i: i.put("B", i.entry(1) + 96, 1), "entry 1: marked attached"),
    ("name-unterminated", "BLOCK", lambda i: _name(i, 1, b"A" * 68), "name is not NUL-terminated"),
    ("name-empty", "BLOCK", lambda i: _name(i, 1, b""), "entry 1: invalid name"),
    ("name-punctuation", "BLOCK", lambda i: _name(i, 1, b"my-disk"), "entry 1: invalid name"),
    ("type-unknown", "BLOCK", lambda i: i.put("I", i.entry(1) + 68, 7), "invalid type 0x7"),
    ("type-reserved-later", "BLOCK", lambda i: i.put("I", i.entry(1) + 68, 0x40000000), "invalid type"),
    ("names-duplicate", "DEVICES", lambda i: _name(i, 2, b"disk"), "share the name 'disk'"),
]


@pytest.mark.parametrize("manifest, patch, message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_image_is_refused(tender: Path, guest, tmp_path: Path,  # type: ignore[no-untyped-def]
                                    manifest: str, patch: Callable[[Image], None], message: str) -> None:
    img = Image(guest("hello", manifest=manifest))
    patch(img)
    bad = tmp_path / "bad.spt"
    bad.write_bytes(bytes(img.data))
    r = run(tender, bad)
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert r.stderr.startswith(f"mirage-spt: {bad}: "), r.stderr
    assert message in r.stderr, r.stderr
    assert r.stdout == ""


@pytest.mark.parametrize("size, message", [
    (0, "too short for an ELF header"),
    (40, "too short for an ELF header"),
    (64 + 30, "program header table lies beyond the end of the file"),
])
def test_truncated_headers_are_refused(tender: Path, hello: Path, tmp_path: Path, size: int,
                                       message: str) -> None:
    bad = tmp_path / "short.spt"
    bad.write_bytes(hello.read_bytes()[:size])
    r = run(tender, bad)
    assert r.returncode == 1
    assert message in r.stderr


def test_truncated_contents_are_refused(tender: Path, hello: Path, tmp_path: Path) -> None:
    img = Image(hello)
    for cut in (img.text.offset + 100, img.abi.offset + 30, img.rodata.offset + img.rodata.filesz - 1):
        bad = tmp_path / f"cut{cut}.spt"
        bad.write_bytes(bytes(img.data[:cut]))
        r = run(tender, bad)
        assert r.returncode == 1, (cut, r.stderr)
        assert "beyond the end of the file" in r.stderr
        assert r.stdout == ""


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_truncation_runs_or_is_refused(tender: Path, hello: Path, tmp_path: Path,
                                           data: st.DataObject) -> None:
    cut = data.draw(st.integers(min_value=0, max_value=hello.stat().st_size))
    check_truncated(run, tender, hello, tmp_path, cut, "mirage-spt")


def test_hvt_image_is_refused(tender: Path, guest) -> None:  # type: ignore[no-untyped-def]
    image = guest("hello", target=HVT_TARGET)
    r = run(tender, image)
    assert r.returncode == 1
    assert "built for the Solo5 hvt target (ABI target 1), not spt" in r.stderr
    assert r.stdout == ""


def test_newer_abi_version_is_refused(tender: Path, guest) -> None:  # type: ignore[no-untyped-def]
    r = run(tender, guest("hello", version=3))
    assert r.returncode == 1
    assert "requests spt ABI version 3, this tender speaks version 2" in r.stderr


def test_host_executable_is_refused(tender: Path) -> None:
    r = run(tender, "/bin/true")
    assert r.returncode == 1
    assert "invalid executable" in r.stderr or "no Solo5 ABI note" in r.stderr


def test_fifo_image_is_refused_without_blocking(tender: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "image.spt"
    os.mkfifo(fifo)
    r = run(tender, fifo, timeout=10)  # a blocking open() would never return
    assert r.returncode == 1
    assert f"{fifo}: not a regular file" in r.stderr


# Linux carries the pre-exec process's high-water mark into ru_maxrss, so a
# child forked from pytest (hundreds of MiB by then) would report pytest's size.
# A fresh, small interpreter forks the command instead.
_MEASURE = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
err = proc.stderr.read()
_, status, usage = os.wait4(proc.pid, 0)
sys.stdout.write(f"{usage.ru_maxrss} {os.waitstatus_to_exitcode(status)} ")
sys.stdout.buffer.write(err)
"""


def peak_rss_kib(cmd: list[str]) -> tuple[int, str]:
    """Run cmd; its peak resident size (KiB) and "STATUS STDERR"."""
    out = subprocess.run(
        [sys.executable, "-I", "-S", "-c", _MEASURE, *cmd],
        capture_output=True, text=True, check=True, timeout=120,
    ).stdout
    rss, how = out.split(" ", 1)
    return int(rss), how


def test_peak_rss_is_the_commands_own() -> None:
    """The measure is not the parent's: /bin/true stays small under a 256 MiB pytest."""
    ballast = bytearray(256 << 20)
    ballast[::4096] = b"\1" * len(range(0, len(ballast), 4096))
    rss, how = peak_rss_kib(["/bin/true"])
    assert how == "0 ", how
    assert rss < 64 << 10, f"peak RSS {rss} KiB"
    del ballast


def check_bss_is_not_committed(tender: Path, hello: Path, tmp_path: Path) -> None:
    """A 512 MiB bss is left to the zeroed anonymous mapping, not written at load."""
    img = Image(hello)
    img.ph(img.rw, "memsz", 512 << 20)
    big = tmp_path / f"bigbss{hello.suffix}"
    big.write_bytes(bytes(img.data))
    rss, how = peak_rss_kib([str(tender), "--mem=1024", str(big)])
    assert how.startswith("0 "), how
    assert rss < 128 << 10, f"peak RSS {rss} KiB"


def test_bss_is_not_committed(tender: Path, hello: Path, tmp_path: Path) -> None:
    check_bss_is_not_committed(tender, hello, tmp_path)
