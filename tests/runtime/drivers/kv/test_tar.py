"""The ustar reader (runtime_c/drivers/kv/tar.c) through cffi. Random trees packed by Python's
tarfile read back exactly as tarfile reads them; truncated or corrupted archives give an
error (never a crash, and never a read outside the archive: the read callback refuses and
records one); every strictness rule has a hand-made header that breaks it."""
from __future__ import annotations

import io
import tarfile

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.runtime.drivers.kv.kvlib import kvlib
from tests.runtime.drivers.kv.model import trees
from tests.runtime.drivers.kv.tarlib import (
    DIR,
    FILE,
    ZERO2,
    blocks,
    end_of_archive,
    expected_entries,
    header,
    make_tar,
    scan,
)

LONG_NAME = st.lists(st.text(alphabet="abcxyz-_.", min_size=1, max_size=60).filter(lambda s: s not in (".", "..")),
                     min_size=2, max_size=6).map("/".join)


@settings(max_examples=150, deadline=None)
@given(tree=trees(), fmt=st.sampled_from([tarfile.USTAR_FORMAT, tarfile.GNU_FORMAT]))
def test_random_trees_read_back_as_tarfile_reads_them(tree, fmt) -> None:
    files, dirs = tree
    data = make_tar(files, dirs, fmt=fmt)
    got = scan(data)
    assert got.rc == 0, got.why
    assert got.entries == expected_entries(data)
    by_name = {name: (kind, size, offset) for name, kind, size, _, _, offset in got.entries}
    for name, content in files.items():
        kind, size, offset = by_name[name]
        assert (kind, size, data[offset:offset + size]) == (FILE, len(content), content)
    assert {n for n, (k, _, _) in by_name.items() if k == DIR} == dirs


@settings(max_examples=100, deadline=None)
@given(name=LONG_NAME, content=st.binary(max_size=600))
def test_long_names_use_the_prefix_field(name, content) -> None:
    try:
        data = make_tar({name: content})
    except ValueError:  # tarfile cannot split it into ustar's prefix and name
        assume(False)
    got = scan(data)
    assert got.rc == 0, got.why
    assert [e[0] for e in got.entries] == [name]
    assert data[got.entries[0][5]:got.entries[0][5] + len(content)] == content


@settings(max_examples=150, deadline=None)
@given(tree=trees(max_files=5), cut=st.integers(0, 1 << 16))
def test_truncated_archives_are_errors(tree, cut) -> None:
    files, dirs = tree
    data = make_tar(files, dirs)
    end = end_of_archive(data)
    cut = cut % (len(data) + 1)
    got = scan(data, cut)
    if cut >= end:
        assert got.rc == 0 and got.entries == expected_entries(data)
    else:
        assert got.rc == kvlib()[1].MIRAGE_EINVAL, (cut, end)
        assert "truncated" in got.why or "zero block" in got.why


@settings(max_examples=300, deadline=None)
@given(tree=trees(max_files=5), at=st.integers(0, 1 << 16), xor=st.integers(1, 255))
def test_corrupted_headers_are_errors(tree, at, xor) -> None:
    files, dirs = tree
    data = bytearray(make_tar(files, dirs))
    end = end_of_archive(bytes(data))
    with tarfile.open(fileobj=io.BytesIO(bytes(data))) as tar:
        headers = [m.offset for m in tar.getmembers()] + [end - 1024, end - 512]
    at %= end
    data[at] ^= xor
    got = scan(bytes(data))
    in_header = any(h <= at < h + 512 for h in headers)
    in_chksum = any(h + 148 <= at < h + 156 for h in headers)
    if in_header and not in_chksum:
        assert got.rc < 0, at  # every header byte is covered by the checksum
    elif not in_header:
        assert got.rc == 0  # data bytes: the same entries
        assert [e[:3] for e in got.entries] == [e[:3] for e in expected_entries(bytes(data))]


@settings(max_examples=300, deadline=None)
@given(data=st.binary(min_size=0, max_size=4096), size=st.integers(0, 4096))
def test_garbage_never_crashes(data, size) -> None:
    scan(data.ljust(size, b"\0")[:size])


