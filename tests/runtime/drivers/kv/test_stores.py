"""crunch, kv_rw_mem, direct_kv_ro and direct_kv_rw through cffi, against Python models:
every kv_ro operation (exists, size, get, get_partial at random offsets, list, digest,
last_modified) on every key and on invalid ones, and random sequences of kv_rw operations
(set, set_partial, remove, rename) with their results. The host-folder stores also never
reach outside their folder: not through "..", absolute keys nor symlinks."""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.runtime.drivers.kv.kvlib import kvlib, last_log
from tests.runtime.drivers.kv.model import DICT, VALUE, Model, check_store, trees
from tests.runtime.drivers.kv.rwmodel import OPS, RwModel, pick


def crunch_store(files: dict[str, bytes], mtimes: dict[str, int]) -> tuple[Any, list[Any]]:
    """A crunch store over an index built the way the generated one is (sorted by key)."""
    ffi, lib = kvlib()
    keys = sorted(files, key=str.encode)
    table = ffi.new("struct mirage_crunch_file[]", max(len(keys), 1))
    keep: list[Any] = [table]
    for i, key in enumerate(keys):
        name = ffi.new("char[]", key.encode())
        data = ffi.new("uint8_t[]", files[key] or b"\0")
        keep += [name, data]
        table[i].key, table[i].data, table[i].size = name, data, len(files[key])
        table[i].sha256 = list(hashlib.sha256(files[key]).digest())
        table[i].mtime_ns = mtimes[key]
    index = ffi.new("struct mirage_crunch_index *", {"count": len(keys), "files": table})
    kv = ffi.new("struct mirage_kv_ro *")
    keep += [index, kv]
    assert lib.crunch_connect(kv, b"crunch", index) == 0
    return kv, keep


@settings(max_examples=150, deadline=None)
@given(tree=trees(dirs=False), seed=st.integers(0, 1000))
def test_crunch(tree, seed) -> None:
    files, _ = tree
    mtimes = {k: (i + 1) * 10**9 + i for i, k in enumerate(files)}
    kv, _keep = crunch_store(files, mtimes)
    check_store(kv, Model(files, set(), mtimes), seed)


def apply(lib: Any, kv: Any, model: RwModel, ops: list[tuple[Any, ...]]) -> None:
    """Run ops on the C store and on the model; every result must agree."""
    for step, op in enumerate(ops):
        model.now = (step + 1) * 1_000_000_007
        lib.stub_set_now(model.now)
        name, key = op[0], pick(op[1], model.files)
        if name == "set":
            rc, expect = lib.mirage_kv_rw_set(kv, key.encode(), op[2], len(op[2])), model.set(key, op[2])
        elif name == "set_partial":
            offset, data = op[2], op[3]
            rc = lib.mirage_kv_rw_set_partial(kv, key.encode(), offset, data, len(data))
            expect = model.set_partial(key, offset, data)
        elif name == "remove":
            rc, expect = lib.mirage_kv_rw_remove(kv, key.encode()), model.remove(key)
        else:
            dest = pick(op[2], model.files)
            rc, expect = lib.mirage_kv_rw_rename(kv, key.encode(), dest.encode()), model.rename(key, dest)
        assert rc == expect, (step, op, key, model.files)


def mem_store() -> Any:
    ffi, lib = kvlib()
    kv = ffi.new("struct mirage_kv_rw *")
    assert lib.kv_rw_mem_connect(kv, b"mem") == 0
    return kv


@settings(max_examples=250, deadline=None)
@given(ops=OPS, seed=st.integers(0, 1000))
def test_kv_rw_mem(ops, seed) -> None:
    ffi, lib = kvlib()
    kv = mem_store()
    model = RwModel()
    apply(lib, kv, model, ops)
    check_store(ffi.addressof(kv, "ro"), Model(model.files, set(), model.mtimes), seed)


