"""Build the hvt tender and hvt test guests for the hvt tests.

The tender is a plain host program (`cc -O2 -Wall -Wextra -Werror`, no extra
libraries). Guests are compiled and linked like real hvt images: freestanding,
gcc's own headers plus the mirage libc, no SSE (`-mgeneral-regs-only`: the
nested KVM here dies on any SSE instruction), `ld -T targets/hvt/hvt.ld`.
Caching and digests come from tests/cbuild.py, running and the shared guest
sources (manifest.c, support.h, block.c, net.c) from the spt tests. Objects
are cached one by one, so the bindings and the libc are compiled once for all
guests.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests import machine
from tests.cbuild import ROOT, cache_dir, digest, publish, tmp_path_for
from tests.tender import sptbuild
from tests.tender.sptbuild import GCC_INCLUDE, run  # noqa: F401  (run: re-exported)

CACHE = cache_dir("test-hvt", "hvt")
HVT_GUESTS = Path(__file__).resolve().parent / "guests"
TENDER_GUESTS = sptbuild.GUESTS  # manifest.c, support.h, block.c, net.c are shared
SOLO5 = sptbuild.SOLO5
HVT = ROOT / "targets" / "hvt"
LIBC = ROOT / "runtime_c" / "libc"

TENDER_SOURCES = sorted((HVT / "tender").glob("*.c")) + sorted((SOLO5 / "tender").glob("*.c"))
TENDER_HEADERS = (sorted((HVT / "tender").glob("*.h")) + sorted((SOLO5 / "tender").glob("*.h"))
                  + sorted((SOLO5 / "include").rglob("*.h")))
BINDINGS = sorted((HVT / "bindings").glob("*.c")) + sorted((SOLO5 / "bindings").glob("*.c"))
# The libc's printf runs on the runtime's format engine: always linked together.
LIBC_SOURCES = sorted(LIBC.glob("*.c")) + [ROOT / "runtime_c" / "core" / "format.c"]
GUEST_HEADERS = (sorted((HVT / "bindings").glob("*.h")) + sorted((SOLO5 / "bindings").glob("*.h"))
                 + sorted((SOLO5 / "include").rglob("*.h")) + sorted(TENDER_GUESTS.glob("*.h"))
                 + sorted(HVT_GUESTS.glob("*.h")) + sorted(LIBC.rglob("*.h"))
                 + sorted((ROOT / "runtime_c" / "core").glob("*.h"))
                 + sorted((ROOT / "runtime_c" / "include").rglob("*.h")))
LINKER_SCRIPT = HVT / "hvt.ld"

SPT_TARGET, HVT_TARGET, ABI_VERSION = 2, 1, 2

TENDER_CFLAGS = ["-O2", "-Wall", "-Wextra", "-Werror", f"-I{SOLO5 / 'include'}"]


def build_tender() -> Path:
    """mirage-hvt, built from targets/hvt/tender and targets/solo5/tender."""
    key = digest([" ".join(TENDER_CFLAGS).encode(),
                  *(p.read_bytes() for p in TENDER_SOURCES + TENDER_HEADERS)])
    final = CACHE / f"tender-{key}"
    exe = final / "mirage-hvt"
    if not exe.exists():
        tmp = tmp_path_for(final)
        tmp.mkdir(parents=True, exist_ok=True)
        subprocess.run(["cc", *TENDER_CFLAGS, "-o", str(tmp / "mirage-hvt"),
                        *map(str, TENDER_SOURCES)], check=True)
        publish(tmp, final)
    return exe


GUEST_CFLAGS = [
    "-ffreestanding", "-nostdinc", "-isystem", GCC_INCLUDE, "-isystem", str(LIBC / "include"),
    "-fno-pie", "-fno-pic", "-static", "-mno-red-zone", "-mgeneral-regs-only",
    "-O2", "-std=c11", "-Wall", "-Wextra", "-Werror",
    "-fstack-protector-strong", "-mstack-protector-guard=global",
    "-ffunction-sections", "-fdata-sections", "-fno-asynchronous-unwind-tables",
    f"-ffile-prefix-map={ROOT}=.",
    f"-I{SOLO5 / 'include'}", f"-I{ROOT / 'runtime_c' / 'include'}",
]
LDFLAGS = ["-nostdlib", "-static", "-T", str(LINKER_SCRIPT), "-z", "max-page-size=0x1000",
           "--build-id=none", "--gc-sections", "--orphan-handling=error",
           # support.c records what the bindings give the allocator.
           "--wrap=mirage_heap_init"]


def _guest_source(main: str) -> Path:
    own = HVT_GUESTS / f"{main}.c"
    return own if own.exists() else TENDER_GUESTS / f"{main}.c"


def _compile(src: Path, extra: list[str], headers_key: str) -> Path:
    """One object, cached by its source, flags and every header it may include
    (the bindings and the libc are shared by all guests: compiled once)."""
    key = digest([f"{src}:{' '.join(GUEST_CFLAGS + extra)}".encode(), src.read_bytes(),
                  headers_key.encode()])
    obj = CACHE / "obj" / f"{src.stem}-{key}.o"
    if not obj.exists():
        obj.parent.mkdir(parents=True, exist_ok=True)
        tmp = obj.with_name(f"{obj.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        subprocess.run(["cc", *GUEST_CFLAGS, *extra, "-c", "-o", str(tmp), str(src)], check=True)
        publish(tmp, obj)
    return obj


def build_guest(main: str, *, manifest: str = "EMPTY", target: int = HVT_TARGET,
                version: int = ABI_VERSION) -> Path:
    """Link <main>.c (tests/hvt/guests, else tests/tender/guests) with the hvt
    bindings, the mirage libc, the ABI note for (target, version) and the
    example manifest MANIFEST_<manifest> into an hvt image."""
    units: list[tuple[Path, list[str]]] = [
        (SOLO5 / "abi_note.c", [f"-DSOLO5_ABI_TARGET={target}", f"-DSOLO5_ABI_VERSION={version}"]),
        (TENDER_GUESTS / "manifest.c", [f"-DMANIFEST_{manifest}"]),
        (HVT_GUESTS / "support.c", []),
        *((b, []) for b in BINDINGS),
        *((c, []) for c in LIBC_SOURCES),
        (_guest_source(main), []),
    ]
    headers_key = digest([p.read_bytes() for p in GUEST_HEADERS])
    key = digest([main.encode(), manifest.encode(), f"{target}.{version}".encode(),
                  " ".join(GUEST_CFLAGS + LDFLAGS).encode(), LINKER_SCRIPT.read_bytes(),
                  *(f"{src}:{' '.join(extra)}".encode() + src.read_bytes() for src, extra in units),
                  headers_key.encode()])
    final = CACHE / f"guest-{main}-{manifest}-{key}"
    image = final / f"{main}.hvt"
    if not image.exists():
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            objects = list(pool.map(lambda u: _compile(u[0], u[1], headers_key), units))
        tmp = tmp_path_for(final)
        tmp.mkdir(parents=True, exist_ok=True)
        try:
            subprocess.run(["ld", *LDFLAGS, "-o", str(tmp / image.name), *map(str, objects)],
                           check=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        publish(tmp, final)
    return image


# KVM ioctls, for the capability check: _IO(0xAE, 0x00) and _IO(0xAE, 0x01).
kvm_unusable = machine.kvm_unusable
