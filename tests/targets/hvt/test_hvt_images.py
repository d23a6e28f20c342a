"""What the hvt tender refuses before any guest runs, and the images' own
properties. None of these need KVM: the tender checks its command line, the
ELF image, its notes and devices before it opens /dev/kvm.

Malformed images reuse the spt tests' cases (the ELF loader is shared): a good
hvt image with a few bytes patched at offsets pyelftools finds."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.targets.hvt.hvtbuild import SPT_TARGET, kvm_unusable, run
from tests.targets.solo5.helpers import check_truncated
from tests.targets.spt import sptbuild
from tests.targets.spt.test_spt_images import CASES, Image, check_bss_is_not_committed


def _refused(r: subprocess.CompletedProcess[str], image: Path, message: str) -> None:
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert r.stderr.startswith(f"mirage-hvt: {image}: "), r.stderr
    assert message in r.stderr, r.stderr
    assert r.stdout == ""


@pytest.mark.parametrize("manifest, patch, message", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_malformed_image_is_refused(tender: Path, guest, tmp_path: Path,  # type: ignore[no-untyped-def]
                                    manifest: str, patch: Callable[[Image], None], message: str) -> None:
    img = Image(guest("hello", manifest=manifest))
    patch(img)
    bad = tmp_path / "bad.hvt"
    bad.write_bytes(bytes(img.data))
    _refused(run(tender, bad), bad, message)


def test_truncated_contents_are_refused(tender: Path, hello: Path, tmp_path: Path) -> None:
    img = Image(hello)
    for cut in (0, 40, 64 + 30, img.text.offset + 100, img.abi.offset + 30,
                img.rodata.offset + img.rodata.filesz - 1):
        bad = tmp_path / f"cut{cut}.hvt"
        bad.write_bytes(bytes(img.data[:cut]))
        r = run(tender, bad)
        assert r.returncode == 1, (cut, r.stderr)
        assert "too short for an ELF header" in r.stderr or "beyond the end of the file" in r.stderr
        assert r.stdout == ""


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_truncation_runs_or_is_refused(tender: Path, hello: Path, tmp_path: Path,
                                           data: st.DataObject) -> None:
    # A runnable image needs KVM to run; without it the tender says so (status 1).
    cut = data.draw(st.integers(min_value=0, max_value=hello.stat().st_size))
    check_truncated(run, tender, hello, tmp_path, cut, "mirage-hvt")


def test_fifo_image_is_refused_without_blocking(tender: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "image.hvt"
    os.mkfifo(fifo)
    _refused(run(tender, fifo, timeout=10), fifo, "not a regular file")  # open() must not block


@pytest.mark.usefixtures("kvm")
def test_bss_is_not_committed(tender: Path, hello: Path, tmp_path: Path) -> None:
    check_bss_is_not_committed(tender, hello, tmp_path)


def test_spt_image_is_refused(tender: Path) -> None:
    image = sptbuild.build_guest("hello")
    _refused(run(tender, image), image, "built for the Solo5 spt target (ABI target 2), not hvt")


def test_hvt_image_with_spt_note_is_refused(tender: Path, guest) -> None:  # type: ignore[no-untyped-def]
    image = guest("hello", target=SPT_TARGET)
    _refused(run(tender, image), image, "built for the Solo5 spt target (ABI target 2), not hvt")


def test_newer_abi_version_is_refused(tender: Path, guest) -> None:  # type: ignore[no-untyped-def]
    image = guest("hello", version=3)
    _refused(run(tender, image), image, "requests hvt ABI version 3, this tender speaks version 2")


def test_host_executable_is_refused(tender: Path) -> None:
    r = run(tender, "/bin/true")
    assert r.returncode == 1
    assert "invalid executable" in r.stderr or "no Solo5 ABI note" in r.stderr


@pytest.mark.parametrize("args, message", [
    ((), "missing KERNEL operand"),
    (("--frobnicate", "x"), "unknown option '--frobnicate'"),
    (("/nonexistent/image.hvt",), "/nonexistent/image.hvt: cannot open"),
])
def test_usage_errors(tender: Path, args: tuple[str, ...], message: str) -> None:
    r = run(tender, *args)
    assert r.returncode == 1
    assert r.stderr.startswith("mirage-hvt: ") and message in r.stderr


def test_help_and_version(tender: Path) -> None:
    r = run(tender, "--help")
    assert r.returncode == 1 and r.stdout == ""  # as solo5-hvt
    assert r.stderr.startswith("usage: mirage-hvt [OPTIONS] [--] KERNEL [ARGS...]")
    r = run(tender, "--version")
    assert r.returncode == 0 and "hvt ABI version 2" in r.stdout


def test_missing_kvm_is_a_clear_error(tender: Path, hello: Path) -> None:
    """In a mount namespace with an empty /dev, the tender says what is missing."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare(1) to hide /dev/kvm")
    r = subprocess.run(["unshare", "--mount", "sh", "-c",
                        'mount -t tmpfs none /dev && exec "$0" "$1"', str(tender), str(hello)],
                       capture_output=True, text=True, timeout=20)
    if "mirage-hvt" not in r.stderr:
        pytest.skip(f"cannot hide /dev/kvm here: {r.stderr.strip()}")
    assert r.returncode == 1
    assert r.stderr.startswith("mirage-hvt: cannot open /dev/kvm"), r.stderr
    assert "No such file or directory" in r.stderr
    assert r.stdout == ""