def test_kv_rw_mem_examples() -> None:
    ffi, lib = kvlib()
    kv = mem_store()
    ro = ffi.addressof(kv, "ro")
    assert lib.mirage_kv_rw_set(kv, b"/dir/sub/file", b"hello", 5) == 0
    kind = ffi.new("enum mirage_kv_kind *")
    assert lib.mirage_kv_ro_exists(ro, b"dir/sub", kind) == 0 and kind[0] == DICT
    assert lib.mirage_kv_rw_set(kv, b"dir/sub", b"x", 1) == lib.MIRAGE_EINVAL       # a folder
    assert lib.mirage_kv_rw_set(kv, b"dir/sub/file/x", b"x", 1) == lib.MIRAGE_EINVAL  # below a value
    assert lib.mirage_kv_rw_set_partial(kv, b"dir/sub/file", 8, b"!", 1) == 0
    whole, size = ffi.new("uint8_t **"), ffi.new("size_t *")
    assert lib.mirage_kv_ro_get(ro, b"dir/sub/file", whole, size) == 0
    assert ffi.buffer(whole[0], size[0])[:] == b"hello\0\0\0!"
    lib.free(whole[0])
    assert lib.mirage_kv_rw_set_partial(kv, b"nope", 0, b"x", 1) == lib.MIRAGE_ENOENT
    assert lib.mirage_kv_rw_set_partial(kv, b"dir/sub/file", 1 << 63, b"x", 1) == lib.MIRAGE_EINVAL
    assert lib.mirage_kv_rw_rename(kv, b"dir", b"dir/inside") == lib.MIRAGE_EINVAL
    assert lib.mirage_kv_rw_rename(kv, b"dir", b"moved/here") == 0
    assert lib.mirage_kv_ro_exists(ro, b"dir", kind) == lib.MIRAGE_ENOENT
    assert lib.mirage_kv_ro_exists(ro, b"moved/here/sub/file", kind) == 0 and kind[0] == VALUE
    assert lib.mirage_kv_rw_remove(kv, b"moved") == 0
    assert lib.mirage_kv_rw_remove(kv, b"moved") == lib.MIRAGE_ENOENT
    assert lib.mirage_kv_rw_remove(kv, b"/") == lib.MIRAGE_EINVAL
    # Long names (listed through an allocated copy past 255 bytes).
    long_dir, long_file = "d" * 300, "f" * 1000
    assert lib.mirage_kv_rw_set(kv, f"{long_dir}/{long_file}".encode(), b"", 0) == 0
    check_store(ro, Model({f"{long_dir}/{long_file}": b""}), extra=[long_dir])


def write_tree(root: Path, files: dict[str, bytes], dirs: set[str] = frozenset()) -> None:
    for d in dirs:
        (root / d).mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)


def disk_tree(root: Path) -> tuple[dict[str, bytes], set[str]]:
    files, dirs = {}, set()
    for path in root.rglob("*"):
        rel = path.relative_to(root).as_posix()
        if path.is_dir():
            dirs.add(rel)
        else:
            files[rel] = path.read_bytes()
    return files, dirs


@settings(max_examples=80, deadline=None)
@given(tree=trees(), seed=st.integers(0, 1000))
def test_direct_kv_ro(tree, seed) -> None:
    ffi, lib = kvlib()
    files, dirs = tree
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "store"
        root.mkdir()
        write_tree(root, files, dirs)
        kv = ffi.new("struct mirage_kv_ro *")
        assert lib.direct_kv_ro_connect(kv, str(root).encode()) == 0
        mtimes = {name: (root / name).stat().st_mtime_ns for name in files}
        check_store(kv, Model(files, dirs, mtimes), seed)


@settings(max_examples=100, deadline=None)
@given(ops=OPS, seed=st.integers(0, 1000))
def test_direct_kv_rw(ops, seed) -> None:
    ffi, lib = kvlib()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "store"
        root.mkdir()
        kv = ffi.new("struct mirage_kv_rw *")
        assert lib.direct_kv_rw_connect(kv, str(root).encode()) == 0
        model = RwModel()
        apply(lib, kv, model, ops)
        # The folder holds exactly the model's values: no temporary file, no empty folder left.
        files, dirs = disk_tree(root)
        assert files == model.files
        assert dirs == {"/".join(f.split("/")[:i]) for f in files for i in range(1, f.count("/") + 1)}
        check_store(ffi.addressof(kv, "ro"), Model(model.files), seed)


@pytest.fixture
def jail(tmp_path: Path) -> Path:
    """A store folder with links that stay inside and links that leave, next to secrets."""
    (tmp_path / "secret.txt").write_text("secret")
    (tmp_path / "secret-dir").mkdir()
    (tmp_path / "secret-dir" / "s").write_text("s")
    root = tmp_path / "store"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "file").write_text("inside")
    (root / "top").write_text("top")
    os.symlink("../top", root / "sub" / "up-inside")                 # relative, stays inside
    os.symlink(str(root / "top"), root / "abs-inside")                # absolute, stays inside
    os.symlink("../secret.txt", root / "rel-out")                     # relative, leaves
    os.symlink(str(tmp_path / "secret.txt"), root / "abs-out")        # absolute, leaves
    os.symlink(str(tmp_path / "secret-dir"), root / "dir-out")        # a folder outside
    os.symlink("nowhere", root / "dangling")
    os.mkfifo(root / "fifo")
    return root


