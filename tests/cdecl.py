"""cffi declarations made from the real headers, never copied by hand: the C preprocessor
expands the headers a test names (with their own includes), and what cffi's parser cannot
take (attributes, _Noreturn, variadic va_list functions) is dropped or neutralised."""
from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from tests.cbuild import ROOT

INCLUDE = ROOT / "runtime_c" / "include"
# Standard headers cffi already knows the types of (uint8_t, size_t, bool, ...): empty.
_STD = ("stdint.h", "stddef.h", "stdbool.h", "stdarg.h", "inttypes.h", "limits.h", "string.h", "stdlib.h")
# cffi cannot call through va_list, and takes no static assertions.
_DROP = re.compile(r"[^;{}]*\b(?:__builtin_)?va_list\b[^;]*;|\b_Static_assert\s*\([^;]*\);")


@cache
def _std_dir() -> Path:
    folder = ROOT / "build" / "test-cdecl-std"
    folder.mkdir(parents=True, exist_ok=True)
    for name in _STD:
        (folder / name).write_text("")
    return folder


@cache
def cdef_of(headers: Sequence[str], include_dirs: Sequence[Path] = ()) -> str:
    """The declarations of `headers` (as `#include <...>` would name them, found in
    runtime_c/include or `include_dirs`), ready for ffi.cdef."""
    source = "".join(f"#include <{h}>\n" for h in headers)
    cmd = ["cc", "-E", "-P", "-nostdinc", *(f"-I{d}" for d in include_dirs), f"-I{_std_dir()}", f"-I{INCLUDE}",
           "-D__attribute__(x)=", "-D_Noreturn=", "-Drestrict=", "-x", "c", "-"]
    text = subprocess.run(cmd, input=source, capture_output=True, text=True, check=True).stdout
    return _DROP.sub("", _without_bodies(text))


def _without_bodies(text: str) -> str:
    """Drop function definitions (static inline helpers): cffi takes declarations only."""
    out, start, depth, body = [], 0, 0, False
    for i, ch in enumerate(text):
        if ch == "{":
            if depth == 0:
                body = text[:i].rstrip().endswith(")")
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0 and body:
                start, body = i + 1, False
                continue
        if depth == 0 and ch in ";}" and not body:
            out.append(text[start:i + 1])
            start = i + 1
    return "".join(out) + text[start:]
