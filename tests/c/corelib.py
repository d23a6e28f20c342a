"""The target-independent runtime (runtime_c/core) built with the fake platform,
loaded through cffi, plus helpers shared by the tests in this folder."""
from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cbuild import ROOT, build

HERE = Path(__file__).resolve().parent
CORE_SOURCES = sorted((ROOT / "runtime_c" / "core").glob("*.c"))

CDEF = """
enum mirage_error {
    MIRAGE_OK = 0, MIRAGE_EINVAL = -1, MIRAGE_ENOENT = -2, MIRAGE_EAGAIN = -3,
    MIRAGE_ENOMEM = -4, MIRAGE_EIO = -5, MIRAGE_ENOSPC = -6, MIRAGE_EEXIST = -7,
    MIRAGE_ERANGE = -8, MIRAGE_ENOTSUP = -9, MIRAGE_EUNSPEC = -10,
};
const char *mirage_strerror(int err);

typedef void (*mirage_callback)(void *ctx);
struct mirage_timer {
    uint64_t deadline_ns; mirage_callback fn; void *ctx; struct mirage_timer *next; bool armed;
};
void mirage_timer_start(struct mirage_timer *t, uint64_t deadline_ns, mirage_callback fn, void *ctx);
void mirage_timer_cancel(struct mirage_timer *t);
void mirage_loop_watch(unsigned handle, mirage_callback fn, void *ctx);
void mirage_loop_hold(void);
void mirage_loop_release(void);
void mirage_sleep_ns(uint64_t ns);
int mirage_run(void);
void mirage_exit(int status);

struct mirage_console;
struct mirage_console_ops { int (*write)(struct mirage_console *c, const void *buf, size_t len); };
struct mirage_console { const struct mirage_console_ops *ops; const char *name; };
int mirage_console_write(struct mirage_console *c, const void *buf, size_t len);
int mirage_console_printf(struct mirage_console *c, const char *fmt, ...);
int default_console_connect(struct mirage_console *out);

struct mirage_time { int unused; };
struct mirage_mclock { int unused; };
struct mirage_pclock { int unused; };
int default_time_connect(struct mirage_time *out);
int default_monotonic_clock_connect(struct mirage_mclock *out);
int default_posix_clock_connect(struct mirage_pclock *out);
uint64_t mirage_mclock_ns(void);
uint64_t mirage_pclock_ns(void);

enum mirage_log_level { MIRAGE_LOG_ERROR = 0, MIRAGE_LOG_WARN = 1, MIRAGE_LOG_INFO = 2,
                        MIRAGE_LOG_DEBUG = 3 };
void mirage_log_set_level(enum mirage_log_level level);
enum mirage_log_level mirage_log_get_level(void);
void mirage_log(enum mirage_log_level level, const char *src, const char *fmt, ...);

enum mirage_arg_type {
    MIRAGE_ARG_STRING, MIRAGE_ARG_INT, MIRAGE_ARG_BOOL, MIRAGE_ARG_STRING_LIST,
    MIRAGE_ARG_IPV4, MIRAGE_ARG_IPV4_PREFIX, MIRAGE_ARG_IPV6, MIRAGE_ARG_IPV6_PREFIX,
};
struct mirage_strings { size_t len; const char **items; };
struct mirage_ipv4 { uint8_t bytes[4]; };
struct mirage_ipv4_prefix { struct mirage_ipv4 addr; uint8_t len; };
struct mirage_ipv6 { uint8_t bytes[16]; };
struct mirage_ipv6_prefix { struct mirage_ipv6 addr; uint8_t len; };
struct mirage_arg {
    const char *name; enum mirage_arg_type type; const char *doc; const char *default_text;
    void *value;
    char short_name;
};
int mirage_argv_parse(const struct mirage_arg *args, size_t nargs, int argc, char **argv,
                      const char *prog);
int mirage_arg_parse_value(enum mirage_arg_type type, char *text, void *out);

int mirage_connect_failed(const char *var, const char *impl, const char *where, int err);

const char *fake_console_data(void);
size_t fake_console_len(void);
size_t fake_console_writes(void);
size_t fake_console_max_write(void);
void fake_set_time(uint64_t ns);
void fake_set_wall(uint64_t ns);
int fake_schedule_ready(uint64_t at_ns, uint64_t mask);
size_t fake_yields(void);
uint64_t fake_deadline(size_t i);
bool fake_stuck(void);
void fake_reset(void);

char *oracle_format(const char *fmt, ...);
void oracle_free(char *s);
"""

# C type of each argument's storage, by mirage_arg_type name.
STORAGE = {
    "STRING": "const char *[1]",
    "INT": "int64_t[1]",
    "BOOL": "bool[1]",
    "STRING_LIST": "struct mirage_strings[1]",
    "IPV4": "struct mirage_ipv4[1]",
    "IPV4_PREFIX": "struct mirage_ipv4_prefix[1]",
    "IPV6": "struct mirage_ipv6[1]",
    "IPV6_PREFIX": "struct mirage_ipv6_prefix[1]",
}


@functools.cache
def core() -> tuple[Any, Any]:
    """(ffi, lib) for the runtime core on the fake platform (built once per session)."""
    return build("mirage_core", [*CORE_SOURCES, HERE / "fake_platform.c",
                                 HERE / "format_oracle.c"], CDEF)


def console_output() -> bytes:
    ffi, lib = core()
    return ffi.buffer(lib.fake_console_data(), lib.fake_console_len())[:]


def reset() -> None:
    """Fresh fake platform and an idle loop (nothing armed, watched or held)."""
    ffi, lib = core()
    for handle in range(64):
        lib.mirage_loop_watch(handle, ffi.NULL, ffi.NULL)
    for _ in range(64):
        lib.mirage_loop_release()
    lib.mirage_run()  # drains leftover timers and consumes a pending exit
    lib.fake_reset()


class Callbacks:
    """Python functions usable as (mirage_callback, ctx) pairs. Exceptions raised in
    a callback cannot cross C, so they are kept and re-raised by check()."""

    def __init__(self) -> None:
        ffi, _ = core()
        self._handles: list[Any] = []
        self.errors: list[BaseException] = []

        def onerror(exc_type: Any, exc: BaseException, tb: Any) -> None:
            self.errors.append(exc)

        @ffi.callback("void(void *)", onerror=onerror)
        def trampoline(ctx: Any) -> None:
            ffi.from_handle(ctx)()

        self.fn = trampoline

    def ctx(self, fn: Callable[[], object]) -> Any:
        ffi, _ = core()
        handle = ffi.new_handle(fn)
        self._handles.append(handle)
        return handle

    def check(self) -> None:
        if self.errors:
            raise self.errors[0]
