"""The block drivers (runtime_c/drivers/block) built for the host and loaded through cffi:
the dispatch (block.c), the ramdisk and the unix file driver, with a logging stub."""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from tests.cbuild import build
from tests.cdecl import cdef_of

HERE = Path(__file__).resolve().parent
DRIVERS = "runtime_c/drivers/block"

CDEF = cdef_of(("mirage/errors.h", "mirage/block.h")) + """
const char *stub_last_log(void);
void stub_clear_log(void);
void free(void *);
int close(int);
"""


@functools.cache
def blocklib() -> tuple[Any, Any]:
    """(ffi, lib), built once per session."""
    sources = [f"{DRIVERS}/block.c", f"{DRIVERS}/ramdisk.c", "targets/unix/drivers/block_file.c", HERE / "log_stub.c"]
    return build("mirage_block", sources, CDEF, include_dirs=["targets/unix/include"])


def last_log() -> str:
    ffi, lib = blocklib()
    return ffi.string(lib.stub_last_log()).decode()
