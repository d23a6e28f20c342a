"""The kv drivers (runtime_c/drivers/kv) built for the host and loaded through cffi, with
kv_stubs.c for the log, the wall clock and an in-memory block device.

With MIRAGE_KV_SANITIZE=1 the library is built with AddressSanitizer and UBSan (every
finding aborts); test_sanitized.py runs the C tests that way in a child process whose
LD_PRELOAD puts the sanitizer runtimes first, as they must be."""
from __future__ import annotations

import functools
import os
import subprocess
from pathlib import Path
from typing import Any

from tests.cbuild import ROOT, build
from tests.cdecl import cdef_of

HERE = Path(__file__).resolve().parent
DRIVERS = "runtime_c/drivers/kv"
SOURCES = ["sha256", "tar", "kv_index", "archive", "crunch", "kv_ro", "kv_rw", "kv_rw_mem"]
UNIX_DRIVERS = ["kv_direct", "kv_direct_rw"]  # the unix target's own stores
SANITIZE = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer"]

CDEF = cdef_of(("mirage/errors.h", "mirage/sha256.h", "tar.h", "mirage/kv_ro.h", "mirage/kv_rw.h",
                "mirage/kv_crunch.h", "mirage/block.h"), (ROOT / DRIVERS,)) + """
const char *stub_last_log(void);
void stub_clear_log(void);
void stub_set_now(uint64_t ns);
struct mirage_block *memblock_new(const uint8_t *data, uint64_t bytes, uint32_t sector_size);
unsigned long memblock_violations(const struct mirage_block *b);
unsigned long memblock_reads(const struct mirage_block *b);
void memblock_free(struct mirage_block *b);
void free(void *);
"""


def sanitizer_runtimes() -> list[str]:
    """The compiler's ASan and UBSan shared runtimes, or [] when it has none."""
    found = []
    for name in ("libasan.so", "libubsan.so"):
        path = subprocess.run(["cc", f"-print-file-name={name}"], capture_output=True, text=True).stdout.strip()
        if not os.path.isabs(path) or not os.path.exists(path):
            return []
        found.append(path)
    return found


SANITIZED = os.environ.get("MIRAGE_KV_SANITIZE") == "1"


@functools.cache
def kvlib() -> tuple[Any, Any]:
    """(ffi, lib), built once per session."""
    sources = [f"{DRIVERS}/{name}.c" for name in SOURCES] + [HERE / "kv_stubs.c"]
    sources += [f"targets/unix/drivers/{name}.c" for name in UNIX_DRIVERS]
    return build("mirage_kv_asan" if SANITIZED else "mirage_kv", sources, CDEF,
                 cflags=SANITIZE if SANITIZED else [])


def last_log() -> str:
    ffi, lib = kvlib()
    return str(ffi.string(lib.stub_last_log()).decode())
