"""The ChaCha20 DRBG: the construction checked against a Python model built on the
(RFC-checked) block function, determinism for a fixed seed, independence of request
sizes, distinct output across reseeds, fast key erasure and the reseed counter."""
from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.runtime.drivers.random.randlib import lib
from tests.runtime.drivers.random.test_chacha20 import block

BUF = 480  # 8 blocks of keystream, less the next key
RESEED_INTERVAL = 1 << 16


class Model:
    """drbg.c in Python: absorb XORs 32-byte chunks into the key and rekeys with ChaCha20
    under nonce "seed" + total length; refill takes 8 blocks at nonce 0, the first 32
    bytes become the key."""

    def __init__(self, seed: bytes) -> None:
        self.key = bytes(32)
        self.buf = b""
        self.absorb(seed)

    def absorb(self, seed: bytes) -> None:
        nonce = b"seed" + len(seed).to_bytes(8, "little")
        chunks = [seed[i:i + 32] for i in range(0, len(seed), 32)] or [b""]
        for i, chunk in enumerate(chunks):
            mixed = bytes(k ^ c for k, c in zip(self.key, chunk.ljust(32, b"\0")))
            self.key = block(mixed, i, nonce)[:32]
        self.buf = b""

    def generate(self, n: int) -> bytes:
        out = b""
        while len(out) < n:
            if not self.buf:
                stream = b"".join(block(self.key, i, bytes(12)) for i in range(8))
                self.key, self.buf = stream[:32], stream[32:]
            take = min(n - len(out), len(self.buf))
            out, self.buf = out + self.buf[:take], self.buf[take:]
        return out


def new(seed: bytes) -> Any:
    ffi, c = lib()
    d = ffi.new("struct mirage_drbg *")
    c.mirage_drbg_seed(d, seed, len(seed))
    return d


def generate(d: Any, n: int) -> bytes:
    ffi, c = lib()
    out = ffi.new("uint8_t[]", max(n, 1))
    c.mirage_drbg_generate(d, out, n)
    return bytes(out)[:n]


def reseed(d: Any, seed: bytes) -> None:
    _, c = lib()
    c.mirage_drbg_reseed(d, seed, len(seed))


@given(st.binary(max_size=200), st.lists(st.integers(0, 1200), max_size=6))
def test_matches_the_model(seed: bytes, sizes: list[int]) -> None:
    d, m = new(seed), Model(seed)
    for n in sizes:
        assert generate(d, n) == m.generate(n)


def test_a_fixed_seed_gives_a_fixed_stream() -> None:
    seed = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
    first = generate(new(seed), 5000)
    assert generate(new(seed), 5000) == first
    assert generate(new(seed + b"\0"), 5000) != first  # the length is absorbed too
    assert generate(new(seed[:-1] + b"\x0e"), 5000) != first
    assert len(set(first)) == 256


@given(st.binary(min_size=1, max_size=64), st.lists(st.integers(0, 700), min_size=1, max_size=8))
def test_request_sizes_do_not_change_the_stream(seed: bytes, sizes: list[int]) -> None:
    d = new(seed)
    pieces = b"".join(generate(d, n) for n in sizes)
    assert pieces == generate(new(seed), sum(sizes))


def test_reseeding_gives_distinct_output_and_counts() -> None:
    seed = b"fixed seed for the reseed test"
    d = new(seed)
    assert (d.reseeds, d.requests) == (1, 0)
    before = generate(d, 64)
    generate(d, 10)
    assert d.requests == 2
    plain = new(seed)
    generate(plain, 74)
    reseed(d, b"more entropy")
    assert (d.reseeds, d.requests, d.avail) == (2, 0, 0)  # buffered output is dropped
    after = generate(d, 64)
    reseed(d, b"more entropy")  # the same material again still moves the state
    again = generate(d, 64)
    assert d.reseeds == 3
    assert len({before, after, again, generate(plain, 64)}) == 4
    # Reseeding is deterministic too: the same history gives the same stream.
    e = new(seed)
    generate(e, 64)
    generate(e, 10)
    reseed(e, b"more entropy")
    assert generate(e, 64) == after


def test_fast_key_erasure() -> None:
    ffi, c = lib()
    d = new(b"erasure")
    key0 = bytes(d.key)
    out = generate(d, 100)
    # The refill replaced the key before any output was served, and the served bytes
    # are gone from the buffer: the state no longer holds what was handed out.
    assert bytes(d.key) != key0 and d.avail == BUF - 100
    assert bytes(d.buf)[:100] == bytes(100)
    assert out not in bytes(d.buf) and bytes(d.key) not in out
    generate(d, BUF - 100)
    assert d.avail == 0 and bytes(d.buf) == bytes(BUF)


def test_needs_reseed_after_the_interval() -> None:
    _, c = lib()
    d = new(b"count")
    d.requests = RESEED_INTERVAL - 1
    assert not c.mirage_drbg_needs_reseed(d)
    generate(d, 1)
    assert c.mirage_drbg_needs_reseed(d)
    reseed(d, b"x")
    assert not c.mirage_drbg_needs_reseed(d)
