"""Every runtime core file compiles warning-free both for the host and with the
image flags (freestanding, the runtime's own libc headers, no SSE registers)."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.cbuild import ROOT
from tests.runtime.core.corelib import CORE_SOURCES

WARNINGS = ["-std=c11", "-Wall", "-Wextra", "-Werror", "-fsyntax-only"]
INCLUDE = f"-I{ROOT / 'runtime_c' / 'include'}"


def gcc_include() -> str:
    return subprocess.run(["cc", "-print-file-name=include"], check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.mark.parametrize("source", CORE_SOURCES, ids=lambda p: p.name)
def test_core_compiles_for_host_and_image(source: Path) -> None:
    subprocess.run(["cc", *WARNINGS, INCLUDE, str(source)], check=True)
    subprocess.run(["cc", *WARNINGS, "-O2", "-ffreestanding", "-nostdinc", "-mgeneral-regs-only",
                    "-isystem", gcc_include(), "-isystem", str(ROOT / "runtime_c" / "libc" / "include"),
                    INCLUDE, str(source)], check=True)


def test_unix_platform_compiles() -> None:
    subprocess.run(["cc", *WARNINGS, "-Wpedantic", INCLUDE, f"-I{ROOT / 'targets' / 'unix' / 'include'}",
                    str(ROOT / "targets" / "unix" / "platform.c")], check=True)
