"""The random driver (runtime_c/drivers/random), the log facility and reporter, and the
info driver, built for the host with the runtime core on the fake platform of tests/c
and loaded through cffi; seed_solo5.c is built on its own (it runs unprivileged on x86)."""
from __future__ import annotations

import functools
from typing import Any

from tests.cbuild import ROOT, build

RANDOM = "runtime_c/drivers/random"
CORE_SOURCES = sorted((ROOT / "runtime_c" / "core").glob("*.c"))

CDEF = """
enum mirage_error {
    MIRAGE_OK = 0, MIRAGE_EINVAL = -1, MIRAGE_ENOENT = -2, MIRAGE_EAGAIN = -3,
    MIRAGE_ENOMEM = -4, MIRAGE_EIO = -5, MIRAGE_ENOSPC = -6, MIRAGE_EEXIST = -7,
    MIRAGE_ERANGE = -8, MIRAGE_ENOTSUP = -9, MIRAGE_EUNSPEC = -10,
};

void mirage_chacha20_block(uint8_t out[64], const uint8_t key[32], uint32_t counter, const uint8_t nonce[12]);
void mirage_chacha20_xor(uint8_t *out, const uint8_t *in, size_t len, const uint8_t key[32],
                         uint32_t counter, const uint8_t nonce[12]);

struct mirage_drbg { uint8_t key[32]; uint8_t buf[480]; size_t avail; uint64_t requests; uint64_t reseeds; };
void mirage_drbg_seed(struct mirage_drbg *d, const void *seed, size_t len);
void mirage_drbg_reseed(struct mirage_drbg *d, const void *seed, size_t len);
void mirage_drbg_generate(struct mirage_drbg *d, void *out, size_t len);
bool mirage_drbg_needs_reseed(const struct mirage_drbg *d);

struct mirage_random { int unused; };
int default_random_connect(struct mirage_random *out);
void mirage_random_bytes(void *buf, size_t len);
uint64_t mirage_random_u64(void);
const char *mirage_random_source(void);
int mirage_random_seed(void *buf, size_t len);

enum mirage_arg_type {
    MIRAGE_ARG_STRING, MIRAGE_ARG_INT, MIRAGE_ARG_BOOL, MIRAGE_ARG_STRING_LIST,
    MIRAGE_ARG_IPV4, MIRAGE_ARG_IPV4_PREFIX, MIRAGE_ARG_IPV6, MIRAGE_ARG_IPV6_PREFIX,
};
struct mirage_strings { size_t len; const char **items; };
struct mirage_arg {
    const char *name; enum mirage_arg_type type; const char *doc; const char *default_text;
    void *value;
    char short_name;
};
int mirage_argv_parse(const struct mirage_arg *args, size_t nargs, int argc, char **argv,
                      const char *prog);
int mirage_arg_get(const char *name, void *out, size_t size);

void mirage_log_set_level(int level);
int mirage_log_get_level(void);
void mirage_log(int level, const char *src, const char *fmt, ...);
int mirage_log_set_source_level(const char *src, int level);
void mirage_log_clear_source_levels(void);
int mirage_log_source_level(const char *src);
int mirage_log_configure(const char *spec);
void mirage_log_set_stamp(int stamp);
int mirage_log_set_ring(size_t lines);
void mirage_log_dump_ring(void);

struct mirage_pclock { int unused; };
struct mirage_reporter { int level; int stamp; size_t ring_size; };
int default_reporter_connect(struct mirage_reporter *out, int level, int64_t ring_size);
int default_reporter_clock_connect(struct mirage_reporter *out, struct mirage_pclock *clock, int level,
                                   int64_t ring_size);

struct mirage_info {
    const char *name; const char *target; const char *keys; const char *packages;
    const char *config_sha256; size_t nkeys; size_t npackages;
};
int app_info_connect(struct mirage_info *out, const char *name, const char *target, const char *keys,
                     const char *packages, const char *config_sha256);
const char *mirage_info_key(const struct mirage_info *info, const char *key, size_t *len);

const char *fake_console_data(void);
size_t fake_console_len(void);
size_t fake_console_writes(void);
void fake_set_time(uint64_t ns);
void fake_set_wall(uint64_t ns);
void fake_reset(void);
"""

SOLO5_CDEF = """
bool mirage_seed_has_rdseed(void);
bool mirage_seed_has_rdrand(void);
int mirage_seed_cpu(void *buf, size_t len, bool rdseed);
void mirage_seed_jitter(void *buf, size_t len);
int mirage_random_seed(void *buf, size_t len);
"""

QUIET, ERROR, WARN, INFO, DEBUG = -1, 0, 1, 2, 3
STAMP_NONE, STAMP_MONOTONIC, STAMP_WALL = 0, 1, 2


@functools.cache
def lib() -> tuple[Any, Any]:
    """(ffi, lib): core + fake platform + random (getrandom seeding) + info, built once."""
    sources = [*CORE_SOURCES, ROOT / "tests" / "c" / "fake_platform.c", f"{RANDOM}/chacha20.c",
               f"{RANDOM}/drbg.c", f"{RANDOM}/seed_unix.c", "runtime_c/drivers/info/info.c"]
    return build("mirage_random", sources, CDEF)


@functools.cache
def solo5_seed() -> tuple[Any, Any]:
    """(ffi, lib) of seed_solo5.c alone, on the host CPU."""
    return build("mirage_seed_solo5", [f"{RANDOM}/seed_solo5.c", f"{RANDOM}/chacha20.c"], SOLO5_CDEF)


def console() -> str:
    ffi, c = lib()
    return ffi.buffer(c.fake_console_data(), c.fake_console_len())[:].decode()


class Args:
    """A boot-argument table of STRING arguments, parsed like generated main.c does, so
    drivers read them with mirage_arg_get. Keep the object alive while they are used."""

    def __init__(self, specs: dict[str, str], words: list[str]) -> None:
        ffi, c = lib()
        self.keep: list[Any] = []
        self.table = ffi.new("struct mirage_arg[]", len(specs))
        for entry, (name, default) in zip(self.table, specs.items()):
            entry.name = self._str(name)
            entry.type = c.MIRAGE_ARG_STRING
            entry.doc = self._str("")
            entry.default_text = self._str(default)
            entry.value = self._keep(ffi.new("const char *[1]"))
        argv = ffi.new("char *[]", [self._str(w) for w in ["uk", *words]])
        self.status = c.mirage_argv_parse(self.table, len(specs), len(words) + 1, argv, b"uk")

    def _keep(self, obj: Any) -> Any:
        self.keep.append(obj)
        return obj

    def _str(self, s: str) -> Any:
        ffi, _ = lib()
        return self._keep(ffi.new("char[]", s.encode()))


def reset() -> None:
    """Fresh fake console and clocks; default log settings."""
    _, c = lib()
    c.fake_reset()
    c.mirage_log_set_level(INFO)
    c.mirage_log_clear_source_levels()
    c.mirage_log_set_stamp(STAMP_NONE)
    c.mirage_log_set_ring(0)
