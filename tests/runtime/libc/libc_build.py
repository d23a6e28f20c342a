"""Builds the freestanding libc (plus a test platform) into a shared object.

The libc is compiled exactly like for an image (-ffreestanding -nostdinc, gcc's
own headers plus runtime_c/libc/include, -mgeneral-regs-only) and linked with
-nostdlib -z defs, so the object holds no reference to the host libc: looking a
name up in it (cffi's dlsym on its handle) finds our memcpy, snprintf, malloc...
The libc's snprintf family wraps the runtime's printf engine, runtime_c/format/format.c,
which every freestanding image links: it is compiled in too, with the same flags.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

from tests.cbuild import ROOT, build
from tests.cdecl import cdef_of

LIBC = ROOT / "runtime_c" / "libc"
LIBC_SOURCES = sorted(LIBC.glob("*.c"))
# What the libc needs from below it, the formatter (it includes <mirage/...>: runtime_c/include).
CORE_SOURCES = [ROOT / "runtime_c" / "format" / "format.c"]
CORE_INCLUDE = ROOT / "runtime_c" / "include"
GCC_INCLUDE = subprocess.run(["cc", "-print-file-name=include"], check=True, capture_output=True,
                             text=True).stdout.strip()
FREESTANDING = ["-ffreestanding", "-nostdinc", "-isystem", GCC_INCLUDE, "-isystem", str(LIBC / "include")]

CDEF = cdef_of(("string.h", "stdio.h", "ctype.h", "stdlib.h", "mirage_heap.h", "mirage_libc.h"),
               (LIBC / "include",)) + """
size_t t_console_take(char *out, size_t cap);
extern int t_aborts;
int t_catch_abort(int which);
int t_double_free(void *p);
uintptr_t t_stack_guard(void);
void t_qsort_int(int *a, size_t n);
void t_qsort_random_cmp(int *a, size_t n, unsigned seed);
struct rec { int key; int index; char pad[16]; };
void t_qsort_rec(struct rec *a, size_t n);
int *t_bsearch_int(const int *key, const int *a, size_t n);
int t_errno_get(void);
void t_errno_set(int v);
"""


class Libc:
    """The built libc: `ffi`, `lib`, and a few conveniences."""

    def __init__(self, ffi, lib):
        self.ffi, self.lib = ffi, lib

    def console(self) -> bytes:
        buf = self.ffi.new("char[]", 65536)
        n = self.lib.t_console_take(buf, 65536)
        return self.ffi.buffer(buf, n)[:]

    @property
    def errno(self) -> int:
        return self.lib.t_errno_get()

    @errno.setter
    def errno(self, v: int) -> None:
        self.lib.t_errno_set(v)


def build_libc() -> Libc:
    ffi, lib = build(
        "mirage_libc",
        [*LIBC_SOURCES, *CORE_SOURCES, Path(__file__).with_name("test_platform.c")],
        CDEF,
        include_dirs=[LIBC],
        cflags=[*FREESTANDING, "-O2", "-mgeneral-regs-only", "-fstack-protector-strong",
                "-mstack-protector-guard=global", "-nostdlib", "-Wl,-z,defs"],
    )
    return Libc(ffi, lib)
