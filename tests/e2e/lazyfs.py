"""A FUSE file system that loses what was not synced, for the power-cut tests (the idea of
the LazyFS research tool; written here from scratch on mfusepy).

    python -m tests.e2e.lazyfs DISK VIEW MOUNT

MOUNT shows VIEW, where every change lands at once (what the page cache would show). Each
change is also logged, and the log is replayed onto DISK, in order, when anything is
synced: fsync or fdatasync of any file, fsync of a folder, or a write to a file opened
O_SYNC/O_DSYNC. Killing this process is the power cut: DISK holds what survived.
Simplification, stated in docs/benchmarks.md: a sync makes every earlier change durable,
not only the synced file's (a real file system may keep less), so a missing sync is
caught only when no later sync covers it."""
from __future__ import annotations

import errno
import os
import sys
import threading
from typing import Any

import mfusepy

SYNC_FLAGS = os.O_SYNC | os.O_DSYNC


class LazyFS(mfusepy.Operations):  # type: ignore[misc]
    use_ns = True
    def __init__(self, disk: str, view: str) -> None:
        self.disk, self.view = disk, view
        self.log: list[tuple[Any, ...]] = []
        self.sync_fh: set[int] = set()
        self.mutex = threading.Lock()

    def _v(self, path: str) -> str:
        return os.path.join(self.view, path.lstrip("/"))

    def _d(self, path: str) -> str:
        return os.path.join(self.disk, path.lstrip("/"))

    def _sync(self) -> None:
        for op, path, *rest in self.log:
            d = self._d(path)
            if op == "write":
                fd = os.open(d, os.O_WRONLY)
                os.pwrite(fd, rest[1], rest[0])
                os.close(fd)
            elif op == "truncate":
                os.truncate(d, rest[0])
            elif op == "create":
                os.close(os.open(d, os.O_CREAT | os.O_WRONLY, rest[0]))
            elif op == "mkdir":
                os.mkdir(d, rest[0])
            elif op == "unlink":
                os.unlink(d)
            elif op == "rmdir":
                os.rmdir(d)
            elif op == "rename":
                os.rename(d, self._d(rest[0]))
            elif op == "chmod":
                os.chmod(d, rest[0])
        self.log.clear()

    def _do(self, entry: tuple[Any, ...], fn: Any, *args: Any) -> Any:
        with self.mutex:
            try:
                result = fn(*args)
            except OSError as e:
                raise mfusepy.FuseOSError(e.errno or errno.EIO) from e
            self.log.append(entry)
            return result

    def getattr(self, path: str, fh: int | None = None) -> dict[str, Any]:
        try:
            st = os.lstat(self._v(path))
        except OSError as e:
            raise mfusepy.FuseOSError(e.errno or errno.EIO) from e
        return {k: getattr(st, k) for k in ("st_mode", "st_nlink", "st_size", "st_uid", "st_gid", "st_atime",
                                             "st_mtime", "st_ctime")}

    def readdir(self, path: str, fh: int) -> list[str]:
        return [".", "..", *os.listdir(self._v(path))]

    def open(self, path: str, flags: int) -> int:
        fh = os.open(self._v(path), flags & ~(os.O_CREAT | os.O_EXCL | SYNC_FLAGS))
        if flags & SYNC_FLAGS:
            self.sync_fh.add(fh)
        return fh

    def create(self, path: str, mode: int, fi: Any = None) -> int:
        return int(self._do(("create", path, mode), os.open, self._v(path), os.O_CREAT | os.O_RDWR | os.O_EXCL, mode))

    def release(self, path: str, fh: int) -> int:
        self.sync_fh.discard(fh)
        os.close(fh)
        return 0

    def read(self, path: str, size: int, offset: int, fh: int) -> bytes:
        return os.pread(fh, size, offset)

    def write(self, path: str, data: bytes, offset: int, fh: int) -> int:
        n = int(self._do(("write", path, offset, bytes(data)), os.pwrite, fh, data, offset))
        if fh in self.sync_fh:
            with self.mutex:
                self._sync()
        return n

    def truncate(self, path: str, length: int, fh: int | None = None) -> int:
        self._do(("truncate", path, length), os.truncate, self._v(path), length)
        return 0

    def fsync(self, path: str, datasync: int, fh: int) -> int:
        with self.mutex:
            self._sync()
        return 0

    def fsyncdir(self, path: str, datasync: int, fh: int) -> int:
        return self.fsync(path, datasync, fh)

    def flush(self, path: str, fh: int) -> int:
        return 0  # close(2) is no sync

    def mkdir(self, path: str, mode: int) -> int:
        self._do(("mkdir", path, mode), os.mkdir, self._v(path), mode)
        return 0

    def unlink(self, path: str) -> int:
        self._do(("unlink", path), os.unlink, self._v(path))
        return 0

    def rmdir(self, path: str) -> int:
        self._do(("rmdir", path), os.rmdir, self._v(path))
        return 0

    def rename(self, old: str, new: str) -> int:
        self._do(("rename", old, new), os.rename, self._v(old), self._v(new))
        return 0

    def chmod(self, path: str, mode: int) -> int:
        self._do(("chmod", path, mode), os.chmod, self._v(path), mode)
        return 0

    def utimens(self, path: str, times: tuple[int, int] | None = None) -> int:
        return 0

    def statfs(self, path: str) -> dict[str, int]:
        st = os.statvfs(self.view)
        return {k: getattr(st, k) for k in ("f_bsize", "f_frsize", "f_blocks", "f_bfree", "f_bavail", "f_files",
                                             "f_ffree", "f_namemax")}


if __name__ == "__main__":
    disk, view, mount = sys.argv[1:4]
    mfusepy.FUSE(LazyFS(disk, view), mount, foreground=True, nothreads=True)
