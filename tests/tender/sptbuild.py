"""Build the spt tender and spt test guests for the tender tests.

The tender is compiled like a host program (`cc -O2 -Wall -Wextra -Werror` and
libseccomp's pkg-config flags); guests are compiled and linked like real spt
images (freestanding, gcc's own headers only, `ld -T targets/spt/spt.ld`).
Outputs are cached by a digest of their inputs and flags (under build/, or
$MIRAGE_TEST_CACHE), so repeated runs do not rebuild.
"""
from __future__ import annotations

import resource
import subprocess
from collections.abc import Sequence
from pathlib import Path

from tests.cbuild import ROOT, cache_dir, digest, publish, tmp_path_for

CACHE = cache_dir("test-tender", "tender")
# Old names, still imported by tests/hvt/hvtbuild.py.
_digest, _publish = digest, publish
GUESTS = Path(__file__).resolve().parent / "guests"
SOLO5 = ROOT / "targets" / "solo5"
SPT = ROOT / "targets" / "spt"

TENDER_SOURCES = sorted((SPT / "tender").glob("*.c")) + sorted((SOLO5 / "tender").glob("*.c"))
TENDER_HEADERS = (sorted((SPT / "tender").glob("*.h")) + sorted((SOLO5 / "tender").glob("*.h"))
                  + sorted((SOLO5 / "include").glob("*.h")))
BINDINGS = sorted((SPT / "bindings").glob("*.c"))
GUEST_HEADERS = (sorted((SPT / "bindings").glob("*.h")) + sorted((SPT / "include").rglob("*.h"))
                 + sorted((SOLO5 / "include").glob("*.h")) + sorted(GUESTS.glob("*.h"))
                 + sorted((ROOT / "runtime_c" / "include").rglob("*.h")))
LINKER_SCRIPT = SPT / "spt.ld"

SPT_TARGET, HVT_TARGET, ABI_VERSION = 2, 1, 2


def _out(cmd: Sequence[str]) -> str:
    return subprocess.run(list(cmd), check=True, capture_output=True, text=True).stdout.strip()


def seccomp_flags() -> tuple[list[str], list[str]]:
    cflags = _out(["pkg-config", "--cflags", "libseccomp"]).split()
    libs = _out(["pkg-config", "--libs", "libseccomp"]).split()
    return cflags, libs


def build_tender() -> Path:
    """The spt tender, built from targets/spt/tender and targets/solo5/tender."""
    cflags, libs = seccomp_flags()
    flags = ["-O2", "-Wall", "-Wextra", "-Werror", f"-I{SOLO5 / 'include'}", *cflags]
    key = digest([" ".join(flags + libs).encode(),
                  *(p.read_bytes() for p in TENDER_SOURCES + TENDER_HEADERS)])
    final = CACHE / f"tender-{key}"
    exe = final / "mirage-spt"
    if not exe.exists():
        tmp = tmp_path_for(final)
        tmp.mkdir(parents=True, exist_ok=True)
        subprocess.run(["cc", *flags, "-o", str(tmp / "mirage-spt"), *map(str, TENDER_SOURCES), *libs],
                       check=True)
        publish(tmp, final)
    return exe


GCC_INCLUDE = _out(["cc", "-print-file-name=include"])
GUEST_CFLAGS = [
    "-ffreestanding", "-nostdinc", "-isystem", GCC_INCLUDE, "-fno-pie", "-fno-pic", "-static",
    "-mno-red-zone", "-O2", "-std=c11", "-Wall", "-Wextra", "-Werror",
    # Exercise the bindings' canary set-up: every guest function with arrays is checked.
    "-fstack-protector-strong",
    f"-ffile-prefix-map={ROOT}=.",
    f"-I{SOLO5 / 'include'}", f"-I{SPT / 'include'}", f"-I{ROOT / 'runtime_c' / 'include'}",
]
LDFLAGS = ["-nostdlib", "-static", "-T", str(LINKER_SCRIPT), "-z", "max-page-size=0x1000",
           "--build-id=none",
           # Stricter than image builds need: every input section must be placed by spt.ld.
           "--orphan-handling=error"]


def build_guest(main: str, *, manifest: str = "EMPTY", target: int = SPT_TARGET,
                version: int = ABI_VERSION) -> Path:
    """Link guests/<main>.c with the spt bindings, the ABI note for (target,
    version) and the example manifest MANIFEST_<manifest> into an image."""
    units: list[tuple[Path, list[str]]] = [
        (SOLO5 / "abi_note.c", [f"-DSOLO5_ABI_TARGET={target}", f"-DSOLO5_ABI_VERSION={version}"]),
        (GUESTS / "manifest.c", [f"-DMANIFEST_{manifest}"]),
        (GUESTS / "support.c", ["-fno-builtin", "-fno-tree-loop-distribute-patterns"]),
        *((b, []) for b in BINDINGS),
        (GUESTS / f"{main}.c", []),
    ]
    key = digest([main.encode(), manifest.encode(), f"{target}.{version}".encode(),
                  " ".join(GUEST_CFLAGS + LDFLAGS).encode(), LINKER_SCRIPT.read_bytes(),
                  *(f"{src}:{' '.join(extra)}".encode() + src.read_bytes() for src, extra in units),
                  *(p.read_bytes() for p in GUEST_HEADERS)])
    final = CACHE / f"guest-{main}-{key}"
    image = final / f"{main}.spt"
    if not image.exists():
        tmp = tmp_path_for(final)
        tmp.mkdir(parents=True, exist_ok=True)
        objects = []
        for i, (src, extra) in enumerate(units):
            obj = tmp / f"{i:02d}-{src.stem}.o"
            subprocess.run(["cc", *GUEST_CFLAGS, *extra, "-c", "-o", str(obj), str(src)], check=True)
            objects.append(str(obj))
        subprocess.run(["ld", *LDFLAGS, "-o", str(tmp / image.name), *objects], check=True)
        publish(tmp, final)
    return image


def _no_core() -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run(tender: Path, *args: str | Path, timeout: float = 20,
        pass_fds: Sequence[int] = ()) -> subprocess.CompletedProcess[str]:
    """Run the tender; output as text (stdout: the guest, stderr: the tender)."""
    return subprocess.run([str(tender), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, pass_fds=tuple(pass_fds), preexec_fn=_no_core)