def test_direct_kv_ro_stays_inside(jail: Path) -> None:
    ffi, lib = kvlib()
    kv = ffi.new("struct mirage_kv_ro *")
    assert lib.direct_kv_ro_connect(kv, str(jail).encode()) == 0
    model = Model({"sub/file": b"inside", "top": b"top", "sub/up-inside": b"top", "abs-inside": b"top"})
    escapes = ["../secret.txt", "sub/../../secret.txt", "/../secret.txt", str(jail.parent / "secret.txt"),
               "/" + str(jail.parent / "secret.txt"), "rel-out", "abs-out", "dir-out", "dir-out/s", "dangling",
               "fifo", "sub/./file", "sub/../top", "..", "../store/top"]
    check_store(kv, model, extra=escapes)


def test_direct_kv_rw_stays_inside(jail: Path) -> None:
    ffi, lib = kvlib()
    kv = ffi.new("struct mirage_kv_rw *")
    assert lib.direct_kv_rw_connect(kv, str(jail).encode()) == 0
    secret = jail.parent / "secret.txt"
    for key in ("../secret.txt", "sub/../../secret.txt", "a/../../x"):
        assert lib.mirage_kv_rw_set(kv, key.encode(), b"pwned", 5) == lib.MIRAGE_EINVAL
        assert lib.mirage_kv_rw_remove(kv, key.encode()) == lib.MIRAGE_EINVAL
    assert lib.mirage_kv_rw_set_partial(kv, b"abs-out", 0, b"pwned", 5) == lib.MIRAGE_ENOENT
    assert lib.mirage_kv_rw_set_partial(kv, b"rel-out", 0, b"pwned", 5) == lib.MIRAGE_ENOENT
    assert lib.mirage_kv_rw_set(kv, b"dir-out/s", b"pwned", 5) == lib.MIRAGE_ENOENT
    assert lib.mirage_kv_rw_remove(kv, b"dir-out") == lib.MIRAGE_ENOENT
    assert lib.mirage_kv_rw_rename(kv, b"top", b"dir-out/top") == lib.MIRAGE_ENOENT
    # set replaces a link that leaves by a file of its own: the outside is untouched.
    assert lib.mirage_kv_rw_set(kv, b"abs-out", b"mine", 4) == 0
    assert (jail / "abs-out").read_bytes() == b"mine" and not (jail / "abs-out").is_symlink()
    # remove of a link inside removes the link, not what it points to.
    assert lib.mirage_kv_rw_remove(kv, b"abs-inside") == 0
    assert (jail / "top").read_text() == "top"
    assert secret.read_text() == "secret" and (jail.parent / "secret-dir" / "s").read_text() == "s"


def test_direct_connect_errors(tmp_path: Path) -> None:
    ffi, lib = kvlib()
    kv = ffi.new("struct mirage_kv_ro *")
    assert lib.direct_kv_ro_connect(kv, str(tmp_path / "missing").encode()) == lib.MIRAGE_ENOENT
    assert "missing: not a folder" in last_log()
    (tmp_path / "file").write_text("x")
    assert lib.direct_kv_ro_connect(kv, str(tmp_path / "file").encode()) < 0


def test_direct_kv_rw_removes_folders_with_contents(tmp_path: Path) -> None:
    ffi, lib = kvlib()
    write_tree(tmp_path, {"d/a": b"1", "d/e/f/g": b"2", "keep": b""}, {"d/empty", "other-empty"})
    kv = ffi.new("struct mirage_kv_rw *")
    assert lib.direct_kv_rw_connect(kv, str(tmp_path).encode()) == 0
    os.symlink(str(tmp_path / "keep"), tmp_path / "d" / "link")
    assert lib.mirage_kv_rw_remove(kv, b"d") == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep", "other-empty"]
    # Empty folders the host had are dictionaries, and are removed like any other.
    kind = ffi.new("enum mirage_kv_kind *")
    assert lib.mirage_kv_ro_exists(ffi.addressof(kv, "ro"), b"other-empty", kind) == 0 and kind[0] == DICT
    assert lib.mirage_kv_rw_remove(kv, b"other-empty/") == lib.MIRAGE_EINVAL  # not a key a store writes
    assert lib.mirage_kv_rw_remove(kv, b"other-empty") == 0
    shutil.rmtree(tmp_path / "keep", ignore_errors=True)
