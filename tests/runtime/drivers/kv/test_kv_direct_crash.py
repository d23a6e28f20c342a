"""direct_kv_rw after a crash, through cffi: temporary files a set left behind are never
listed nor read as keys, and connect removes them; no key may take their names; a set
leaves no temporary file. (That writes survive a power cut: tests/e2e/test_power_cut.py.)"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.runtime.drivers.kv.kvlib import kvlib


def _listing(kv: Any, key: bytes) -> list[str]:
    ffi, lib = kvlib()
    names: list[str] = []

    @ffi.callback("mirage_kv_list_fn")
    def collect(ctx: Any, name: Any, kind: int) -> None:
        names.append(ffi.string(name).decode())

    assert lib.mirage_kv_ro_list(ffi.addressof(kv, "ro"), key, collect, ffi.NULL) == 0
    return names


def test_temporary_files_are_hidden_and_removed_at_connect(tmp_path: Path) -> None:
    ffi, lib = kvlib()
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "k").write_bytes(b"old")
    (tmp_path / "a" / ".mirage-kv-Ab12Cd").write_bytes(b"ne")  # a set cut short by a crash
    (tmp_path / ".mirage-kv-XyZ123").write_bytes(b"")
    ro = ffi.new("struct mirage_kv_ro *")
    assert lib.direct_kv_ro_connect(ro, str(tmp_path).encode()) == 0  # read-only: hidden, kept
    kind = ffi.new("enum mirage_kv_kind *")
    assert lib.mirage_kv_ro_exists(ro, b"a/.mirage-kv-Ab12Cd", kind) == lib.MIRAGE_ENOENT
    assert (tmp_path / "a" / ".mirage-kv-Ab12Cd").exists()
    kv = ffi.new("struct mirage_kv_rw *")
    assert lib.direct_kv_rw_connect(kv, str(tmp_path).encode()) == 0
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a", "k"]
    assert _listing(kv, b"a") == ["k"] and _listing(kv, b"") == ["a"]
    assert lib.mirage_kv_rw_set(kv, b"a/.mirage-kv-mine", b"x", 1) == lib.MIRAGE_EINVAL
    assert lib.mirage_kv_rw_set(kv, b"a/k", b"new", 3) == 0
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a", "k"]  # no temporary left
    assert (tmp_path / "a" / "k").read_bytes() == b"new"
