"""The heap allocator: random operation sequences keep every block intact, and the
heap returns to a single free block once everything is freed."""
from __future__ import annotations

import random

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

ENOMEM, EINVAL = 12, 22
HEAP = 2 << 20  # 2 MiB: small enough for the random sequences to exhaust it
HDR = 16


class Heap:
    def __init__(self, libc, size=HEAP):
        self.libc, self.ffi, self.lib = libc, libc.ffi, libc.lib
        self.mem = self.ffi.new("char[]", size + 64)
        self.lib.mirage_heap_init(self.mem + 3, size)  # deliberately misaligned base
        self.lo = int(self.ffi.cast("uintptr_t", self.mem))
        self.hi = self.lo + size + 64
        self.live: dict[int, tuple[object, int, int]] = {}  # addr -> (ptr, size, tag)
        self.tag = 0
        libc.console()  # drop anything printed before

    def stats(self):
        t, u, f = (self.ffi.new("size_t *") for _ in range(3))
        self.lib.mirage_heap_stats(t, u, f)
        return t[0], u[0], f[0]

    def check(self):
        blocks, free = self.ffi.new("size_t *"), self.ffi.new("size_t *")
        assert self.lib.mirage_heap_check(blocks, free) == 0
        return blocks[0], free[0]

    def fill(self, p, size):
        self.tag = self.tag % 255 + 1
        self.ffi.memmove(p, bytes([self.tag]) * size, size)
        return self.tag

    def adopt(self, p, size, align=16):
        addr = int(self.ffi.cast("uintptr_t", p))
        assert addr % align == 0
        assert self.lo <= addr and addr + size <= self.hi
        assert addr not in self.live
        self.live[addr] = (p, size, self.fill(p, size))
        return addr

    def verify_all(self):
        spans = sorted((a, a + max(s, 1)) for a, (_, s, _) in self.live.items())
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            assert end <= start, "blocks overlap"
        for p, size, tag in self.live.values():
            assert self.ffi.buffer(p, size)[:] == bytes([tag]) * size

    def failed(self, n):
        event("an allocation failed")
        assert self.libc.errno == ENOMEM
        _, _, largest = self.stats()
        assert largest < n  # no free block could have served it


sizes = st.one_of(st.integers(0, 64), st.integers(65, 4096), st.integers(4097, 700_000))
op = st.one_of(
    st.tuples(st.just("malloc"), sizes),
    st.tuples(st.just("malloc"), sizes),
    st.tuples(st.just("calloc"), st.integers(0, 100), st.integers(0, 3000)),
    st.tuples(st.just("realloc"), st.integers(0, 1 << 30), sizes),
    st.tuples(st.just("free"), st.integers(0, 1 << 30)),
    st.tuples(st.just("aligned"), st.sampled_from([16, 32, 64, 256, 4096, 65536]), sizes),
)
# Hypothesis favours short lists; draw the length first so long sequences are common.
ops = st.integers(1, 80).flatmap(lambda n: st.lists(op, min_size=n, max_size=n))


@settings(max_examples=150, deadline=None)
@given(ops=ops, seed=st.integers(0, 1000))
def test_random_operations(libc, ops, seed):
    h = Heap(libc)
    lib, ffi = h.lib, h.ffi
    total, used, largest = h.stats()
    assert used == 0 and largest == total - HDR and total >= HEAP - 64
    for op in ops:
        libc.errno = 0
        if op[0] == "malloc":
            p = lib.malloc(op[1])
            if p == ffi.NULL:
                h.failed(op[1])
            else:
                h.adopt(p, op[1])
        elif op[0] == "calloc":
            n = op[1] * op[2]
            p = lib.calloc(op[1], op[2])
            if p == ffi.NULL:
                h.failed(n)
            else:
                assert ffi.buffer(p, n)[:] == bytes(n)
                h.adopt(p, n)
        elif op[0] == "aligned":
            p = lib.aligned_alloc(op[1], op[2])
            if p == ffi.NULL:
                event("aligned_alloc failed")
                assert libc.errno == ENOMEM
            else:
                h.adopt(p, op[2], op[1])
        elif h.live:
            addr = sorted(h.live)[op[1] % len(h.live)]
            p, size, tag = h.live[addr]
            if op[0] == "free":
                lib.free(p)
                del h.live[addr]
            else:
                q = lib.realloc(p, op[2])
                if op[2] == 0:
                    assert q == ffi.NULL  # freed
                    del h.live[addr]
                elif q == ffi.NULL:
                    h.failed(op[2])  # the old block stays
                else:
                    keep = min(size, op[2])
                    assert ffi.buffer(q, keep)[:] == bytes([tag]) * keep
                    del h.live[addr]
                    h.adopt(q, op[2])
        h.check()
    h.verify_all()
    _, used, _ = h.stats()
    assert used >= sum(s for _, s, _ in h.live.values())
    order = list(h.live.values())
    random.Random(seed).shuffle(order)
    for p, _, _ in order:
        lib.free(p)
    assert h.check() == (1, 1)  # coalesced back into one block
    assert h.stats() == (total, 0, total - HDR)


