"""Build the spt tender and spt test guests for the tender tests.

The tender is compiled like a host program (`cc -O2 -Wall -Wextra -Werror` and
libseccomp's pkg-config flags). Guests are built by tests/targets/solo5/guestbuild.py
like real spt images (freestanding, the mirage libc, `ld -T targets/spt/spt.ld`).
Outputs are cached by a digest of their inputs and flags (under build/, or
$MIRAGE_TEST_CACHE), so repeated runs do not rebuild.
"""
from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from mirage_tools.targets import Target, expand, get_target
from tests.cbuild import ROOT, cache_dir, digest, publish, tmp_path_for
from tests.targets.solo5.guestbuild import GuestTarget, freestanding_cflags, no_core

CACHE = cache_dir("test-tender", "tender")
SPT = get_target("spt")
LINKER_SCRIPT = SPT.linker_script


def tender_parts(target: Target) -> tuple[list[Path], list[Path], list[str]]:
    """A tender's sources, headers and -I flags, as its target descriptor lists them."""
    assert target.tender is not None
    headers = sorted(p for d in target.tender.include for p in Path(d).rglob("*.h"))
    headers += sorted(p for s in expand(target.tender.sources) for p in s.parent.glob("*.h"))
    return expand(target.tender.sources), headers, [f"-I{d}" for d in target.tender.include]

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
    sources, headers, includes = tender_parts(SPT)
    flags = ["-O2", "-Wall", "-Wextra", "-Werror", *includes, *cflags]
    key = digest([" ".join(flags + libs).encode(), *(p.read_bytes() for p in sources + headers)])
    final = CACHE / f"tender-{key}"
    exe = final / "mirage-spt"
    if not exe.exists():
        tmp = tmp_path_for(final)
        tmp.mkdir(parents=True, exist_ok=True)
        subprocess.run(["cc", *flags, "-o", str(tmp / "mirage-spt"), *map(str, sources), *libs],
                       check=True)
        publish(tmp, final)
    return exe


GUESTS = GuestTarget(
    name="spt", cache=CACHE, greeting="Hello from an spt guest",
    cflags=tuple(freestanding_cflags("-static", f"-ffile-prefix-map={ROOT}=.")),
    link=("ld", "-nostdlib", "-static", "-T", str(LINKER_SCRIPT), "-z", "max-page-size=0x1000",
          "--build-id=none", "--gc-sections",
          # Stricter than image builds need: every input section must be placed by spt.ld.
          "--orphan-handling=error", "--wrap=mirage_heap_init"),
)


def build_guest(main: str, *, manifest: str = "EMPTY", target: int = SPT_TARGET,
                version: int = ABI_VERSION) -> Path:
    """guests/<main>.c linked with the spt bindings, the ABI note for (target,
    version) and the example manifest MANIFEST_<manifest> into an spt image."""
    return GUESTS.build(main, manifest=manifest, abi=(target, version))


def run(tender: Path, *args: str | Path, timeout: float = 20,
        pass_fds: Sequence[int] = ()) -> subprocess.CompletedProcess[str]:
    """Run the tender; output as text (stdout: the guest, stderr: the tender)."""
    return subprocess.run([str(tender), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, pass_fds=tuple(pass_fds), preexec_fn=no_core)
