"""qsort and bsearch against Python's sorted and bisect."""
from __future__ import annotations

import bisect
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

INT = st.integers(-(1 << 31), (1 << 31) - 1)


def sort_ints(libc, values):
    a = libc.ffi.new("int[]", values) if values else libc.ffi.new("int[1]")
    libc.lib.t_qsort_int(a, len(values))
    return list(a)[:len(values)]


@settings(max_examples=300, deadline=None)
@given(values=st.lists(INT, max_size=300) | st.lists(st.integers(0, 3), max_size=300))
def test_random_arrays(libc, values):
    assert sort_ints(libc, values) == sorted(values)


@pytest.mark.parametrize("n", [0, 1, 2, 12, 13, 64, 65, 1000, 20000])
@pytest.mark.parametrize("shape", ["sorted", "reversed", "equal", "organ", "sawtooth", "random"])
def test_shapes(libc, n, shape):
    rng = random.Random(n)
    values = {
        "sorted": list(range(n)),
        "reversed": list(range(n, 0, -1)),
        "equal": [7] * n,
        "organ": list(range(n // 2)) + list(range(n - n // 2, 0, -1)),
        "sawtooth": [i % 17 for i in range(n)],
        "random": [rng.randrange(-1000, 1000) for _ in range(n)],
    }[shape]
    assert sort_ints(libc, values) == sorted(values)


def test_median_of_three_killer(libc):
    # A classic adversarial input for median-of-three quicksort: must not go quadratic
    # (the heapsort fallback bounds it) nor recurse deeply.
    n = 1 << 15
    k = n // 2
    values = [0] * n
    for i in range(1, k + 1):
        if i % 2:
            values[i - 1], values[i] = i, k + i
        values[k + i - 1] = 2 * i
    assert sort_ints(libc, values) == sorted(values)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 2000))
def test_lying_comparator_keeps_a_permutation(libc, seed, n):
    values = list(range(n))
    a = libc.ffi.new("int[]", values + [-1, -2])  # two guard elements after the array
    libc.lib.t_qsort_random_cmp(a, n, seed)
    assert sorted(list(a)[:n]) == values
    assert list(a)[n:] == [-1, -2]


@settings(max_examples=100, deadline=None)
@given(keys=st.lists(st.integers(0, 20), max_size=200))
def test_records_byte_swap_path(libc, keys):
    ffi = libc.ffi
    recs = ffi.new("struct rec[]", max(len(keys), 1))
    for i, k in enumerate(keys):
        recs[i].key, recs[i].index = k, i
        ffi.memmove(recs[i].pad, bytes([i % 256]) * 16, 16)
    libc.lib.t_qsort_rec(recs, len(keys))
    got = [(recs[i].key, recs[i].index) for i in range(len(keys))]
    assert [k for k, _ in got] == sorted(keys)
    assert sorted(i for _, i in got) == list(range(len(keys)))  # a permutation
    for i in range(len(keys)):  # records moved whole
        assert ffi.buffer(recs[i].pad, 16)[:] == bytes([recs[i].index % 256]) * 16


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.integers(-50, 50), max_size=100, unique=True).map(sorted),
       key=st.integers(-60, 60))
def test_bsearch(libc, values, key):
    ffi = libc.ffi
    a = ffi.new("int[]", values or [0])
    k = ffi.new("int *", key)
    found = libc.lib.t_bsearch_int(k, a, len(values))
    i = bisect.bisect_left(values, key)
    if i < len(values) and values[i] == key:
        assert found != ffi.NULL and found[0] == key and found - a == i
    else:
        assert found == ffi.NULL