def test_exhaustion_message(libc):
    h = Heap(libc, 8 << 20)
    lib, ffi = h.lib, h.ffi
    big = lib.malloc(int(7.9 * (1 << 20)))
    assert big != ffi.NULL
    libc.errno = 0
    assert lib.malloc(123456) == ffi.NULL
    assert libc.errno == ENOMEM
    assert libc.console() == (b"mirage: heap exhausted: malloc(123456) failed "
                              b"(heap 8 MiB, 7.9 MiB in use)\n")
    assert lib.malloc(1 << 30) == ffi.NULL  # printed once only
    assert libc.console() == b""
    lib.free(big)
    assert lib.malloc(123456) != ffi.NULL
    h.check()


def test_exhaustion_edge_cases(libc):
    h = Heap(libc, 1 << 20)
    lib, ffi = h.lib, h.ffi
    libc.errno = 0
    assert lib.calloc(1 << 40, 1 << 40) == ffi.NULL  # overflowing product
    assert libc.errno == ENOMEM
    assert b"calloc(1099511627776, 1099511627776) failed" in libc.console()
    for n in ((1 << 64) - 1, (1 << 63), 1 << 20):
        libc.errno = 0
        assert lib.malloc(n) == ffi.NULL and libc.errno == ENOMEM
        assert lib.aligned_alloc(64, n) == ffi.NULL
    p = lib.malloc(100)
    assert lib.realloc(p, (1 << 64) - 1) == ffi.NULL  # p survives
    assert lib.realloc(p, 200) != ffi.NULL
    _, _, largest = h.stats()
    q = lib.malloc(largest)  # exactly the largest block fits
    assert q != ffi.NULL
    assert lib.malloc(0) == ffi.NULL  # and nothing is left
    lib.free(q)
    h.check()


def test_no_heap(libc):
    lib, ffi = libc.lib, libc.ffi
    lib.mirage_heap_init(ffi.NULL, 0)
    libc.console()
    libc.errno = 0
    assert lib.malloc(1) == ffi.NULL and libc.errno == ENOMEM
    assert b"heap exhausted: malloc(1) failed (heap 0 B, 0 B in use)" in libc.console()


def test_small_api_corners(libc):
    h = Heap(libc, 1 << 20)
    lib, ffi = h.lib, h.ffi
    a, b = lib.malloc(0), lib.malloc(0)
    assert a != ffi.NULL and b != ffi.NULL and a != b
    lib.free(ffi.NULL)
    p = lib.realloc(ffi.NULL, 40)
    assert p != ffi.NULL
    assert lib.realloc(p, 0) == ffi.NULL
    libc.errno = 0
    assert lib.aligned_alloc(48, 10) == ffi.NULL and libc.errno == EINVAL
    out = ffi.new("void **")
    assert lib.posix_memalign(out, 4, 10) == EINVAL
    assert lib.posix_memalign(out, 24, 10) == EINVAL
    assert lib.posix_memalign(out, 1 << 12, 10) == 0
    assert int(ffi.cast("uintptr_t", out[0])) % 4096 == 0
    assert lib.posix_memalign(out, 64, 1 << 30) == ENOMEM
    for p in (a, b):
        lib.free(p)
    h.check()


def test_realloc_in_place_and_sliding(libc):
    h = Heap(libc, 1 << 20)
    lib, ffi = h.lib, h.ffi
    a = lib.malloc(1000)
    b = lib.malloc(1000)
    c = lib.malloc(1000)
    ffi.memmove(b, b"x" * 1000, 1000)
    assert lib.realloc(b, 100) == b  # shrink in place
    assert lib.realloc(b, 1000) == b  # grows back into the freed tail
    lib.free(c)
    assert lib.realloc(b, 5000) == b  # grows into the free successor
    lib.free(a)
    ffi.memmove(b, b"y" * 5000, 5000)
    lib.malloc(100_000)  # something after b, so b cannot grow forwards any more
    h.check()
    q = lib.realloc(b, 5500)  # slides down into the free predecessor
    assert q == a
    assert ffi.buffer(q, 5000)[:] == b"y" * 5000
    h.check()


def test_invalid_free_aborts(libc):
    h = Heap(libc, 1 << 20)
    lib = h.lib
    assert lib.t_catch_abort(4) == 1
    assert b"invalid pointer or double free" in libc.console()
    p = lib.malloc(64)
    lib.malloc(64)  # keeps p from merging away
    assert lib.t_double_free(p) == 1
    assert b"mirage: free(0x" in libc.console()


@pytest.mark.parametrize("align", [32, 64, 128, 4096, 1 << 16])
def test_aligned_alloc_reuses_the_gap(libc, align):
    h = Heap(libc, 4 << 20)
    lib, ffi = h.lib, h.ffi
    ptrs = []
    for i in range(20):
        p = lib.aligned_alloc(align, 24 + i)
        assert p != ffi.NULL and int(ffi.cast("uintptr_t", p)) % align == 0
        ptrs.append(p)
        ptrs.append(lib.malloc(8))  # small blocks fill the gaps in front
        h.check()
    for p in ptrs:
        lib.free(p)
    assert h.check() == (1, 1)