@settings(max_examples=200, deadline=None)
@given(block=st.binary(min_size=512, max_size=512), fix_checksum=st.booleans(), magic=st.booleans())
def test_random_headers_parse_or_fail_cleanly(block, fix_checksum, magic) -> None:
    """Random headers (made plausible: magic set, checksum fixed) parse into a valid name or fail."""
    ffi, lib = kvlib()
    b = bytearray(block)
    if magic:
        b[257:265] = b"ustar\x0000"
    if fix_checksum:
        b[148:156] = b" " * 8
        b[148:156] = b"%06o\0 " % sum(b)
    entry = ffi.new("struct mirage_tar_entry *")
    nblocks = ffi.new("uint64_t *")
    why = ffi.new("const char **")
    rc = lib.mirage_tar_parse_header(bytes(b), entry, nblocks, why)
    assert rc in (lib.MIRAGE_TAR_ENTRY, lib.MIRAGE_TAR_ZERO, lib.MIRAGE_TAR_SKIP, lib.MIRAGE_EINVAL,
                  lib.MIRAGE_ENOTSUP)
    if rc == lib.MIRAGE_TAR_ENTRY:
        name = ffi.string(entry.name)
        assert name and not name.startswith(b"/") and not name.endswith(b"/")
        assert all(part not in (b"", b".", b"..") for part in name.split(b"/"))
    elif rc < 0:
        assert ffi.string(why[0])


def parse(block: bytes):
    ffi, lib = kvlib()
    entry = ffi.new("struct mirage_tar_entry *")
    nblocks = ffi.new("uint64_t *")
    why = ffi.new("const char **")
    rc = lib.mirage_tar_parse_header(block, entry, nblocks, why)
    return rc, entry, nblocks[0], ffi.string(why[0]).decode() if rc < 0 else ""


@pytest.mark.parametrize("size, ok", [
    (b"00000000005\0", True), (b"00000000005 ", True), (b"     5\0", True), (b"000000000005", True),
    (b"5\0\0\0\0\0\0\0\0\0\0\0", True),
    (b"\0" * 12, False), (b" " * 12, False), (b"0000000000x\0", False), (b"00000000008\0", False),
    (b"000 0000005\0", False), (b"5\0 7\0\0\0\0\0\0\0\0", False), (b"-0000000005\0", False),
    (b"\x80\0\0\0\0\0\0\0\0\0\0\x05", False),  # GNU base-256: not accepted
])
def test_octal_fields_are_strict(size, ok) -> None:
    rc, entry, nblocks, why = parse(header(size=size))
    if ok:
        assert (rc, entry.size, nblocks) == (0, 5, 1)
    else:
        assert rc == kvlib()[1].MIRAGE_EINVAL and "size" in why


def test_checksum_magic_and_names() -> None:
    lib = kvlib()[1]
    good = header()
    assert parse(good)[0] == lib.MIRAGE_TAR_ENTRY
    bad = bytearray(good)
    bad[0] ^= 1
    assert parse(bytes(bad))[3] == "the header checksum does not match"
    assert parse(header(chksum=b"01234x\0 "))[0] == lib.MIRAGE_EINVAL
    assert "magic" in parse(header(magic=b"ustar\x0001"))[3]
    assert "magic" in parse(header(magic=b"\0" * 8))[3]          # v7 tar: refused
    assert parse(header(magic=b"ustar  \0"))[0] == lib.MIRAGE_TAR_ENTRY  # GNU
    # The signed checksum some old tars wrote (bytes over 127 counted as negative).
    signed = bytearray(header(b"caf\xe9"))
    signed[148:156] = b" " * 8
    signed[148:156] = b"%06o\0 " % sum(b - 256 if b > 127 else b for b in signed)
    assert parse(bytes(signed))[0] == lib.MIRAGE_TAR_ENTRY
    for name in ("a/../b", "../b", "a//b", "a/./b", "..", "a/.."):
        assert "component" in parse(header(name))[3], name
    for name, expect in (("/abs/file", "abs/file"), ("./rel", "rel"), ("./././x", "x"), ("//x", "x")):
        rc, entry, _, _ = parse(header(name))
        assert (rc, kvlib()[0].string(entry.name).decode()) == (0, expect)
    rc, entry, _, _ = parse(header("name", prefix=b"some/prefix"))
    assert kvlib()[0].string(entry.name) == b"some/prefix/name"
    rc, entry, _, _ = parse(header("name", prefix=b"ignored", magic=b"ustar  \0"))  # GNU: no prefix field
    assert kvlib()[0].string(entry.name) == b"name"
    assert "empty" in parse(header("./"))[3] and "empty" in parse(header("dir/"))[3]


