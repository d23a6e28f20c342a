"""strtol, strtoul, strtoll, strtoull against a model built on Python's int(s, base)
(plus the C rules around it) and against glibc."""
from __future__ import annotations

import cffi
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

HOST = cffi.FFI()
HOST.cdef("""
long strtol(const char *nptr, char **endptr, int base);
unsigned long strtoul(const char *nptr, char **endptr, int base);
long long strtoll(const char *nptr, char **endptr, int base);
unsigned long long strtoull(const char *nptr, char **endptr, int base);
""")
GLIBC = HOST.dlopen(None)

ERANGE, EINVAL = 34, 22
FUNCS = {  # name -> (signed, bits)
    "strtol": (True, 64),
    "strtoul": (False, 64),
    "strtoll": (True, 64),
    "strtoull": (False, 64),
}
DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def model(s: bytes, base: int, signed: bool, bits: int):
    """(value, end offset, errno or None) as C specifies."""
    if base < 0 or base == 1 or base > 36:
        return 0, 0, EINVAL
    i = 0
    while i < len(s) and s[i] in b" \t\n\v\f\r":
        i += 1
    neg = False
    if i < len(s) and s[i] in b"+-":
        neg = s[i] == ord("-")
        i += 1

    def digit(j):
        if j < len(s) and chr(s[j]).lower() in DIGITS:
            return DIGITS.index(chr(s[j]).lower())
        return 99

    if base in (0, 16) and s[i:i + 2].lower() == b"0x" and digit(i + 2) < 16:
        i += 2
        base = 16
    elif base == 0:
        base = 8 if s[i:i + 1] == b"0" else 10
    j = i
    while digit(j) < base:
        j += 1
    if j == i:
        return 0, 0, None
    magnitude = int(s[i:j].decode(), base)  # Python does the arithmetic
    err = None
    if signed:
        lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
        value = -magnitude if neg else magnitude
        if value > hi:
            value, err = hi, ERANGE
        elif value < lo:
            value, err = lo, ERANGE
    else:
        if magnitude > (1 << bits) - 1:
            value, err = (1 << bits) - 1, ERANGE
        else:
            value = (-magnitude if neg else magnitude) % (1 << bits)
    return value, j, err


def call(ffi, fn, s: bytes, base: int, get_errno, set_errno):
    buf = ffi.new("char[]", s)
    end = ffi.new("char **")
    set_errno(0)
    v = fn(buf, end, base)
    err = get_errno()
    return v, end[0] - buf, (err or None)


def ours(libc, name, s, base):
    def set_errno(v):
        libc.errno = v
    return call(libc.ffi, getattr(libc.lib, name), s, base, lambda: libc.errno, set_errno)


def glibc(name, s, base):
    # cffi carries errno across calls itself: go through ffi.errno.
    def set_errno(v):
        HOST.errno = v
    return call(HOST, getattr(GLIBC, name), s, base, lambda: HOST.errno, set_errno)


def numbers():
    ws = st.text(" \t\n\v\f\r", max_size=3)
    sign = st.sampled_from(["", "", "+", "-"])
    prefix = st.sampled_from(["", "", "0", "0x", "0X", "00", "0x0"])
    digits = st.text("0123456789abcdefzABCDEFXZ", max_size=24) | st.sampled_from(
        ["9223372036854775807", "9223372036854775808", "18446744073709551615",
         "18446744073709551616", "ffffffffffffffff", "10000000000000000", "7fffffffffffffff",
         "8000000000000000", "1777777777777777777777", "2000000000000000000000"])
    tail = st.sampled_from(["", " ", "x", "g", "-1", "_1", "\x80"])
    return st.tuples(ws, sign, prefix, digits, tail).map(lambda t: "".join(t).encode("latin-1"))


strings = numbers() | st.binary(max_size=12).map(lambda b: b.replace(b"\0", b""))
bases = st.sampled_from([0, 0, 2, 8, 10, 10, 16, 16, 36]) | st.integers(-1, 40)


@settings(max_examples=500, deadline=None)
@given(s=strings, base=bases, name=st.sampled_from(sorted(FUNCS)))
def test_matches_model_and_glibc(libc, s, base, name):
    signed, bits = FUNCS[name]
    got = ours(libc, name, s, base)
    want = model(s, base, signed, bits)
    assert got == want, (name, s, base)
    if 2 <= base <= 36 or base == 0:  # glibc's answer for a bad base varies
        assert got == glibc(name, s, base), (name, s, base)


@pytest.mark.parametrize("name,s,base,value,end,err", [
    ("strtol", b"  -0x1F rest", 0, -31, 7, None),
    ("strtol", b"0x", 16, 0, 1, None),
    ("strtol", b"0xg", 0, 0, 1, None),
    ("strtol", b"   ", 10, 0, 0, None),
    ("strtol", b"-", 10, 0, 0, None),
    ("strtol", b"010", 0, 8, 3, None),
    ("strtol", b"09", 0, 0, 1, None),
    ("strtol", b"9223372036854775808", 10, (1 << 63) - 1, 19, ERANGE),
    ("strtol", b"-9223372036854775808", 10, -(1 << 63), 20, None),
    ("strtol", b"-9223372036854775809x", 10, -(1 << 63), 20, ERANGE),
    ("strtoul", b"-1", 10, (1 << 64) - 1, 2, None),
    ("strtoul", b"18446744073709551616", 10, (1 << 64) - 1, 20, ERANGE),
    ("strtoul", b"-18446744073709551616", 10, (1 << 64) - 1, 21, ERANGE),
    ("strtoull", b"zz", 36, 1295, 2, None),
    ("strtol", b"12", 1, 0, 0, EINVAL),
    ("strtol", b"12", 37, 0, 0, EINVAL),
])
def test_examples(libc, name, s, base, value, end, err):
    assert ours(libc, name, s, base) == (value, end, err)


def test_null_endptr_and_atoi(libc):
    lib, ffi = libc.lib, libc.ffi
    assert lib.strtol(b"  42abc", ffi.NULL, 10) == 42
    assert lib.atoi(b" -17") == -17
    assert (lib.abs(-5), lib.labs(-(1 << 40)), lib.llabs(-(1 << 62))) == (5, 1 << 40, 1 << 62)
