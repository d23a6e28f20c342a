"""Compile C sources of the repo into a shared library and load it through cffi (ABI mode).

Used by the host unit tests of the runtime C. Builds are cached by a hash of the
sources, headers and flags, so repeated test runs do not recompile.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import cffi

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("MIRAGE_TEST_CACHE", ROOT / "build" / "test-cffi"))
BASE_FLAGS = ["-std=c11", "-O1", "-g", "-fPIC", "-shared", "-Wall", "-Wextra", "-Werror",
              "-Wl,-Bsymbolic", "-fvisibility=default"]


def _digest(parts: Iterable[bytes]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.hexdigest()[:20]


def build(name: str, sources: Sequence[str | Path], cdef: str, *,
          include_dirs: Sequence[str | Path] = (), cflags: Sequence[str] = ()) -> tuple[Any, Any]:
    """Build `sources` (paths relative to the repo root or absolute) into lib<name>.so
    and return (ffi, lib), lib exposing the declarations in `cdef`."""
    srcs = [Path(s) if Path(s).is_absolute() else ROOT / s for s in sources]
    incs = [Path(i) if Path(i).is_absolute() else ROOT / i for i in include_dirs]
    incs.append(ROOT / "runtime_c" / "include")
    headers = sorted(p for d in incs if d.is_dir() for p in d.rglob("*.h"))
    flags = [*BASE_FLAGS, *(f"-I{d}" for d in incs), *cflags]
    key = _digest([name.encode(), " ".join(flags).encode(),
                   *(p.read_bytes() for p in srcs), *(p.read_bytes() for p in headers)])
    out = CACHE / f"lib{name}-{key}.so"
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(f".{os.getpid()}.tmp")
        subprocess.run(["cc", *flags, "-o", str(tmp), *map(str, srcs)], check=True)
        tmp.replace(out)
    ffi = cffi.FFI()
    ffi.cdef(cdef)
    return ffi, ffi.dlopen(str(out))
