"""SHA-256 (runtime_c/drivers/kv/sha256.c) against hashlib: one-shot, fed in random pieces,
the padding boundaries (55, 56, 63, 64 bytes), and the hex form."""
from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.runtime.drivers.kv.kvlib import kvlib


def c_sha256(data: bytes) -> bytes:
    ffi, lib = kvlib()
    out = ffi.new("uint8_t[32]")
    lib.mirage_sha256(data or ffi.NULL, len(data), out)
    return bytes(out)


def test_boundaries_and_known_values() -> None:
    assert c_sha256(b"abc").hex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    for n in (0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 1000, 1 << 20):
        data = bytes((i * 31 + n) & 0xFF for i in range(n))
        assert c_sha256(data) == hashlib.sha256(data).digest(), n


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=3000))
def test_one_shot(data: bytes) -> None:
    assert c_sha256(data) == hashlib.sha256(data).digest()


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=2000), cuts=st.lists(st.integers(0, 2000), max_size=8))
def test_incremental(data: bytes, cuts: list[int]) -> None:
    ffi, lib = kvlib()
    state = ffi.new("struct mirage_sha256 *")
    lib.mirage_sha256_init(state)
    at = 0
    for cut in sorted(min(c, len(data)) for c in cuts) + [len(data)]:
        piece = data[at:cut]
        lib.mirage_sha256_update(state, piece or ffi.NULL, len(piece))
        at = max(at, cut)
    out = ffi.new("uint8_t[32]")
    lib.mirage_sha256_final(state, out)
    assert bytes(out) == hashlib.sha256(data).digest()
    hexed = ffi.new("char[65]")
    lib.mirage_sha256_hex(out, hexed)
    assert ffi.string(hexed).decode() == hashlib.sha256(data).hexdigest()
