"""Compile C sources of the repo into a shared library and load it through cffi (ABI mode).

Used by the host unit tests of the runtime C. Builds are cached by a hash of the
sources, headers and flags, so repeated test runs do not recompile. The caching
helpers (cache_dir, digest, publish) are shared with the other test builds
(tests/runtime/libc/libc_build.py, tests/targets/spt/sptbuild.py).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def cache_dir(default: str, subdir: str = "") -> Path:
    """Where a test build keeps its outputs: $MIRAGE_TEST_CACHE (its `subdir` if
    given), else build/<default> in the repository."""
    if "MIRAGE_TEST_CACHE" in os.environ:
        return Path(os.environ["MIRAGE_TEST_CACHE"]) / subdir
    return ROOT / "build" / default


def digest(parts: Iterable[bytes]) -> str:
    """A short hash of the build inputs (each part length-prefixed: no ambiguity)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.hexdigest()[:20]


def tmp_path_for(final: Path) -> Path:
    """A private name next to `final` to build it under, then publish()."""
    return final.with_name(f"{final.name}.{os.getpid()}.tmp")


def publish(tmp: Path, final: Path) -> None:
    """Move a finished build (a file or a directory) into place atomically. Another
    process may win the race for a directory: its copy is as good, drop ours."""
    if tmp.is_dir():
        try:
            tmp.rename(final)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
    else:
        tmp.replace(final)


CACHE = cache_dir("test-cffi")
BASE_FLAGS = ["-std=c11", "-O1", "-g", "-fPIC", "-shared", "-Wall", "-Wextra", "-Werror",
              "-Wl,-Bsymbolic", "-fvisibility=default"]


def build(name: str, sources: Sequence[str | Path], cdef: str, *,
          include_dirs: Sequence[str | Path] = (), cflags: Sequence[str] = ()) -> tuple[Any, Any]:
    """Build `sources` (paths relative to the repo root or absolute) into lib<name>.so
    and return (ffi, lib), lib exposing the declarations in `cdef`."""
    srcs = [Path(s) if Path(s).is_absolute() else ROOT / s for s in sources]
    incs = [Path(i) if Path(i).is_absolute() else ROOT / i for i in include_dirs]
    incs.append(ROOT / "runtime_c" / "include")
    headers = sorted(p for d in incs if d.is_dir() for p in d.rglob("*.h"))
    flags = [*BASE_FLAGS, *(f"-I{d}" for d in incs), *cflags]
    key = digest([name.encode(), " ".join(flags).encode(),
                  *(p.read_bytes() for p in srcs), *(p.read_bytes() for p in headers)])
    out = CACHE / f"lib{name}-{key}.so"
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = tmp_path_for(out)
        subprocess.run(["cc", *flags, "-o", str(tmp), *map(str, srcs)], check=True)
        publish(tmp, out)
    import cffi  # here, so the helpers above serve builds that do not load through cffi

    ffi = cffi.FFI()
    ffi.cdef(cdef)
    return ffi, ffi.dlopen(str(out))
