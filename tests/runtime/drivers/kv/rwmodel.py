"""A model of the kv_rw semantics (runtime_c/include/mirage/kv_rw.h) and a strategy of
operations on a few short keys, valid and invalid."""
from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

OK, EINVAL, ENOENT, EEXIST = 0, -1, -2, -7

# A few keys, so operations meet: values, folders of each other, names sorting around '/'.
VALID = ["a", "b", "a-", "a/b", "a/c", "a/b/c", "b/a", "a-/x", "c.d", "a/b-"]
KEY = st.one_of(
    st.integers(0, 50),  # an existing value or folder, chosen when the operation runs (see pick)
    st.integers(0, 50),
    st.sampled_from(VALID),
    st.sampled_from(VALID).map(lambda k: "/" + k),
    st.sampled_from(["", "/", "a/", "a//b", "./a", "a/..", "../b", ".", "//a"]),
)
DATA = st.binary(max_size=300)
OPS = st.lists(st.one_of(
    st.tuples(st.just("set"), KEY, DATA),
    st.tuples(st.just("set"), KEY, DATA),
    st.tuples(st.just("set_partial"), KEY, st.integers(0, 400), DATA),
    st.tuples(st.just("remove"), KEY),
    st.tuples(st.just("rename"), KEY, st.one_of(st.sampled_from(VALID), st.sampled_from(VALID).map(lambda k: k + "2"),
                                                KEY)),
), min_size=3, max_size=30)


def pick(key: str | int, files: dict[str, bytes]) -> str:
    """A key of the operation: a string as it is, an int as the i-th existing value or folder."""
    if isinstance(key, str):
        return key
    existing = sorted({"/".join(f.split("/")[:i]) for f in files for i in range(1, f.count("/") + 2)})
    return existing[key % len(existing)] if existing else VALID[key % len(VALID)]


def checked(key: str) -> str | None:
    """The key a store can hold (leading slash dropped), "" for the root, None if invalid."""
    k = key[1:] if key.startswith("/") else key
    if k == "":
        return ""
    parts = k.split("/")
    return None if any(p in ("", ".", "..") for p in parts) else k


@dataclass
class RwModel:
    files: dict[str, bytes] = field(default_factory=dict)
    mtimes: dict[str, int] = field(default_factory=dict)
    now: int = 0

    def is_dir(self, k: str) -> bool:
        return k == "" or any(f.startswith(k + "/") for f in self.files)

    def below_value(self, k: str) -> bool:
        parts = k.split("/")
        return any("/".join(parts[:i]) in self.files for i in range(1, len(parts)))

    def set(self, key: str, data: bytes) -> int:
        k = checked(key)
        if not k or self.is_dir(k) or self.below_value(k):
            return EINVAL
        self.files[k], self.mtimes[k] = data, self.now
        return OK

    def set_partial(self, key: str, offset: int, data: bytes) -> int:
        k = key[1:] if key.startswith("/") else key
        if k not in self.files or k.endswith("/") or not k:
            return EINVAL if self.is_dir(k.rstrip("/")) else ENOENT
        if not data:
            return OK  # nothing written: nothing changes, not even the size
        old = self.files[k]
        new = bytearray(old.ljust(max(len(old), offset + len(data)), b"\0"))
        new[offset:offset + len(data)] = data
        self.files[k], self.mtimes[k] = bytes(new), self.now
        return OK

    def remove(self, key: str) -> int:
        k = checked(key)
        if not k:
            return EINVAL
        if k in self.files:
            del self.files[k]
        elif self.is_dir(k):
            for f in [f for f in self.files if f.startswith(k + "/")]:
                del self.files[f]
        else:
            return ENOENT
        return OK

    def rename(self, source: str, dest: str) -> int:
        s, d = checked(source), checked(dest)
        if not s or not d:
            return EINVAL
        value = s in self.files
        if not value and not self.is_dir(s):
            return ENOENT
        if s == d:
            return OK
        if d.startswith(s + "/"):
            return EINVAL
        if self.is_dir(d) or (d in self.files and not value):
            return EEXIST
        if self.below_value(d):
            return EINVAL
        if value:
            self.files[d], self.mtimes[d] = self.files.pop(s), self.mtimes.pop(s)
        else:
            for f in [f for f in self.files if f.startswith(s + "/")]:
                self.files[d + f[len(s):]] = self.files.pop(f)
                self.mtimes[d + f[len(s):]] = self.mtimes.pop(f)
        return OK
