"""Fixtures of the virtio tests: test images built once, skipped only when the
machine lacks QEMU or a C toolchain."""
from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.targets.virtio import virtiobuild  # noqa: E402


def require_toolchain() -> None:
    for tool in ("cc", "ld"):
        if shutil.which(tool) is None:
            pytest.skip(f"no {tool} on this machine")


def require_qemu() -> None:
    require_toolchain()
    if shutil.which(virtiobuild.QEMU) is None:
        pytest.skip(f"{virtiobuild.QEMU} is not installed (Debian: apt-get install qemu-system-x86)")


@pytest.fixture(scope="session")
def guest() -> Callable[..., Path]:
    """guest(main, manifest=...) -> image path (built, not booted)."""
    require_toolchain()
    return virtiobuild.build_guest


@pytest.fixture(scope="session")
def hello() -> Path:
    require_toolchain()
    return virtiobuild.build_guest("hello")


@pytest.fixture
def qemu() -> None:
    require_qemu()
