"""runtime_c/drivers/net/lwip/chksum.c through cffi: lwIP's checksum contract (the folded,
non-inverted ones' complement sum of native 16-bit words; at an odd address the first byte
is a word's high half and the result is swapped), at every alignment and length, against a
Python model of lwIP's own routine."""
from __future__ import annotations

import os
import sys
from typing import Any

import pytest

from tests.cbuild import build


@pytest.fixture(scope="module")
def lib() -> tuple[Any, Any]:
    return build("lwip_chksum", ["runtime_c/drivers/net/lwip/chksum.c"],
                 "uint16_t mirage_lwip_chksum(const void *dataptr, int len);")


def model(data: bytes, odd: bool) -> int:
    """lwip_standard_chksum (LWIP_CHKSUM_ALGORITHM 2) of data at an even or odd address."""
    words = (b"\0" + data if odd else data) + b"\0"
    s = sum(int.from_bytes(words[i:i + 2], sys.byteorder) for i in range(0, len(words) - 1, 2))
    while s > 0xFFFF:
        s = (s & 0xFFFF) + (s >> 16)
    return ((s & 0xFF) << 8) | (s >> 8) if odd else s


def chksum(lib: tuple[Any, Any], data: bytes, misalign: int) -> int:
    """The checksum of data placed `misalign` bytes past an 8-byte boundary."""
    ffi, c = lib
    buf = ffi.new("uint8_t[]", len(data) + 16)
    start = (-int(ffi.cast("uintptr_t", buf))) % 8 + misalign
    ffi.memmove(buf + start, data, len(data))
    return int(c.mirage_lwip_chksum(buf + start, len(data)))


@pytest.mark.parametrize("misalign", range(8))
def test_every_length_and_alignment(lib: tuple[Any, Any], misalign: int) -> None:
    data = os.urandom(300)
    for n in range(len(data) + 1):
        assert chksum(lib, data[:n], misalign) == model(data[:n], misalign % 2 == 1), (n, misalign)


@pytest.mark.parametrize("n", [1460, 1480, 9000, 65535])
def test_frames_and_edges(lib: tuple[Any, Any], n: int) -> None:
    for data in (os.urandom(n), b"\xff" * n, bytes(n)):
        for misalign in (0, 1, 2, 5):
            assert chksum(lib, data, misalign) == model(data, misalign % 2 == 1)


def test_a_real_ipv4_header_sums_to_all_ones(lib: tuple[Any, Any]) -> None:
    header = bytes.fromhex("450000730000400040 11b861c0a80001c0a800c7".replace(" ", ""))
    assert chksum(lib, header, 0) == 0xFFFF
    assert chksum(lib, header, 3) == 0xFFFF
