"""Fixtures for the hvt tests: the tender and the test guests, built once, and
`kvm`, which skips a test when this machine cannot run KVM guests.

Image checks (malformed ELF, wrong target, bad options) run without KVM: the
tender validates everything before it opens /dev/kvm."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.targets.hvt import hvtbuild  # noqa: E402


def _require_host() -> None:
    for tool in ("cc", "ld"):
        if shutil.which(tool) is None:
            pytest.skip(f"no {tool} on this machine")


@pytest.fixture(scope="session")
def kvm() -> None:
    why = hvtbuild.kvm_unusable()
    if why:
        pytest.skip(f"hvt guests need KVM: {why}")


@pytest.fixture(scope="session")
def tender() -> Path:
    _require_host()
    return hvtbuild.build_tender()


@pytest.fixture(scope="session")
def hello() -> Path:
    _require_host()
    return hvtbuild.build_guest("hello")


@pytest.fixture(scope="session")
def guest():  # type: ignore[no-untyped-def]
    """guest(main, manifest=..., target=..., version=...) -> hvt image path."""
    _require_host()
    return hvtbuild.build_guest
