"""The info driver (runtime_c/drivers/info): app_info_connect's checks and key lookup."""
from __future__ import annotations

from typing import Any

import pytest

from tests.runtime.drivers.random.randlib import lib

SHA = "0123456789abcdef" * 4


def connect(name: str | None = "app", target: str | None = "spt", keys: str | None = "target=spt\nnet=socket",
            packages: str | None = "", sha: str | None = SHA) -> tuple[int, Any, list[Any]]:
    ffi, c = lib()
    keep = [ffi.new("char[]", s.encode()) if s is not None else ffi.NULL
            for s in (name, target, keys, packages, sha)]
    out = ffi.new("struct mirage_info *")
    return c.app_info_connect(out, *keep), out, keep


def key(info: Any, name: str) -> str | None:
    ffi, c = lib()
    n = ffi.new("size_t *")
    p = c.mirage_info_key(info, name.encode(), n)
    return None if p == ffi.NULL else ffi.unpack(p, n[0]).decode()


def test_connect_keeps_the_facts_and_counts_lines() -> None:
    ffi, _ = lib()
    rc, info, _keep = connect(keys="target=spt\nnet=socket\nempty=\nflag=true", packages="lwip>=2.1\nzlib")
    assert rc == 0
    assert [ffi.string(getattr(info, f)).decode() for f in ("name", "target", "config_sha256")] == ["app", "spt", SHA]
    assert (info.nkeys, info.npackages) == (4, 2)
    assert [key(info, k) for k in ("target", "net", "empty", "flag", "ne", "nett", "")] == [
        "spt", "socket", "", "true", None, None, None]


def test_no_packages() -> None:
    rc, info, _keep = connect(packages="")
    assert rc == 0 and info.npackages == 0


@pytest.mark.parametrize("field, value", [
    ("sha", SHA[:-1]), ("sha", SHA + "0"), ("sha", SHA.upper()), ("sha", None),
    ("keys", "target=spt\n"), ("keys", "=x"), ("keys", "noequals"), ("keys", "a=1\n\nb=2"),
    ("name", None), ("target", None), ("packages", None), ("keys", None),
])
def test_connect_rejects_malformed_facts(field: str, value: str | None) -> None:
    _, c = lib()
    assert connect(**{field: value})[0] == c.MIRAGE_EINVAL
