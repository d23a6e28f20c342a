"""Boot-argument defaults checked by the C parser the image itself uses (runtime_c/core/argv.c),
so a default that Python accepts and the unikernel refuses (an IPv6 scope, "fe80::1%eth0")
cannot build. The parser is compiled once per content into a small host library in the
user's cache folder and loaded through cffi."""
from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .paths import RUNTIME

# What argv.c needs beyond the host's libc: the runtime's printer and exit (never reached).
_STUBS = b"""
#include <stdlib.h>
void mirage_core_printf(const char *fmt, ...) { (void)fmt; }
_Noreturn void mirage_platform_exit(int status) { exit(status); }
"""
_SOURCES = (RUNTIME / "core" / "argv.c", RUNTIME / "include" / "mirage" / "argv.h",
            RUNTIME / "include" / "mirage" / "errors.h")


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mirage-tools"


@cache
def _parser() -> Any:
    digest = hashlib.sha256(_STUBS + b"".join(p.read_bytes() for p in _SOURCES)).hexdigest()[:16]
    lib = _cache_dir() / f"argcheck-{digest}.so"
    if not lib.exists():
        lib.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=lib.parent) as tmp:
            stubs = Path(tmp) / "stubs.c"
            stubs.write_bytes(_STUBS)
            out = Path(tmp) / lib.name
            cmd = [os.environ.get("CC", "cc"), "-std=c11", "-O1", "-fPIC", "-shared", f"-I{RUNTIME / 'include'}",
                   "-o", str(out), str(_SOURCES[0]), str(stubs)]
            try:
                done = subprocess.run(cmd, capture_output=True, text=True)
            except OSError as e:
                raise ConfigError(f"cannot compile the boot-argument parser to check defaults: {e.strerror}",
                                  hint="install a C compiler (Debian: apt-get install build-essential)") from None
            if done.returncode != 0:
                raise ConfigError(f"cannot compile the boot-argument parser to check defaults:\n{done.stderr}")
            out.replace(lib)  # atomic: a concurrent build sees the whole library or none
    import cffi  # type: ignore[import-untyped]

    ffi = cffi.FFI()
    ffi.cdef("int mirage_arg_parse_value(int type, char *text, void *out);")
    return ffi, ffi.dlopen(str(lib))


def c_parser_accepts(type_index: int, text: str) -> bool:
    """Whether the image's parser takes `text` as a value of the type with this enum value."""
    ffi, lib = _parser()
    buf = ffi.new("char[]", text.encode("utf-8"))
    out = ffi.new("unsigned char[]", 256)  # larger than any value type
    return int(lib.mirage_arg_parse_value(type_index, buf, out)) == 0
