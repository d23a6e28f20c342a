"""Build the hvt tender and hvt test guests for the hvt tests.

The tender is a plain host program (`cc -O2 -Wall -Wextra -Werror`, no extra
libraries). Guests are built by tests/targets/solo5/guestbuild.py like real hvt
images: freestanding, the mirage libc, no SSE (`-mgeneral-regs-only`: the
nested KVM here dies on any SSE instruction), `ld -T targets/hvt/hvt.ld`.
They are the shared guests of tests/targets/solo5/guests, and attack.c of
tests/targets/hvt/guests. Running is the spt tests' run().
"""
from __future__ import annotations

import subprocess
from pathlib import Path

from mirage_tools.targets import get_target
from tests import machine
from tests.cbuild import ROOT, cache_dir, digest, publish, tmp_path_for
from tests.targets.solo5.guestbuild import GuestTarget, freestanding_cflags
from tests.targets.spt.sptbuild import run, tender_parts  # noqa: F401  (run re-exported)

CACHE = cache_dir("test-hvt", "hvt")
HVT = get_target("hvt")
LINKER_SCRIPT = HVT.linker_script
TENDER_SOURCES, TENDER_HEADERS, _INCLUDES = tender_parts(HVT)

SPT_TARGET, HVT_TARGET, ABI_VERSION = 2, 1, 2

TENDER_CFLAGS = ["-O2", "-Wall", "-Wextra", "-Werror", *_INCLUDES]


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


GUESTS = GuestTarget(
    name="hvt", cache=CACHE, greeting="Hello from an hvt guest",
    cflags=tuple(freestanding_cflags("-static", "-mgeneral-regs-only", f"-ffile-prefix-map={ROOT}=.")),
    link=("ld", "-nostdlib", "-static", "-T", str(LINKER_SCRIPT), "-z", "max-page-size=0x1000",
          "--build-id=none", "--gc-sections", "--orphan-handling=error", "--wrap=mirage_heap_init"),
    own_guests=Path(__file__).resolve().parent / "guests",
)


def build_guest(main: str, *, manifest: str = "EMPTY", target: int = HVT_TARGET,
                version: int = ABI_VERSION) -> Path:
    """<main>.c (tests/targets/hvt/guests, else tests/targets/solo5/guests) linked with the hvt
    bindings, the mirage libc, the ABI note for (target, version) and the
    example manifest MANIFEST_<manifest> into an hvt image."""
    return GUESTS.build(main, manifest=manifest, abi=(target, version))


# KVM ioctls, for the capability check: _IO(0xAE, 0x00) and _IO(0xAE, 0x01).
kvm_unusable = machine.kvm_unusable
