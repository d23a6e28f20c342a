"""The random driver (runtime_c/drivers/random), the log facility and reporter, and the
info driver, built for the host with the runtime core on the fake platform of tests/runtime/core
and loaded through cffi; the Solo5 family's random_seed.c is built on its own (it runs unprivileged on x86)."""
from __future__ import annotations

import functools
from typing import Any

from tests.cbuild import ROOT, build
from tests.cdecl import cdef_of

RANDOM = "runtime_c/drivers/random"
CORE_SOURCES = sorted((ROOT / "runtime_c" / "core").glob("*.c")) + sorted((ROOT / "runtime_c" / "format").glob("*.c"))

CDEF = cdef_of(("mirage/errors.h", "mirage/random.h", "mirage/random_seed.h", "mirage/argv.h", "mirage/log.h",
                "mirage/clock.h", "mirage/reporter.h", "mirage/info.h", "chacha20.h", "drbg.h"),
               (ROOT / RANDOM,)) + """
const char *fake_console_data(void);
size_t fake_console_len(void);
size_t fake_console_writes(void);
void fake_set_time(uint64_t ns);
void fake_set_wall(uint64_t ns);
void fake_reset(void);
"""

SOLO5_CDEF = cdef_of(("mirage/random_seed.h", "random_seed.h"), (ROOT / "targets" / "solo5" / "drivers",))

QUIET, ERROR, WARN, INFO, DEBUG = -1, 0, 1, 2, 3
STAMP_NONE, STAMP_MONOTONIC, STAMP_WALL = 0, 1, 2


@functools.cache
def lib() -> tuple[Any, Any]:
    """(ffi, lib): core + fake platform + random (getrandom seeding) + info, built once."""
    sources = [*CORE_SOURCES, ROOT / "tests" / "runtime" / "core" / "fake_platform.c", f"{RANDOM}/chacha20.c",
               f"{RANDOM}/drbg.c", "targets/unix/drivers/random_seed.c", "runtime_c/drivers/info/info.c"]
    return build("mirage_random", sources, CDEF)


@functools.cache
def solo5_seed() -> tuple[Any, Any]:
    """(ffi, lib) of the Solo5 family's random_seed.c alone, on the host CPU."""
    return build("mirage_seed_solo5", ["targets/solo5/drivers/random_seed.c", f"{RANDOM}/chacha20.c"], SOLO5_CDEF)


def console() -> str:
    ffi, c = lib()
    return ffi.buffer(c.fake_console_data(), c.fake_console_len())[:].decode()


class Args:
    """A boot-argument table of STRING arguments, parsed like generated main.c does; a
    driver gets value(name) as its connect argument. Keep the object alive while used."""

    def __init__(self, specs: dict[str, str], words: list[str]) -> None:
        ffi, c = lib()
        self.keep: list[Any] = []
        self.values: dict[str, Any] = {}
        self.table = ffi.new("struct mirage_arg[]", len(specs))
        for entry, (name, default) in zip(self.table, specs.items()):
            entry.name = self._str(name)
            entry.type = c.MIRAGE_ARG_STRING
            entry.doc = self._str("")
            entry.default_text = self._str(default)
            self.values[name] = self._keep(ffi.new("const char *[1]"))
            entry.value = self.values[name]
        argv = ffi.new("char *[]", [self._str(w) for w in ["uk", *words]])
        self.status = c.mirage_argv_parse(self.table, len(specs), len(words) + 1, argv, b"uk")

    def value(self, name: str) -> Any:
        """The parsed value of `name` (a char *), or NULL when it is not declared."""
        ffi, _ = lib()
        return self.values[name][0] if name in self.values else ffi.NULL

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
