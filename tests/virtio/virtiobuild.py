"""Build virtio test images and boot them under QEMU (TCG).

Guests are compiled and linked the way the SCons target context builds
freestanding images (gcc's own headers plus the mirage libc, per-function
sections, `-Wl,--gc-sections`, `-T targets/virtio/virtio.ld`), from the virtio
bindings, the shared Solo5 helpers, the ABI note for target 3 (virtio)
version 1, an example manifest, the libc and one guest. Outputs are cached
by a digest of their inputs and flags (under build/, or $MIRAGE_TEST_CACHE).
"""
from __future__ import annotations

import hashlib
import os
import resource
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = (Path(os.environ["MIRAGE_TEST_CACHE"]) / "virtio" if "MIRAGE_TEST_CACHE" in os.environ
         else ROOT / "build" / "test-virtio")
GUESTS = Path(__file__).resolve().parent / "guests"
VIRTIO = ROOT / "targets" / "virtio"
SOLO5 = ROOT / "targets" / "solo5"
RUNTIME = ROOT / "runtime_c"
LINKER_SCRIPT = VIRTIO / "virtio.ld"
QEMU = "qemu-system-x86_64"

ABI_TARGET, ABI_VERSION = 3, 1

BINDINGS = (sorted((VIRTIO / "bindings").glob("*.c")) + sorted((VIRTIO / "bindings").glob("*.S"))
            + sorted((SOLO5 / "bindings").glob("*.c")))
LIBC = sorted((RUNTIME / "libc").glob("*.c")) + [RUNTIME / "core" / "format.c"]
HEADERS = (sorted((VIRTIO / "bindings").glob("*.h")) + sorted((SOLO5 / "bindings").glob("*.h"))
           + sorted((SOLO5 / "include").rglob("*.h")) + sorted((RUNTIME / "include").rglob("*.h"))
           + sorted((RUNTIME / "libc").rglob("*.h")) + sorted((RUNTIME / "core").glob("*.h"))
           + sorted(GUESTS.glob("*.h")))


def _out(cmd: Sequence[str]) -> str:
    return subprocess.run(list(cmd), check=True, capture_output=True, text=True).stdout.strip()


GCC_INCLUDE = _out(["cc", "-print-file-name=include"])
CFLAGS = [
    "-std=c11", "-Wall", "-Wextra", "-Werror", "-O2",
    "-mno-red-zone", "-fno-pie", "-fno-pic", "-fstack-protector-strong", "-mstack-protector-guard=global",
    "-ffreestanding", "-nostdinc", "-isystem", GCC_INCLUDE,
    "-ffunction-sections", "-fdata-sections", "-fno-asynchronous-unwind-tables",
    f"-ffile-prefix-map={ROOT}/=",
    f"-I{RUNTIME / 'include'}", f"-I{SOLO5 / 'include'}", "-isystem", str(RUNTIME / "libc" / "include"),
    f"-DSOLO5_ABI_TARGET={ABI_TARGET}", f"-DSOLO5_ABI_VERSION={ABI_VERSION}",
]
LINKFLAGS = ["-nostdlib", "-static", "-no-pie", "-Wl,-z,max-page-size=0x1000", "-Wl,--build-id=none",
             "-Wl,--gc-sections", f"-Wl,-T,{LINKER_SCRIPT}",
             # Stricter than image builds need: every input section must be placed by virtio.ld.
             "-Wl,--orphan-handling=error"]


def _digest(parts: Iterable[bytes]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.hexdigest()[:20]


def build_guest(main: str, *, manifest: str = "EMPTY") -> Path:
    """guests/<main>.c with manifest MANIFEST_<manifest>, linked into <main>.virtio."""
    units: list[tuple[Path, list[str]]] = [
        (SOLO5 / "abi_note.c", []),
        (GUESTS / "manifest.c", [f"-DMANIFEST_{manifest}"]),
        *((p, []) for p in BINDINGS + LIBC),
        (GUESTS / f"{main}.c", []),
    ]
    key = _digest([main.encode(), manifest.encode(), " ".join(CFLAGS + LINKFLAGS).encode(),
                   LINKER_SCRIPT.read_bytes(),
                   *(f"{src}:{' '.join(extra)}".encode() + src.read_bytes() for src, extra in units),
                   *(p.read_bytes() for p in HEADERS)])
    final = CACHE / f"{main}-{manifest.lower()}-{key}"
    image = final / f"{main}.virtio"
    if not image.exists():
        tmp = CACHE / f"{main}-{key}.{os.getpid()}.tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        objects = []
        for i, (src, extra) in enumerate(units):
            obj = tmp / f"{i:02d}-{src.stem}{src.suffix.replace('.', '_')}.o"
            subprocess.run(["cc", *CFLAGS, *extra, "-c", "-o", str(obj), str(src)], check=True)
            objects.append(str(obj))
        subprocess.run(["cc", *LINKFLAGS, "-o", str(tmp / image.name), *objects, "-lgcc"], check=True)
        try:
            tmp.rename(final)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
    return image


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


def _no_core() -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run(image: Path, *args: str, timeout: float = 60, extra: Sequence[str] = (),
        prefix: Sequence[str] = (), mem_mib: int = 128) -> subprocess.CompletedProcess[str]:
    """Boot the image; stdout is the guest console, stderr QEMU's own messages."""
    return subprocess.run([*prefix, *qemu_command(image, args, mem_mib=mem_mib, extra=extra)],
                          capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, preexec_fn=_no_core)
