"""String, memory and ctype functions against Python's reference behaviour."""
from __future__ import annotations

import string as pystring

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

SMALL = st.binary(max_size=40).map(lambda b: b.replace(b"\0", b""))
# Strings over a tiny alphabet, so that matches and prefixes are frequent.
ABC = st.text("abcAB", max_size=12).map(str.encode)
TEXT = SMALL | ABC


@pytest.fixture(scope="module", autouse=True)
def heap(libc):
    """strdup and strndup allocate: give them a heap of their own."""
    mem = libc.ffi.new("char[]", 1 << 20)
    libc.lib.mirage_heap_init(mem, 1 << 20)
    yield mem
    libc.lib.mirage_heap_init(libc.ffi.NULL, 0)


def sign(x: int) -> int:
    return (x > 0) - (x < 0)


def cmp(a: bytes, b: bytes) -> int:
    return (a > b) - (a < b)


def cstr(libc, b: bytes, extra: int = 0):
    return libc.ffi.new("char[]", b + b"\0" * (extra + 1))


def offset_or_none(libc, p, base):
    return None if p == libc.ffi.NULL else libc.ffi.cast("char *", p) - base


@settings(max_examples=150, deadline=None)
@given(a=TEXT, b=TEXT, n=st.integers(0, 15))
def test_comparisons(libc, a, b, n):
    lib = libc.lib
    assert sign(lib.strcmp(a, b)) == cmp(a, b)
    assert sign(lib.strncmp(a, b, n)) == cmp(a[:n], b[:n])
    assert sign(lib.strcasecmp(a, b)) == cmp(a.lower(), b.lower())
    assert sign(lib.strncasecmp(a, b, n)) == cmp(a[:n].lower(), b[:n].lower())
    m = min(len(a), len(b), n)
    assert sign(lib.memcmp(a, b, m)) == cmp(a[:m], b[:m])


