"""archive (runtime_c/drivers/kv/archive.c) over an in-memory block device through cffi:
every kv_ro operation against a model of the packed tree, for tarfile's archives and for
the build's own (mirage_tools.tarball), with 512- and 4096-byte sectors; later entries of a
name win; broken archives fail at connect, and no read ever leaves the device."""
from __future__ import annotations

import hashlib
import io
import os
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mirage_tools.tarball import tar_bytes
from tests.runtime.drivers.kv.kvlib import kvlib, last_log
from tests.runtime.drivers.kv.model import Model, check_store, trees
from tests.runtime.drivers.kv.tarlib import make_tar

MTIME = 1_700_000_000


def connect(data: bytes, sector_size: int = 512, pad: bool = True) -> tuple[int, Any, Any]:
    """(rc, kv, block): archive_connect on a device holding data (padded to whole sectors)."""
    ffi, lib = kvlib()
    if pad:
        data += b"\0" * (-len(data) % sector_size)
    block = lib.memblock_new(data, len(data), sector_size)
    kv = ffi.new("struct mirage_kv_ro *")
    lib.stub_clear_log()
    return lib.archive_connect(kv, block), kv, block


def tar_model(files: dict[str, bytes], dirs: set[str]) -> Model:
    """The store make_tar(files, dirs) describes, with its mtimes."""
    mtimes = {name: (MTIME + 1000 + i) * 10**9 for i, name in enumerate(files)}
    return Model(dict(files), set(dirs), mtimes)


@settings(max_examples=120, deadline=None)
@given(tree=trees(), sector_size=st.sampled_from([512, 4096]), seed=st.integers(0, 1000))
def test_random_trees_against_the_model(tree, sector_size, seed) -> None:
    files, dirs = tree
    rc, kv, block = connect(make_tar(files, dirs, mtime=MTIME), sector_size)
    assert rc == 0, last_log()
    check_store(kv, tar_model(files, dirs), seed)
    assert kvlib()[1].memblock_violations(block) == 0


@settings(max_examples=40, deadline=None)
@given(tree=trees(max_files=6, dirs=False))
def test_the_builds_own_tarball(tree) -> None:
    """mirage_tools.tarball packs a folder for archive_of_files: read it back exactly."""
    files, _ = tree
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, data in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
        os.mkdir(root / "empty-folder")
        data = tar_bytes(root)
        mtimes = {name: (root / name).stat().st_mtime_ns // 10**9 * 10**9 for name in files}
    rc, kv, block = connect(data, pad=False)
    assert rc == 0, last_log()
    check_store(kv, Model(files, {"empty-folder"}, mtimes))


def test_large_file_across_bounce_buffers() -> None:
    ffi, lib = kvlib()
    big = bytes((i * 131 + (i >> 11)) & 0xFF for i in range(300_000))
    rc, kv, block = connect(make_tar({"small": b"s", "big": big, "z": b""}, mtime=MTIME))
    assert rc == 0
    got = ffi.new("size_t *")
    for offset, length in [(0, 300_000), (65_535, 3), (65_536 * 2 - 1, 70_000), (299_999, 10), (300_000, 1),
                           (1 << 40, 4)]:
        buf = ffi.new("uint8_t[]", length)
        assert lib.mirage_kv_ro_get_partial(kv, b"big", offset, buf, length, got) == 0
        assert ffi.buffer(buf, got[0])[:] == big[offset:offset + length]
    digest = ffi.new("uint8_t[32]")
    assert lib.mirage_kv_ro_digest(kv, b"/big", digest) == 0
    assert bytes(digest) == hashlib.sha256(big).digest()
    assert lib.memblock_violations(block) == 0


def test_later_entries_replace_earlier_ones() -> None:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in (("a", b"first"), ("d/x", b"1"), ("a", b"second one"), ("d/", None), ("d/", None)):
            info = tarfile.TarInfo(name)
            if data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    rc, kv, _ = connect(out.getvalue())
    assert rc == 0
    check_store(kv, Model({"a": b"second one", "d/x": b"1"}, {"d"}))


def test_a_name_both_file_and_folder_is_refused() -> None:
    lib = kvlib()[1]
    for files, dirs in (({"a": b"1", "a/b": b"2"}, set()), ({"a": b"1"}, {"a"}), ({"a-": b"", "a": b"1"}, {"a/b"})):
        rc, _, _ = connect(make_tar(files, dirs))
        assert rc == lib.MIRAGE_EINVAL, (files, dirs)
        assert "both a file and a folder" in last_log()


def test_broken_archives_fail_at_connect() -> None:
    lib = kvlib()[1]
    data = bytearray(make_tar({"f": b"x" * 700}))
    data[3] ^= 0x40
    rc, _, block = connect(bytes(data))
    assert rc == lib.MIRAGE_EINVAL
    assert "mem: not a usable tar archive: the header checksum does not match (header at byte 0)" in last_log()
    rc, _, _ = connect(b"")
    assert rc == lib.MIRAGE_EINVAL and "truncated" in last_log()
    rc, _, _ = connect(make_tar({"c\xe9": b""}, fmt=tarfile.PAX_FORMAT))
    assert rc == lib.MIRAGE_ENOTSUP and "pax" in last_log()


@settings(max_examples=150, deadline=None)
@given(tree=trees(max_files=4), at=st.integers(0, 1 << 14), xor=st.integers(1, 255), cut=st.integers(0, 1 << 14),
       sector_size=st.sampled_from([512, 4096]))
def test_corrupted_or_truncated_devices_never_read_out_of_bounds(tree, at, xor, cut, sector_size) -> None:
    ffi, lib = kvlib()
    files, dirs = tree
    data = bytearray(make_tar(files, dirs))
    data[at % len(data)] ^= xor
    rc, kv, block = connect(bytes(data[:cut % (len(data) + 1)]), sector_size, pad=False)
    if rc == 0:  # corruption in file data, or a cut after the end: still serves what it indexed
        for key in Model(files, dirs).query_keys():
            buf = ffi.new("uint8_t[64]")
            got = ffi.new("size_t *")
            lib.mirage_kv_ro_get_partial(kv, key.encode(), 0, buf, 64, got)
            lib.mirage_kv_ro_digest(kv, key.encode(), ffi.new("uint8_t[32]"))
    assert lib.memblock_violations(block) == 0
