"""Build Solo5 test guests for the spt, hvt and virtio tests.

A guest is linked like a real image of its target: the bindings its
targets/<name>/target.py lists, the mirage libc (with the runtime's format
engine, which its printf runs on), the ABI note for (target, version), one
example manifest (guests/manifest.c, MANIFEST_<name>), guests/support.c and
the guest itself: guests/<main>.c here, shared by every target, unless the
target has its own guest of that name (tests/targets/hvt/guests, tests/targets/virtio/guests).
Images are linked with --wrap=mirage_heap_init: support.c records what the
bindings give the allocator.

Objects are cached one by one by their source, flags and every header they
may include, so the bindings and the libc are compiled once for all guests;
images are cached by a digest of all their inputs (under build/, or
$MIRAGE_TEST_CACHE).
"""
from __future__ import annotations

import os
import resource
import shutil
import subprocess
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from mirage_tools.targets import expand, get_target
from tests.cbuild import ROOT, digest, publish, tmp_path_for

GUESTS = Path(__file__).resolve().parent / "guests"
SOLO5 = ROOT / "targets" / "solo5"
RUNTIME = ROOT / "runtime_c"
ABI_NOTE = SOLO5 / "abi_note.c"
LIBC_SOURCES = sorted((RUNTIME / "libc").glob("*.c")) + [RUNTIME / "format" / "format.c"]
GCC_INCLUDE = subprocess.run(["cc", "-print-file-name=include"], check=True, capture_output=True,
                             text=True).stdout.strip()


def freestanding_cflags(*extra: str) -> list[str]:
    """What every test guest object is compiled with, plus a target's `extra`."""
    return ["-std=c11", "-Wall", "-Wextra", "-Werror", "-O2",
            "-ffreestanding", "-nostdinc", "-isystem", GCC_INCLUDE, "-isystem", str(RUNTIME / "libc" / "include"),
            "-fno-pie", "-fno-pic", "-mno-red-zone",
            # Exercise the bindings' canary set-up: every guest function with arrays is checked.
            "-fstack-protector-strong", "-mstack-protector-guard=global",
            "-ffunction-sections", "-fdata-sections", "-fno-asynchronous-unwind-tables",
            *(f"-I{d}" for d in get_target("spt").include), f"-I{RUNTIME / 'include'}", f"-I{GUESTS}", *extra]


@dataclass(frozen=True)
class GuestTarget:
    """How one target's test guests are compiled and linked."""

    name: str                  # the folder under targets/
    cache: Path
    greeting: str              # hello.c's first line, "Hello from an spt guest"
    cflags: tuple[str, ...]
    link: tuple[str, ...]      # the link command up to the objects
    libs: tuple[str, ...] = ()  # after the objects
    own_guests: Path | None = None

    @cached_property
    def bindings(self) -> list[Path]:
        """The sources target.py lists, but the ABI note (built per test with its own -D)."""
        return [p for p in expand(get_target(self.name).sources) if p != ABI_NOTE]

    @cached_property
    def linker_script(self) -> Path:
        script = get_target(self.name).linker_script
        assert script is not None
        return script

    @cached_property
    def _headers_key(self) -> str:
        dirs = [ROOT / "targets" / self.name, SOLO5, RUNTIME / "include", RUNTIME / "libc",
                GUESTS, *([self.own_guests] if self.own_guests else [])]
        return digest([p.read_bytes() for d in dirs for p in sorted(d.rglob("*.h"))])

    def _source(self, main: str) -> Path:
        own = self.own_guests / f"{main}.c" if self.own_guests else None
        return own if own is not None and own.exists() else GUESTS / f"{main}.c"

    def _compile(self, src: Path, extra: Sequence[str]) -> Path:
        flags = [*self.cflags, *extra]
        key = digest([f"{src}:{' '.join(flags)}".encode(), src.read_bytes(), self._headers_key.encode()])
        obj = self.cache / "obj" / f"{src.stem}{src.suffix.replace('.', '_')}-{key}.o"
        if not obj.exists():
            obj.parent.mkdir(parents=True, exist_ok=True)
            tmp = obj.with_name(f"{obj.name}.{os.getpid()}.{threading.get_ident()}.tmp")
            subprocess.run(["cc", *flags, "-c", "-o", str(tmp), str(src)], check=True)
            publish(tmp, obj)
        return obj

    def build(self, main: str, *, manifest: str, abi: tuple[int, int]) -> Path:
        """<main>.c with manifest MANIFEST_<manifest> and the ABI note for (target, version)."""
        units: list[tuple[Path, list[str]]] = [
            (ABI_NOTE, [f"-DSOLO5_ABI_TARGET={abi[0]}", f"-DSOLO5_ABI_VERSION={abi[1]}"]),
            (GUESTS / "manifest.c", [f"-DMANIFEST_{manifest}"]),
            (GUESTS / "support.c", []),
            *((p, []) for p in self.bindings + LIBC_SOURCES),
            (self._source(main), [f'-DGUEST_GREETING="{self.greeting}"']),
        ]
        key = digest([main.encode(), manifest.encode(), f"{abi[0]}.{abi[1]}".encode(),
                      " ".join(self.cflags + self.link + self.libs).encode(), self.linker_script.read_bytes(),
                      *(f"{src}:{' '.join(extra)}".encode() + src.read_bytes() for src, extra in units),
                      self._headers_key.encode()])
        final = self.cache / f"guest-{main}-{manifest.lower()}-{key}"
        image = final / f"{main}{get_target(self.name).suffix}"
        if not image.exists():
            with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
                objects = list(pool.map(lambda u: self._compile(*u), units))
            tmp = tmp_path_for(final)
            tmp.mkdir(parents=True, exist_ok=True)
            try:
                subprocess.run([*self.link, "-o", str(tmp / image.name), *map(str, objects), *self.libs],
                               check=True)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
            publish(tmp, final)
        return image


def no_core() -> None:
    """preexec_fn for guests expected to crash: no core files."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
