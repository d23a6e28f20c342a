"""mirage_block_flush and the unix file driver's durability and locking, through cffi:
flush dispatches through the ops table (and is 0 where nothing can be lost), the unix
driver's flush is fdatasync, durable opens O_DSYNC, and a second user of a file gets
MIRAGE_EBUSY. (Whether data really survives a power cut: tests/e2e/test_power_cut.py.)"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.runtime.drivers.block.blocklib import blocklib, last_log


def _connect(path: Path, durable: bool = False) -> tuple[Any, int]:
    ffi, lib = blocklib()
    b = ffi.new("struct mirage_block *")
    return b, lib.block_of_file_connect(b, b"disk", str(path).encode(), durable)


def _flags(fd: int) -> int:
    for line in Path(f"/proc/self/fdinfo/{fd}").read_text().splitlines():
        if line.startswith("flags:"):
            return int(line.split()[1], 8)
    raise AssertionError("no flags in fdinfo")


def test_flush_dispatches_through_the_ops_table() -> None:
    ffi, lib = blocklib()
    calls: list[str] = []

    @ffi.callback("int(struct mirage_block *)")
    def flush(b: Any) -> int:
        calls.append("flush")
        return lib.MIRAGE_EIO

    ops = ffi.new("struct mirage_block_ops *", {"flush": flush})
    dev = ffi.new("struct mirage_block *", {"ops": ops, "info": {"sector_size": 512, "sectors": 1,
                                                                 "read_write": True}})
    assert lib.mirage_block_flush(dev) == lib.MIRAGE_EIO and calls == ["flush"]
    dev.info.read_write = False  # nothing written, nothing to lose
    assert lib.mirage_block_flush(dev) == 0 and calls == ["flush"]
    rd = ffi.new("struct mirage_block *")
    assert lib.ramdisk_connect(rd, b"rd", 4) == 0
    assert lib.mirage_block_flush(rd) == 0  # memory: no flush op, nothing pending
    lib.free(rd.state)


def test_file_flush_and_durable_mode(tmp_path: Path) -> None:
    ffi, lib = blocklib()
    path = tmp_path / "disk.img"
    path.write_bytes(bytes(4096))
    b, rc = _connect(path)
    assert rc == 0, last_log()
    try:
        assert not _flags(b.handle) & os.O_DSYNC
        assert lib.mirage_block_write(b, 1, b"x" * 512, 512) == 0
        assert lib.mirage_block_flush(b) == 0
    finally:
        lib.close(b.handle)
    d, rc = _connect(path, durable=True)
    assert rc == 0, last_log()
    try:
        assert _flags(d.handle) & os.O_DSYNC == os.O_DSYNC
    finally:
        lib.close(d.handle)
    assert path.read_bytes()[512:1024] == b"x" * 512


def test_a_second_user_of_the_file_is_refused(tmp_path: Path) -> None:
    ffi, lib = blocklib()
    path = tmp_path / "disk.img"
    path.write_bytes(bytes(4096))
    b, rc = _connect(path)
    assert rc == 0, last_log()
    try:
        # Another process (as a tender would be) cannot take the file while we hold it.
        probe = ("import fcntl, sys; f = open(sys.argv[1], 'r+b')\n"
                 "try:\n    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\nexcept BlockingIOError:\n"
                 "    sys.exit(3)\n")
        assert subprocess.run([sys.executable, "-c", probe, str(path)]).returncode == 3
        lib.stub_clear_log()
        other, rc = _connect(path)
        assert rc == lib.MIRAGE_EBUSY
        assert "disk.img is in use by another process" in last_log()
    finally:
        lib.close(b.handle)
    again, rc = _connect(path)  # free again once the holder is gone
    assert rc == 0
    lib.close(again.handle)
