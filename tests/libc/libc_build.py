"""Builds the freestanding libc (plus a test platform) into a shared object.

The libc is compiled exactly like for an image (-ffreestanding -nostdinc, gcc's
own headers plus runtime_c/libc/include, -mgeneral-regs-only) and linked with
-nostdlib -z defs, so the object holds no reference to the host libc: looking a
name up in it (cffi's dlsym on its handle) finds our memcpy, snprintf, malloc...
The libc's snprintf family wraps the runtime's printf engine, runtime_c/core/format.c,
which every freestanding image links: it is compiled in too, with the same flags.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

from tests.cbuild import ROOT, build

LIBC = ROOT / "runtime_c" / "libc"
LIBC_SOURCES = sorted(LIBC.glob("*.c"))
# What the libc needs from runtime_c/core (it includes <mirage/...>: runtime_c/include).
CORE_SOURCES = [ROOT / "runtime_c" / "core" / "format.c"]
CORE_INCLUDE = ROOT / "runtime_c" / "include"
GCC_INCLUDE = subprocess.run(["cc", "-print-file-name=include"], check=True, capture_output=True,
                             text=True).stdout.strip()
FREESTANDING = ["-ffreestanding", "-nostdinc", "-isystem", GCC_INCLUDE, "-isystem", str(LIBC / "include")]

CDEF = """
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t maxlen);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strcpy(char *dst, const char *src);
char *strncpy(char *dst, const char *src, size_t n);
char *strcat(char *dst, const char *src);
char *strncat(char *dst, const char *src, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *h, const char *n);
char *strdup(const char *s);
char *strndup(const char *s, size_t n);
size_t strspn(const char *s, const char *a);
size_t strcspn(const char *s, const char *r);
char *strtok_r(char *s, const char *delim, char **saveptr);
int strcasecmp(const char *a, const char *b);
int strncasecmp(const char *a, const char *b, size_t n);

int snprintf(char *buf, size_t size, const char *fmt, ...);
int sprintf(char *buf, const char *fmt, ...);

int isalpha(int); int isdigit(int); int isxdigit(int); int isalnum(int); int isspace(int);
int isupper(int); int islower(int); int isprint(int); int ispunct(int); int iscntrl(int);
int isgraph(int); int isblank(int); int toupper(int); int tolower(int);

long strtol(const char *nptr, char **endptr, int base);
unsigned long strtoul(const char *nptr, char **endptr, int base);
long long strtoll(const char *nptr, char **endptr, int base);
unsigned long long strtoull(const char *nptr, char **endptr, int base);
int atoi(const char *nptr);
int abs(int); long labs(long); long long llabs(long long);

void *malloc(size_t n);
void *calloc(size_t nmemb, size_t size);
void *realloc(void *p, size_t n);
void free(void *p);
void *aligned_alloc(size_t alignment, size_t n);
int posix_memalign(void **memptr, size_t alignment, size_t n);
void mirage_heap_init(void *base, size_t size);
void mirage_heap_stats(size_t *total, size_t *used, size_t *free_largest);
int mirage_heap_check(size_t *blocks, size_t *free_blocks);

void mirage_libc_seed_stack_guard(uint64_t seed);

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
