"""The block drivers on the host through cffi: the shared argument checks of block.c
(alignment, range, overflow, read-only), the ramdisk and the unix file driver against a
Python bytearray model."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.runtime.drivers.block.blocklib import blocklib, last_log

U64 = 2**64 - 1
SIZE_MAX = 2**64 - 1


def _ramdisk(sectors: int) -> Any:
    ffi, lib = blocklib()
    b = ffi.new("struct mirage_block *")
    assert lib.ramdisk_connect(b, b"rd", sectors) == 0
    return b


def _data(seed: int, n: int) -> bytes:
    return bytes((seed + 7 * i + (i >> 9)) & 0xFF for i in range(n))


# One request: (is_write, sector, len, seed). Sectors reach past the end and up to 2^64 - 1,
# lengths include unaligned ones, so every check of block.c is exercised.
_SECTOR = st.one_of(st.integers(0, 40), st.integers(U64 - 4, U64))
_LEN = st.one_of(st.integers(0, 8).map(lambda n: n * 512), st.integers(0, 5000))
_OPS = st.lists(st.tuples(st.booleans(), _SECTOR, _LEN, st.integers(0, 255)), max_size=30)


def _apply(b: Any, model: bytearray, ops: list[tuple[bool, int, int, int]]) -> None:
    """Run ops on device b and on the model; results and data read back must agree."""
    ffi, lib = blocklib()
    sectors = len(model) // 512
    for is_write, sector, length, seed in ops:
        valid = length % 512 == 0 and sector <= sectors and sector + length // 512 <= sectors
        buf = ffi.new("uint8_t[]", max(length, 1))
        if is_write:
            data = _data(seed, length)
            ffi.memmove(buf, data, length)
            rc = lib.mirage_block_write(b, sector, buf, length)
            if valid:
                model[sector * 512:sector * 512 + length] = data
        else:
            rc = lib.mirage_block_read(b, sector, buf, length)
            if valid:
                assert ffi.buffer(buf, length)[:] == model[sector * 512:sector * 512 + length]
        assert rc == (0 if valid else lib.MIRAGE_EINVAL), (is_write, sector, length)


@settings(max_examples=100, deadline=None)
@given(sectors=st.integers(1, 32), ops=_OPS)
def test_ramdisk_matches_a_bytearray(sectors: int, ops: list[tuple[bool, int, int, int]]) -> None:
    ffi, lib = blocklib()
    b = _ramdisk(sectors)
    try:
        info = lib.mirage_block_info(b)
        assert (info.sector_size, info.sectors, info.read_write) == (512, sectors, True)
        assert ffi.string(b.name) == b"rd"
        model = bytearray(sectors * 512)
        _apply(b, model, ops)
        whole = ffi.new("uint8_t[]", len(model))
        assert lib.mirage_block_read(b, 0, whole, len(model)) == 0
        assert ffi.buffer(whole)[:] == model
    finally:
        lib.free(b.state)


def test_ramdisk_refuses_bad_sizes() -> None:
    ffi, lib = blocklib()
    b = ffi.new("struct mirage_block *")
    assert lib.ramdisk_connect(b, b"rd", 0) == lib.MIRAGE_EINVAL
    assert lib.ramdisk_connect(b, b"rd", -1) == lib.MIRAGE_EINVAL
    assert lib.ramdisk_connect(b, b"rd", 2**62) == lib.MIRAGE_ENOMEM  # more bytes than size_t holds
    assert lib.ramdisk_connect(b, b"rd", 2**53) == lib.MIRAGE_ENOMEM  # 4 EiB: calloc says no


class FakeDevice:
    """A device whose ops record their calls (the buffer is never touched), to check what
    the dispatch lets through for any geometry."""

    def __init__(self, sectors: int, sector_size: int = 512, read_write: bool = True) -> None:
        ffi, _ = blocklib()
        self.calls: list[tuple[str, int, int]] = []

        @ffi.callback("int(struct mirage_block *, uint64_t, void *, size_t)")
        def read(b: Any, sector: int, buf: Any, length: int) -> int:
            self.calls.append(("read", sector, length))
            return 0

        @ffi.callback("int(struct mirage_block *, uint64_t, const void *, size_t)")
        def write(b: Any, sector: int, buf: Any, length: int) -> int:
            self.calls.append(("write", sector, length))
            return -5

        self._keep = (read, write)
        self.ops = ffi.new("struct mirage_block_ops *", {"read": read, "write": write})
        self.dev = ffi.new("struct mirage_block *", {
            "ops": self.ops, "info": {"sector_size": sector_size, "sectors": sectors, "read_write": read_write}})


_BUF = 0x1000  # a non-NULL address the fake ops never dereference


@settings(max_examples=300, deadline=None)
@given(sectors=st.one_of(st.integers(0, 100), st.integers(U64 - 100, U64)),
       shift=st.integers(9, 15),
       sector=st.one_of(st.integers(0, 120), st.integers(U64 - 120, U64), st.integers(0, U64)),
       length=st.one_of(st.integers(0, 70000), st.integers(SIZE_MAX - 70000, SIZE_MAX),
                        st.integers(0, 2**20).map(lambda n: n * 512)),
       is_write=st.booleans())
def test_dispatch_checks_are_exact_and_overflow_safe(sectors: int, shift: int, sector: int, length: int,
                                                     is_write: bool) -> None:
    ffi, lib = blocklib()
    ss = 1 << shift
    fake = FakeDevice(sectors, ss)
    buf = ffi.cast("void *", _BUF)
    op = lib.mirage_block_write if is_write else lib.mirage_block_read
    rc = op(fake.dev, sector, buf, length)
    valid = length % ss == 0 and sector + length // ss <= sectors  # Python integers: no wrap
    if not valid:
        assert (rc, fake.calls) == (lib.MIRAGE_EINVAL, [])
    elif length == 0:
        assert (rc, fake.calls) == (0, [])
    else:
        kind = "write" if is_write else "read"
        assert (rc, fake.calls) == ((-5 if is_write else 0), [(kind, sector, length)])


def test_dispatch_edges() -> None:
    ffi, lib = blocklib()
    buf = ffi.cast("void *", _BUF)
    fake = FakeDevice(U64)
    assert lib.mirage_block_read(fake.dev, U64 - 1, buf, 512) == 0
    assert lib.mirage_block_read(fake.dev, U64 - 2, buf, 1024) == 0  # ends exactly at the end
    assert lib.mirage_block_read(fake.dev, U64, buf, 512) == lib.MIRAGE_EINVAL
    assert lib.mirage_block_read(fake.dev, U64 - 2, buf, 1536) == lib.MIRAGE_EINVAL  # would wrap past 2^64
    assert lib.mirage_block_read(fake.dev, 0, ffi.NULL, 512) == lib.MIRAGE_EINVAL
    assert lib.mirage_block_read(fake.dev, 0, buf, 511) == lib.MIRAGE_EINVAL
    assert fake.calls == [("read", U64 - 1, 512), ("read", U64 - 2, 1024)]
    small = FakeDevice(4, 4096)
    assert lib.mirage_block_write(small.dev, 3, buf, 512) == lib.MIRAGE_EINVAL  # not a 4096 multiple
    assert lib.mirage_block_write(small.dev, 4, buf, 0) == 0  # empty, at the very end: fine
    assert lib.mirage_block_write(small.dev, 5, buf, 0) == lib.MIRAGE_EINVAL
    assert small.calls == []
    broken = FakeDevice(4, 0)  # a sector size of 0 never divides anything
    assert lib.mirage_block_read(broken.dev, 0, buf, 0) == lib.MIRAGE_EINVAL


def test_read_only_refuses_writes_only() -> None:
    ffi, lib = blocklib()
    buf = ffi.cast("void *", _BUF)
    fake = FakeDevice(8, read_write=False)
    assert lib.mirage_block_write(fake.dev, 0, buf, 512) == lib.MIRAGE_ENOTSUP
    assert lib.mirage_block_write(fake.dev, 0, buf, 0) == lib.MIRAGE_ENOTSUP
    assert lib.mirage_block_write(fake.dev, 9, buf, 512) == lib.MIRAGE_EINVAL  # bad arguments first
    assert lib.mirage_block_read(fake.dev, 0, buf, 4096) == 0
    assert fake.calls == [("read", 0, 4096)]


def _open_file(path: Path) -> Any:
    ffi, lib = blocklib()
    b = ffi.new("struct mirage_block *")
    rc = lib.block_of_file_connect(b, b"disk", str(path).encode(), False)
    assert rc == 0, last_log()
    return b


@settings(max_examples=60, deadline=None)
@given(sectors=st.integers(1, 24), ops=_OPS)
def test_file_matches_a_bytearray(tmp_path_factory: pytest.TempPathFactory, sectors: int,
                                  ops: list[tuple[bool, int, int, int]]) -> None:
    ffi, lib = blocklib()
    path = tmp_path_factory.mktemp("file") / "disk.img"
    initial = _data(99, sectors * 512)
    path.write_bytes(initial)
    b = _open_file(path)
    try:
        info = lib.mirage_block_info(b)
        assert (info.sector_size, info.sectors, info.read_write) == (512, sectors, True)
        model = bytearray(initial)
        _apply(b, model, ops)
    finally:
        lib.close(b.handle)
    assert path.read_bytes() == bytes(model)


@pytest.mark.parametrize("size", [100, 513, 4096 + 300])
def test_file_of_partial_sectors_is_refused(tmp_path: Path, size: int) -> None:
    ffi, lib = blocklib()
    path = tmp_path / "odd.img"
    path.write_bytes(b"x" * size)
    b = ffi.new("struct mirage_block *")
    lib.stub_clear_log()
    assert lib.block_of_file_connect(b, b"disk", str(path).encode(), False) == lib.MIRAGE_EINVAL
    assert f"odd.img is {size} bytes, not a whole number of 512-byte sectors" in last_log()


def test_file_open_errors(tmp_path: Path) -> None:
    ffi, lib = blocklib()
    b = ffi.new("struct mirage_block *")
    lib.stub_clear_log()
    assert lib.block_of_file_connect(b, b"disk", str(tmp_path / "missing.img").encode(), False) == lib.MIRAGE_ENOENT
    assert "disk: cannot open" in last_log() and "missing.img: No such file or directory" in last_log()
    assert lib.block_of_file_connect(b, b"disk", str(tmp_path).encode(), False) == lib.MIRAGE_EIO  # a directory
    assert "Is a directory" in last_log()


def test_file_that_shrinks_is_an_io_error(tmp_path: Path) -> None:
    ffi, lib = blocklib()
    path = tmp_path / "disk.img"
    path.write_bytes(bytes(4096))
    b = _open_file(path)
    try:
        os.truncate(path, 1024)
        buf = ffi.new("char[]", 1024)
        assert lib.mirage_block_read(b, 0, buf, 1024) == 0
        assert lib.mirage_block_read(b, 2, buf, 1024) == lib.MIRAGE_EIO
        assert "disk: read at byte 1024 failed: end of file" in last_log()
        assert lib.mirage_block_write(b, 6, buf, 1024) == 0  # pwrite past the end grows the file again
        assert path.stat().st_size == 4096
    finally:
        lib.close(b.handle)
