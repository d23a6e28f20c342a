"""Python models of the kv stores, hypothesis strategies for file trees, and the checks that
compare a C store with a model through every kv_ro operation."""
from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from tests.runtime.drivers.kv.kvlib import kvlib

VALUE, DICT = 0, 1  # enum mirage_kv_kind

# Names that sort around '/' ('-' and '.' before it, letters after) so folder contiguity matters.
NAME = st.text(alphabet="ab-._0", min_size=1, max_size=5).filter(lambda s: s not in (".", ".."))
PATH = st.lists(NAME, min_size=1, max_size=3).map("/".join)
SIZES = (0, 1, 511, 512, 513, 1023, 1024, 1025, 4096)
CONTENT = st.one_of(st.binary(max_size=1200),
                    st.sampled_from(SIZES).map(lambda n: bytes((i * 7 + 3) & 0xFF for i in range(n))))


def without_conflicts(paths: Iterable[str], taken: Iterable[str] = ()) -> list[str]:
    """The paths (in order) that are neither a folder of another kept path nor below one."""
    kept: list[str] = list(taken)
    out = []
    for p in paths:
        if any(p == q or p.startswith(q + "/") or q.startswith(p + "/") for q in kept):
            continue
        kept.append(p)
        out.append(p)
    return out


@st.composite
def trees(draw: Any, max_files: int = 8, dirs: bool = True) -> tuple[dict[str, bytes], set[str]]:
    """(files, explicit folders): files by key, folders (possibly empty) that no file path
    contradicts."""
    paths = without_conflicts(draw(st.lists(PATH, max_size=max_files, unique=True)))
    files = {p: draw(CONTENT) for p in paths}
    folders: set[str] = set()
    if dirs:
        for d in draw(st.lists(PATH, max_size=3)):
            if d not in files and not any(d.startswith(f + "/") for f in files):
                folders.add(d)
    # Explicit folders for some parents of files too.
    for p in paths:
        parts = p.split("/")[:-1]
        if parts and draw(st.booleans()):
            folders.add("/".join(parts))
    return files, folders


def norm(key: str) -> str:
    return key[1:] if key.startswith("/") else key


@dataclass
class Model:
    """A kv_ro store: values by key, folders implicit (parents of values) or explicit."""

    files: dict[str, bytes]
    dirs: set[str] = field(default_factory=set)
    mtimes: dict[str, int] | None = None  # ns, when the store's last_modified is checked

    def value(self, key: str) -> bytes | None:
        k = norm(key)
        return self.files.get(k) if k and not k.endswith("/") else None

    def is_dir(self, key: str) -> bool:
        k = norm(key).rstrip("/")
        if k == "":
            return True
        return any(p.startswith(k + "/") for p in self.files) or any(d == k or d.startswith(k + "/")
                                                                     for d in self.dirs)

    def kind(self, key: str) -> int | None:
        if self.value(key) is not None:
            return VALUE
        return DICT if self.is_dir(key) else None

    def children(self, key: str) -> list[tuple[str, int]]:
        k = norm(key).rstrip("/")
        prefix = k + "/" if k else ""
        found: dict[str, int] = {}
        for p in [*self.files, *self.dirs]:
            if p.startswith(prefix) and p != k:
                rest = p[len(prefix):]
                name, slash, _ = rest.partition("/")
                is_dir = bool(slash) or p in self.dirs
                found[name] = DICT if is_dir else VALUE
        # Key order: a folder sorts as its name and a slash.
        return sorted(found.items(), key=lambda item: (item[0] + "/" * item[1]).encode())

    def query_keys(self, extra: Iterable[str] = ()) -> list[str]:
        """Keys worth asking about: every value and folder in several spellings, and junk."""
        keys = {"", "/", "//", "nope", "a//b", "./a", "../a", "/../a", *extra}
        folders = {"/".join(p.split("/")[:i]) for p in [*self.files, *self.dirs]
                   for i in range(1, p.count("/") + 2)}
        for k in [*self.files, *folders]:
            keys |= {k, "/" + k, k + "/", k + "//", k + "/x", "./" + k, "//" + k, k + "x"}
        return sorted(keys)


def ro_ops(ffi: Any, lib: Any, kv: Any, model: Model, key: str, rng: random.Random) -> None:
    """Compare every kv_ro operation on key with the model."""
    k = key.encode()
    kind = model.kind(key)
    value = model.value(key)
    not_value = lib.MIRAGE_EINVAL if kind == DICT else lib.MIRAGE_ENOENT

    out_kind = ffi.new("enum mirage_kv_kind *")
    rc = lib.mirage_kv_ro_exists(kv, k, out_kind)
    assert (rc, out_kind[0] if rc == 0 else None) == ((0, kind) if kind is not None else (lib.MIRAGE_ENOENT, None)), key

    size = ffi.new("uint64_t *")
    rc = lib.mirage_kv_ro_size(kv, k, size)
    assert (rc, size[0] if rc == 0 else None) == ((0, len(value)) if value is not None else (not_value, None)), key

    digest = ffi.new("uint8_t[32]")
    rc = lib.mirage_kv_ro_digest(kv, k, digest)
    assert rc == (0 if value is not None else not_value), key
    if value is not None:
        assert bytes(digest) == hashlib.sha256(value).digest(), key

    if model.mtimes is not None:
        ns = ffi.new("uint64_t *")
        rc = lib.mirage_kv_ro_last_modified(kv, k, ns)
        assert rc == (0 if value is not None else not_value), key
        if value is not None:
            assert ns[0] == model.mtimes[norm(key)], key

    got = ffi.new("size_t *")
    n = len(value) if value is not None else 10
    for offset, length in [(0, n + 1), (n, 5), (n + 7, 3), *((rng.randrange(n + 2), rng.randrange(n + 600))
                                                             for _ in range(4))]:
        buf = ffi.new("uint8_t[]", max(length, 1))
        rc = lib.mirage_kv_ro_get_partial(kv, k, offset, buf, length, got)
        assert rc == (0 if value is not None else not_value), key
        if value is not None:
            expect = value[offset:offset + length]
            assert (got[0], ffi.buffer(buf, got[0])[:]) == (len(expect), expect), (key, offset, length)

    whole = ffi.new("uint8_t **")
    rc = lib.mirage_kv_ro_get(kv, k, whole, got)
    assert rc == (0 if value is not None else not_value), key
    if rc == 0:
        assert ffi.buffer(whole[0], got[0])[:] == value
        lib.free(whole[0])

    listed: list[tuple[str, int]] = []

    @ffi.callback("mirage_kv_list_fn")
    def collect(ctx: Any, name: Any, kind: int) -> None:
        listed.append((ffi.string(name).decode(), kind))

    rc = lib.mirage_kv_ro_list(kv, k, collect, ffi.NULL)
    if value is not None:
        assert rc == lib.MIRAGE_EINVAL, key
    elif kind is None:
        assert rc == lib.MIRAGE_ENOENT, key
    else:
        assert (rc, listed) == (0, model.children(key)), key


def check_store(kv: Any, model: Model, seed: int = 0, extra: Iterable[str] = ()) -> None:
    ffi, lib = kvlib()
    rng = random.Random(seed)
    for key in model.query_keys(extra):
        ro_ops(ffi, lib, kv, model, key, rng)
