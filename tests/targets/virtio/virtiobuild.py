"""Build virtio test images and boot them under QEMU (TCG).

Guests are built by tests/targets/solo5/guestbuild.py the way the SCons target
context builds freestanding images (gcc's own headers plus the mirage libc,
per-function sections, `-Wl,--gc-sections`, `-T targets/virtio/virtio.ld`),
from the virtio bindings, the shared Solo5 helpers, the ABI note for target 3
(virtio) version 1, an example manifest, the libc and one guest: the shared
guests of tests/targets/solo5/guests, and ping.c and tiny.c of tests/targets/virtio/guests.
Outputs are cached by a digest of their inputs and flags (under build/, or
$MIRAGE_TEST_CACHE).
"""
from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from tests.cbuild import ROOT, cache_dir
from tests.targets.solo5.guestbuild import GuestTarget, freestanding_cflags, no_core

CACHE = cache_dir("test-virtio", "virtio")
VIRTIO = ROOT / "targets" / "virtio"
LINKER_SCRIPT = VIRTIO / "virtio.ld"
QEMU = "qemu-system-x86_64"

ABI_TARGET, ABI_VERSION = 3, 1

CFLAGS = freestanding_cflags(f"-ffile-prefix-map={ROOT}/=")
GUESTS = GuestTarget(
    name="virtio", cache=CACHE, greeting="Hello from a virtio guest", cflags=tuple(CFLAGS),
    link=("cc", "-nostdlib", "-static", "-no-pie", "-Wl,-z,max-page-size=0x1000", "-Wl,--build-id=none",
          "-Wl,--gc-sections", f"-Wl,-T,{LINKER_SCRIPT}",
          # Stricter than image builds need: every input section must be placed by virtio.ld.
          "-Wl,--orphan-handling=error", "-Wl,--wrap=mirage_heap_init"),
    libs=("-lgcc",),
    own_guests=Path(__file__).resolve().parent / "guests",
)
BINDINGS = GUESTS.bindings


def build_guest(main: str, *, manifest: str = "EMPTY") -> Path:
    """<main>.c (tests/targets/virtio/guests, else tests/targets/solo5/guests) with manifest
    MANIFEST_<manifest>, linked into <main>.virtio."""
    return GUESTS.build(main, manifest=manifest, abi=(ABI_TARGET, ABI_VERSION))


def qemu_command(image: Path, args: Sequence[str] = (), *, mem_mib: int = 128,
                 extra: Sequence[str] = ()) -> list[str]:
    """The QEMU line that boots a virtio image here (TCG; -accel kvm fails on this host)."""
    cmd = [QEMU, "-cpu", "Westmere", "-m", str(mem_mib), "-nodefaults", "-no-user-config",
           "-machine", "pc,accel=tcg,acpi=off", "-display", "none", "-serial", "stdio",
           "-device", "isa-debug-exit", "-no-reboot", "-kernel", str(image)]
    if args:
        cmd += ["-append", " ".join(args)]
    return cmd + list(extra)


def guest_status(qemu_status: int) -> int | None:
    """The guest's exit status from QEMU's: isa-debug-exit makes it (s << 1) | 1."""
    return qemu_status >> 1 if qemu_status & 1 else None


def run(image: Path, *args: str, timeout: float = 60, extra: Sequence[str] = (),
        prefix: Sequence[str] = (), mem_mib: int = 128) -> subprocess.CompletedProcess[str]:
    """Boot the image; stdout is the guest console, stderr QEMU's own messages."""
    return subprocess.run([*prefix, *qemu_command(image, args, mem_mib=mem_mib, extra=extra)],
                          capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, preexec_fn=no_core)