def test_entry_types() -> None:
    lib = kvlib()[1]
    rc, entry, nblocks, _ = parse(header("d", typeflag=b"5", size=b"00000001000\0"))
    assert (rc, entry.kind, entry.size, nblocks) == (lib.MIRAGE_TAR_ENTRY, DIR, 0, 0)
    rc, entry, nblocks, _ = parse(header("d/", typeflag=b"\0", size=b"00000000000\0"))  # old-style folder
    assert (rc, entry.kind, kvlib()[0].string(entry.name)) == (lib.MIRAGE_TAR_ENTRY, DIR, b"d")
    assert parse(header("./", typeflag=b"5"))[0] == lib.MIRAGE_TAR_SKIP  # the root folder
    for t in b"123467":
        rc, _, nblocks, _ = parse(header("x", typeflag=bytes([t])))
        expect = (lib.MIRAGE_TAR_SKIP, 0) if t != ord("7") else (lib.MIRAGE_TAR_ENTRY, 1)
        assert (rc, nblocks) == expect, chr(t)
    assert parse(header("x", typeflag=b"V", size=b"00000002001\0"))[:3:2] == (lib.MIRAGE_TAR_SKIP, 3)
    for t in b"xgLK":
        assert parse(header("x", typeflag=bytes([t])))[0] == lib.MIRAGE_ENOTSUP


def test_archive_structure() -> None:
    lib = kvlib()[1]
    assert (scan(ZERO2).rc, scan(ZERO2).entries) == (0, [])
    assert scan(b"").rc == lib.MIRAGE_EINVAL
    assert scan(b"\0" * 512).rc == lib.MIRAGE_EINVAL  # one zero block: no end
    one = header() + blocks(b"hello")
    assert scan(one + ZERO2).entries[0][:3] == ("file", FILE, 5)
    assert scan(one + ZERO2 + b"junk after the end" * 40).rc == 0
    assert "lone zero block" in scan(one + b"\0" * 512 + one + ZERO2).why
    assert "truncated" in scan(header(size=b"00000002000\0") + b"x" * 512 + ZERO2).why
    assert "truncated" in scan(header(size=b"77777777777\0") + ZERO2).why
    # A pax archive (non-ASCII names need pax records), a GNU long name: refused, not misread.
    assert scan(make_tar({"caf\xe9": b"x"}, fmt=tarfile.PAX_FORMAT)).rc == lib.MIRAGE_ENOTSUP
    assert scan(make_tar({"n" * 120: b"x"}, fmt=tarfile.GNU_FORMAT)).rc == lib.MIRAGE_ENOTSUP
    # Links and devices are skipped, their names never served.
    link = tarfile.TarInfo("link")
    link.type, link.linkname = tarfile.SYMTYPE, "file"
    fifo = tarfile.TarInfo("fifo")
    fifo.type = tarfile.FIFOTYPE
    got = scan(make_tar({"file": b"data"}, extra=[link, fifo]))
    assert (got.rc, [e[0] for e in got.entries]) == (0, ["file"])


def test_fn_errors_stop_the_scan() -> None:
    ffi, lib = kvlib()
    data = make_tar({"a": b"1", "b": b"2"})
    buf = ffi.new("uint8_t[]", data)
    seen = []

    @ffi.callback("mirage_tar_read_fn")
    def read(ctx, offset, block):
        ffi.memmove(block, buf + offset, 512)
        return 0

    @ffi.callback("mirage_tar_entry_fn")
    def entry(ctx, e):
        seen.append(ffi.string(e.name))
        return lib.MIRAGE_ENOMEM

    assert lib.mirage_tar_scan(len(data), read, ffi.NULL, entry, ffi.NULL, ffi.NULL, ffi.NULL) == lib.MIRAGE_ENOMEM
    assert seen == [b"a"]
