"""Unit tests of the SCons glue (mirage_tools/scons/) that need no build: variables,
contexts' compiler discovery, and the objects every image of a target links."""
from __future__ import annotations

from pathlib import Path

import pytest

from mirage_tools.paths import RUNTIME
from mirage_tools.scons import variables
from mirage_tools.scons.context import compiler_include
from mirage_tools.scons.objects import base_sources
from mirage_tools.targets import get_target


@pytest.mark.parametrize("text, size", [("1024", 1024), ("500M", 500 << 20), ("2G", 2 << 30), ("2GiB", 2 << 30),
                                        ("3kb", 3 << 10)])
def test_parse_bytes(text: str, size: int) -> None:
    assert variables.parse_bytes(text) == size


@pytest.mark.parametrize("text", ["", "G", "1.5G", "x2"])
def test_parse_bytes_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        variables.parse_bytes(text)


def test_compiler_include_has_the_freestanding_headers() -> None:
    folder = compiler_include("cc")
    assert all((Path(folder) / h).is_file() for h in ("stddef.h", "stdint.h", "stdarg.h"))


def test_base_sources_follow_the_layers() -> None:
    spt = [p.relative_to(RUNTIME.parent).as_posix() for p in base_sources(get_target("spt"))]
    unix = [p.relative_to(RUNTIME.parent).as_posix() for p in base_sources(get_target("unix"))]
    assert "runtime_c/format/format.c" in spt and "runtime_c/libc/malloc.c" in spt  # our libc below the core
    assert "runtime_c/libc/malloc.c" not in unix and "targets/unix/platform.c" in unix  # the host's libc
    assert not any(p.startswith("runtime_c/drivers/") for p in spt + unix)  # drivers come from the graph
