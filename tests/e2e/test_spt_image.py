"""Images built by scons for spt follow the Solo5 ABI rules, checked with pyelftools:
load address, one note alone at the start of each PT_NOTE, 4 KiB alignment, no W+X."""
import pytest
from elftools.elf.elffile import ELFFile

from tests.sconsrun import copy_example, scons

PT_NOTE_TYPES = {".note.solo5.abi": 0x31494241, ".note.solo5.manifest": 0x3154464D}


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    folder = copy_example("hello-key", tmp_path_factory.mktemp("spt"))
    scons(folder, "target=spt")
    return folder / "build/spt/hello-key.spt"


def test_segments(image):
    with open(image, "rb") as f:
        elf = ELFFile(f)
        assert elf["e_type"] == "ET_EXEC" and elf["e_machine"] == "EM_X86_64"
        loads = [s for s in elf.iter_segments() if s["p_type"] == "PT_LOAD" and s["p_filesz"] > 0]
        assert loads[0]["p_vaddr"] == 0x100000
        assert 0x100000 <= elf["e_entry"] < loads[0]["p_vaddr"] + loads[0]["p_memsz"]
        for seg in loads:
            assert seg["p_vaddr"] % 0x1000 == 0 and seg["p_align"] == 0x1000
            assert not (seg["p_flags"] & 2 and seg["p_flags"] & 1), "W+X segment"
        ends = [(s["p_vaddr"], s["p_vaddr"] + s["p_memsz"]) for s in loads]
        assert all(a[1] <= b[0] for a, b in zip(ends, ends[1:])), "overlapping or unordered"


def test_each_note_alone_first_in_its_pt_note(image):
    with open(image, "rb") as f:
        elf = ELFFile(f)
        notes = [s for s in elf.iter_segments() if s["p_type"] == "PT_NOTE"]
        assert len(notes) == 2
        seen = {}
        for seg in notes:
            first = next(seg.iter_notes())
            assert first["n_name"] == "Solo5"
            seen[first["n_type"]] = first
        abi = seen[PT_NOTE_TYPES[".note.solo5.abi"]]
        target, version = int.from_bytes(abi["n_desc"][:4], "little"), int.from_bytes(abi["n_desc"][4:8], "little")
        assert (target, version) == (2, 2)
        mft = seen[PT_NOTE_TYPES[".note.solo5.manifest"]]
        desc = mft["n_desc"]
        assert int.from_bytes(desc[4:8], "little") == 1  # manifest version
        assert int.from_bytes(desc[8:12], "little") == 1  # entries: the reserved one only
        assert mft["n_descsz"] == 4 + 8 + 104


def test_compile_commands_for_both_contexts(image):
    import json

    folder = image.parent.parent.parent
    scons(folder, "target=spt", "compiledb=1", "-j2")
    target_db = json.loads((folder / "build/spt/compile_commands.json").read_text())
    tender_db = json.loads((folder / "build/spt/tender/compile_commands.json").read_text())
    assert any(e["file"].endswith("bindings/start.c") and "-ffreestanding" in e["command"] for e in target_db)
    assert tender_db and all("/tender/" in e["output"] for e in tender_db)
    assert any(e["file"].endswith("spt/tender/seccomp.c") for e in tender_db)


def test_compile_commands_have_one_entry_per_file_and_context(image):
    import json

    folder = image.parent.parent.parent
    scons(folder, "target=spt", "compiledb=1")
    target_db = json.loads((folder / "build/spt/compile_commands.json").read_text())
    tender_db = json.loads((folder / "build/spt/tender/compile_commands.json").read_text())
    for db in (target_db, tender_db):
        outputs = [e["output"] for e in db]
        assert len(outputs) == len(set(outputs))
    assert not any("/tender/" in e["output"] for e in target_db)  # the tender's are in its own file
    # clangd finds build/compile_commands.json by itself (it looks in build/ of each parent).
    assert json.loads((folder / "build/compile_commands.json").read_text()) == target_db
