"""Building tar archives with Python's tarfile for the tests, and scanning them with the C
reader through a read callback that refuses (and records) any read outside the archive."""
from __future__ import annotations

import io
import tarfile
from dataclasses import dataclass
from typing import Any

from tests.runtime.drivers.kv.kvlib import kvlib

FILE, DIR = 0, 1  # enum mirage_tar_kind


def make_tar(files: dict[str, bytes], dirs: set[str] = frozenset(), *, mtime: int = 1_700_000_000,
             fmt: int = tarfile.USTAR_FORMAT, extra: list[tarfile.TarInfo] = ()) -> bytes:
    """A tar of files and folders (folders first), then `extra` entries, in `fmt`."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=fmt) as tar:
        for i, d in enumerate(sorted(dirs)):
            info = tarfile.TarInfo(d)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, mtime + i
            tar.addfile(info)
        for i, (name, data) in enumerate(files.items()):
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), mtime + 1000 + i
            tar.addfile(info, io.BytesIO(data))
        for info in extra:
            tar.addfile(info)
    return out.getvalue()


def expected_entries(data: bytes) -> list[tuple[str, int, int, int, int, int]]:
    """What tarfile itself reads: (name, kind, size, mtime, header offset, data offset) of the
    files and folders, the root folder left out."""
    found = []
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for m in tar.getmembers():
            name = m.name
            while name.startswith(("/", "./")):
                name = name[1:] if name.startswith("/") else name[2:]
            if m.isdir() and name not in ("", "."):
                found.append((name.rstrip("/"), DIR, 0, m.mtime, m.offset, m.offset_data))
            elif m.isfile():
                found.append((name, FILE, m.size, m.mtime, m.offset, m.offset_data))
    return found


@dataclass
class Scan:
    rc: int
    entries: list[tuple[str, int, int, int, int, int]]
    why: str
    where: int


def scan(data: bytes, size: int | None = None) -> Scan:
    """mirage_tar_scan over the first `size` bytes of data (all by default), from a buffer of
    exactly that size; a read outside it fails the test."""
    ffi, lib = kvlib()
    size = len(data) if size is None else size
    buf = ffi.new("uint8_t[]", data[:size]) if size else ffi.NULL
    bad: list[int] = []
    entries = []

    @ffi.callback("mirage_tar_read_fn")
    def read(ctx: Any, offset: int, block: Any) -> int:
        if offset % 512 or offset + 512 > size:
            bad.append(offset)
            return int(lib.MIRAGE_EIO)
        ffi.memmove(block, buf + offset, 512)
        return 0

    @ffi.callback("mirage_tar_entry_fn")
    def entry(ctx: Any, e: Any) -> int:
        entries.append((ffi.string(e.name).decode("utf-8", "replace"), e.kind, e.size, e.mtime, e.header, e.data))
        return 0

    why = ffi.new("const char **")
    where = ffi.new("uint64_t *")
    rc = lib.mirage_tar_scan(size, read, ffi.NULL, entry, ffi.NULL, why, where)
    assert not bad, f"read outside the archive at {bad}"
    return Scan(rc, entries, ffi.string(why[0]).decode() if rc < 0 and why[0] else "", where[0])


def end_of_archive(data: bytes) -> int:
    """The offset just after the two zero blocks that end a well-formed archive."""
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = tar.getmembers()
    if not members:
        return 1024
    last = members[-1]
    blocks = -(-last.size // 512) if last.isreg() else 0
    return last.offset_data + blocks * 512 + 1024


def header(name: str | bytes = "file", *, size: str | bytes = b"00000000005\0", typeflag: bytes = b"0",
           magic: bytes = b"ustar\x0000", prefix: bytes = b"", chksum: bytes | None = None,
           mtime: bytes = b"14000000000\0") -> bytes:
    """One hand-made ustar header block, with a correct checksum unless one is given."""
    b = bytearray(512)
    raw = name.encode() if isinstance(name, str) else name
    b[0:len(raw)] = raw
    b[100:108] = b"0000644\0"
    b[108:116] = b"0000000\0"
    b[116:124] = b"0000000\0"
    sz = size.encode() if isinstance(size, str) else size
    b[124:124 + len(sz)] = sz
    b[136:136 + len(mtime)] = mtime
    b[156:157] = typeflag
    b[257:257 + len(magic)] = magic
    b[345:345 + len(prefix)] = prefix
    if chksum is None:
        b[148:156] = b" " * 8
        chksum = b"%06o\0 " % sum(b)
    b[148:148 + len(chksum)] = chksum
    return bytes(b)


def blocks(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 512)


ZERO2 = b"\0" * 1024
