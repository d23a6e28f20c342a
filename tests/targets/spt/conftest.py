"""Fixtures for the spt tender tests: the tender and the test guests, built once."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.targets.spt import sptbuild  # noqa: E402


def _require_host() -> None:
    for tool in ("cc", "ld", "pkg-config"):
        if shutil.which(tool) is None:
            pytest.skip(f"no {tool} on this machine")
    try:
        sptbuild.seccomp_flags()
    except Exception:
        pytest.skip("libseccomp development files (pkg-config libseccomp) are not installed")


@pytest.fixture(scope="session")
def tender() -> Path:
    _require_host()
    return sptbuild.build_tender()


@pytest.fixture(scope="session")
def hello() -> Path:
    _require_host()
    return sptbuild.build_guest("hello")


@pytest.fixture(scope="session")
def guest():
    """guest(main, manifest=..., target=...) -> image path."""
    _require_host()
    return sptbuild.build_guest
