"""Static checks of a virtio image: what QEMU's Multiboot loader and the Solo5
tools read from the file, without booting it."""
from __future__ import annotations

import struct
import subprocess
from pathlib import Path

from elftools.elf.elffile import ELFFile

MB_MAGIC, MB_FLAGS = 0x1BADB002, 0x00010003
PF_X, PF_W = 1, 2


def multiboot_header(data: bytes) -> tuple[int, tuple[int, ...]]:
    for off in range(0, 8192 - 32, 4):
        magic, flags, checksum = struct.unpack_from("<III", data, off)
        if magic == MB_MAGIC and (magic + flags + checksum) & 0xFFFFFFFF == 0:
            return off, struct.unpack_from("<8I", data, off)
    raise AssertionError("no Multiboot header in the first 8 KiB")


def test_multiboot_header_matches_the_elf(hello: Path) -> None:
    data = hello.read_bytes()
    off, (magic, flags, _, header_addr, load_addr, load_end, bss_end, entry) = multiboot_header(data)
    assert off % 4 == 0 and flags == MB_FLAGS
    with hello.open("rb") as f:
        elf = ELFFile(f)
        symbols = {s.name: s["st_value"] for s in elf.get_section_by_name(".symtab").iter_symbols()}
        assert entry == elf.header.e_entry == symbols["virtio_start32"]
        assert load_addr == 0x100000 == symbols["__image_start"]
        assert load_end == symbols["_edata"] and bss_end == symbols["_end"]
        # The loader copies the file from (header offset - (header_addr - load_addr)) on:
        # every loaded byte must sit at that same distance in the file.
        base = off - (header_addr - load_addr)
        loads = [s for s in elf.iter_segments() if s["p_type"] == "PT_LOAD"]
        for seg in loads:
            assert seg["p_offset"] - base == seg["p_vaddr"] - load_addr
            assert data[seg["p_offset"]:seg["p_offset"] + seg["p_filesz"]] == seg.data()
        last = max(loads, key=lambda s: s["p_vaddr"])
        assert last["p_vaddr"] + last["p_filesz"] == load_end
        assert last["p_vaddr"] + last["p_memsz"] <= bss_end


def test_segments_and_notes(hello: Path) -> None:
    with hello.open("rb") as f:
        elf = ELFFile(f)
        assert elf.header.e_type == "ET_EXEC" and elf.header.e_machine == "EM_X86_64"
        loads = [s for s in elf.iter_segments() if s["p_type"] == "PT_LOAD"]
        assert [s["p_flags"] & (PF_W | PF_X) for s in loads] == [PF_X, 0, PF_W]  # no W+X
        assert all(s["p_vaddr"] % 0x1000 == 0 and s["p_vaddr"] >= 0x100000 for s in loads)
        notes = [s for s in elf.iter_segments() if s["p_type"] == "PT_NOTE"]
        first = [next(iter(s.iter_notes())) for s in notes]
        assert [n["n_name"] for n in first] == ["Solo5", "Solo5"]
        abi = next(n for n in first if n["n_type"] == 0x31494241)
        desc = abi["n_descdata"] if isinstance(abi["n_descdata"], bytes) else abi["n_desc"]
        assert struct.unpack_from("<IIII", desc) == (3, 1, 0, 0)  # virtio, ABI version 1
        assert any(n["n_type"] == 0x3154464D for n in first)        # the manifest


def test_bindings_are_free_of_floating_point(tmp_path: Path) -> None:
    """Every C file of the bindings compiles with -mgeneral-regs-only (no SSE/x87
    code can hide in them), although virtio images themselves may use SSE."""
    from tests.targets.virtio import virtiobuild

    sources = [p for p in virtiobuild.BINDINGS if p.suffix == ".c"]
    for src in sources:
        subprocess.run(["cc", *virtiobuild.CFLAGS, "-mgeneral-regs-only", "-c", "-o",
                        str(tmp_path / (src.stem + ".o")), str(src)], check=True)
