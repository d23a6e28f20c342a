"""The block drivers (runtime_c/drivers/block) built for the host and loaded through cffi:
the dispatch (block.c), the ramdisk and the unix file driver, with a logging stub."""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from tests.cbuild import build

HERE = Path(__file__).resolve().parent
DRIVERS = "runtime_c/drivers/block"

CDEF = """
enum mirage_error {
    MIRAGE_OK = 0, MIRAGE_EINVAL = -1, MIRAGE_ENOENT = -2, MIRAGE_EAGAIN = -3,
    MIRAGE_ENOMEM = -4, MIRAGE_EIO = -5, MIRAGE_ENOSPC = -6, MIRAGE_EEXIST = -7,
    MIRAGE_ERANGE = -8, MIRAGE_ENOTSUP = -9, MIRAGE_EUNSPEC = -10,
};
struct mirage_block;
struct mirage_block_info { uint32_t sector_size; uint64_t sectors; bool read_write; };
struct mirage_block_ops {
    int (*read)(struct mirage_block *b, uint64_t sector, void *buf, size_t len);
    int (*write)(struct mirage_block *b, uint64_t sector, const void *buf, size_t len);
};
struct mirage_block {
    const struct mirage_block_ops *ops; struct mirage_block_info info; const char *name;
    void *state; unsigned handle;
};
const struct mirage_block_info *mirage_block_info(const struct mirage_block *b);
int mirage_block_read(struct mirage_block *b, uint64_t sector, void *buf, size_t len);
int mirage_block_write(struct mirage_block *b, uint64_t sector, const void *buf, size_t len);
int block_of_file_connect(struct mirage_block *out, const char *name, const char *path);
int ramdisk_connect(struct mirage_block *out, const char *name, int64_t sectors);

const char *stub_last_log(void);
void stub_clear_log(void);
void free(void *);
int close(int);
"""


@functools.cache
def blocklib() -> tuple[Any, Any]:
    """(ffi, lib), built once per session."""
    sources = [f"{DRIVERS}/block.c", f"{DRIVERS}/ramdisk.c", f"{DRIVERS}/file_unix.c", HERE / "log_stub.c"]
    return build("mirage_block", sources, CDEF)


def last_log() -> str:
    ffi, lib = blocklib()
    return ffi.string(lib.stub_last_log()).decode()
