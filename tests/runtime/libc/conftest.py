"""Fixtures of the libc tests (the build itself lives in libc_build.py)."""
from __future__ import annotations

import pytest

from tests.runtime.libc.libc_build import Libc, build_libc


@pytest.fixture(scope="session")
def libc() -> Libc:
    return build_libc()