def test_tender_reports_kvm_like_the_probe(tender: Path, hello: Path) -> None:
    """The tests' own KVM probe and the tender agree on whether KVM works."""
    r = run(tender, hello)
    if kvm_unusable():
        assert r.returncode == 1 and "/dev/kvm" in r.stderr
    else:
        assert r.returncode == 0, r.stderr


# --- the images -------------------------------------------------------------------

def test_hvt_abi_note_and_segments(hello: Path) -> None:
    with open(hello, "rb") as f:
        elf = ELFFile(f)
        assert elf.header["e_type"] == "ET_EXEC" and elf.header["e_machine"] == "EM_X86_64"
        for seg in elf.iter_segments():
            if seg["p_type"] == "PT_NOTE":
                assert len(list(seg.iter_notes())) == 1, "a Solo5 note shares its PT_NOTE"
            if seg["p_type"] == "PT_LOAD":
                assert seg["p_vaddr"] >= 0x100000 and seg["p_vaddr"] % 0x1000 == 0
                assert not (seg["p_flags"] & 1 and seg["p_flags"] & 2), "W+X segment"
        notes = [n for s in elf.iter_segments() if s["p_type"] == "PT_NOTE" for n in s.iter_notes()]
        abi = [n for n in notes if n["n_type"] == 0x31494241]
        assert len(abi) == 1
        desc = abi[0]["n_descdata"]
        assert int.from_bytes(desc[0:4], "little") == 1  # hvt
        assert int.from_bytes(desc[4:8], "little") == 2  # ABI version


SSE = re.compile(r"%[xyz]mm\d|mxcsr|\b(fxsave|fxrstor|xsave|xrstor|emms)\b", re.I)


def test_no_sse_in_guest_code(guest) -> None:  # type: ignore[no-untyped-def]
    """Every instruction of every test image (bindings, libc, guests) is
    general-purpose: the nested KVM here kills a guest on its first SSE one."""
    if shutil.which("objdump") is None:
        pytest.skip("no objdump on this machine")
    for image in (guest("hello"), guest("attack"), guest("block", manifest="BLOCK"),
                  guest("net", manifest="DEVICES")):
        dis = subprocess.run(["objdump", "-d", str(image)], capture_output=True, text=True,
                             check=True).stdout
        assert "<_start>:" in dis
        hits = [line for line in dis.splitlines() if SSE.search(line)]
        assert not hits, f"{image.name}: " + "\n".join(hits[:5])