@settings(max_examples=150, deadline=None)
@given(h=TEXT, needle=TEXT, c=st.integers(0, 255))
def test_searches(libc, h, needle, c):
    lib = libc.lib
    buf = cstr(libc, h)
    assert lib.strlen(buf) == len(h)
    for cap in (0, len(h) // 2, len(h) + 3):
        assert lib.strnlen(buf, cap) == min(cap, len(h))
    want = len(h) if c == 0 else (h.find(bytes([c])) if bytes([c]) in h else None)
    assert offset_or_none(libc, lib.strchr(buf, c), buf) == want
    want = len(h) if c == 0 else (h.rfind(bytes([c])) if bytes([c]) in h else None)
    assert offset_or_none(libc, lib.strrchr(buf, c), buf) == want
    i = h.find(bytes([c]))
    assert offset_or_none(libc, lib.memchr(buf, c, len(h)), buf) == (None if i < 0 else i)
    i = h.find(needle)
    assert offset_or_none(libc, lib.strstr(buf, needle), buf) == (None if i < 0 else i)
    accept = set(needle)
    span = next((k for k, ch in enumerate(h) if ch not in accept), len(h))
    assert lib.strspn(buf, needle) == span
    cspan = next((k for k, ch in enumerate(h) if ch in accept), len(h))
    assert lib.strcspn(buf, needle) == cspan


@settings(max_examples=150, deadline=None)
@given(a=TEXT, b=TEXT, n=st.integers(0, 50))
def test_copies(libc, a, b, n):
    ffi, lib = libc.ffi, libc.lib
    dst = ffi.new("char[]", b"\x7f" * 128)
    assert lib.strcpy(dst, a) == dst
    assert ffi.buffer(dst, len(a) + 2)[:] == a + b"\0\x7f"
    assert lib.strcat(dst, b) == dst
    assert ffi.string(dst) == a + b
    dst = ffi.new("char[]", b"\x7f" * 128)
    lib.strncpy(dst, a, n)  # copies at most n, pads with NULs up to n
    want = (a[:n] + b"\0" * n)[:n]
    assert ffi.buffer(dst, n + 1)[:] == want + b"\x7f"
    dst = ffi.new("char[]", a + b"\0" + b"\x7f" * 80)
    lib.strncat(dst, b, n)
    assert ffi.string(dst) == a + b[:n]
    s = lib.strdup(a)
    assert ffi.string(s) == a
    lib.free(s)
    s = lib.strndup(a, n)
    assert ffi.string(s) == a[:n]
    lib.free(s)


@settings(max_examples=150, deadline=None)
@given(data=st.binary(min_size=0, max_size=200), src=st.integers(0, 200), dst=st.integers(0, 200),
       n=st.integers(0, 200), c=st.integers(0, 255))
def test_memory(libc, data, src, dst, n, c):
    ffi, lib = libc.ffi, libc.lib
    size = 420
    ref = bytearray(data.ljust(size, b"\x11"))
    buf = ffi.new("char[]", bytes(ref))
    # memmove with any overlap
    lib.memmove(buf + dst, buf + src, n)
    ref[dst:dst + n] = ref[src:src + n]
    assert ffi.buffer(buf, size)[:] == bytes(ref)
    # memcpy between disjoint buffers
    other = ffi.new("char[]", size)
    lib.memcpy(other + dst, buf + src, n)
    assert ffi.buffer(other + dst, n)[:] == bytes(ref[src:src + n])
    # memset
    lib.memset(buf + dst, c, n)
    ref[dst:dst + n] = bytes([c]) * n
    assert ffi.buffer(buf, size)[:] == bytes(ref)


def test_big_memmove_both_directions(libc):
    ffi, lib = libc.ffi, libc.lib
    pattern = bytes(range(256)) * 64
    for d in (-4097, -1, 1, 7, 4096):
        buf = ffi.new("char[]", pattern + b"\0" * 8192)
        ref = bytearray(pattern + b"\0" * 8192)
        s, t = 8192, 8192 + d
        lib.memmove(buf + t, buf + s, 8000)
        ref[t:t + 8000] = ref[s:s + 8000]
        assert ffi.buffer(buf, len(ref))[:] == bytes(ref)


@settings(max_examples=150, deadline=None)
@given(s=st.text("ab,; ", max_size=20).map(str.encode), delim=st.sampled_from([b",", b", ", b";,", b""]))
def test_strtok_r(libc, s, delim):
    ffi, lib = libc.ffi, libc.lib
    buf = cstr(libc, s)
    save = ffi.new("char **")
    tokens = []
    p = lib.strtok_r(buf, delim, save)
    while p != ffi.NULL:
        tokens.append(ffi.string(p))
        p = lib.strtok_r(ffi.NULL, delim, save)
    want, cur = [], b""
    for ch in s:
        if bytes([ch]) in delim and delim:
            if cur:
                want.append(cur)
            cur = b""
        else:
            cur += bytes([ch])
    if cur:
        want.append(cur)
    assert tokens == want
    assert lib.strtok_r(ffi.NULL, delim, save) == ffi.NULL  # stays finished


def test_ctype_against_python(libc):
    lib = libc.lib
    classes = {
        "isalpha": set(pystring.ascii_letters),
        "isdigit": set(pystring.digits),
        "isxdigit": set(pystring.hexdigits),
        "isalnum": set(pystring.ascii_letters + pystring.digits),
        "isspace": set(" \t\n\v\f\r"),
        "isupper": set(pystring.ascii_uppercase),
        "islower": set(pystring.ascii_lowercase),
        "isprint": {chr(c) for c in range(32, 127)},
        "isgraph": {chr(c) for c in range(33, 127)},
        "ispunct": set(pystring.punctuation),
        "iscntrl": {chr(c) for c in range(32)} | {"\x7f"},
        "isblank": {" ", "\t"},
    }
    for name, members in classes.items():
        fn = getattr(lib, name)
        for c in range(-1, 256):
            assert bool(fn(c)) == (0 <= c < 128 and chr(c) in members), (name, c)
    for c in range(-1, 256):
        ch = chr(c) if 0 <= c < 128 else None
        assert lib.toupper(c) == (ord(ch.upper()) if ch else c)
        assert lib.tolower(c) == (ord(ch.lower()) if ch else c)


@pytest.mark.parametrize("h,n,want", [(b"", b"", 0), (b"abc", b"", 0), (b"aab", b"ab", 1),
                                      (b"abab", b"bab", 1), (b"ab", b"abc", None)])
def test_strstr_edges(libc, h, n, want):
    buf = cstr(libc, h)
    assert offset_or_none(libc, libc.lib.strstr(buf, n), buf) == want
