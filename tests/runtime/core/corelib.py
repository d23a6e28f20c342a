"""The target-independent runtime (runtime_c/core) built with the fake platform,
loaded through cffi, plus helpers shared by the tests in this folder."""
from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cbuild import ROOT, build
from tests.cdecl import cdef_of

HERE = Path(__file__).resolve().parent
CORE_SOURCES = sorted((ROOT / "runtime_c" / "core").glob("*.c")) + sorted((ROOT / "runtime_c" / "format").glob("*.c"))

CDEF = cdef_of(("mirage/errors.h", "mirage/loop.h", "mirage/console.h", "mirage/time.h", "mirage/clock.h",
                "mirage/log.h", "mirage/argv.h", "mirage/runtime.h")) + """
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
