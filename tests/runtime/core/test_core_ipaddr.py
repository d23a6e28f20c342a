"""The IPv4/IPv6 address and prefix grammars of the boot-argument parser, compared
with Python's ipaddress module (minus what we reject on purpose: zone ids, netmask
prefixes, leading zeros in a prefix length)."""
from __future__ import annotations

import ipaddress
import re
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.runtime.core.corelib import core

PREFIX_LEN = re.compile(r"0|[1-9][0-9]{0,2}")


def parse(kind: str, text: str) -> Any:
    """The parsed value, or None when the C parser rejects text."""
    ffi, lib = core()
    out = ffi.new(f"struct mirage_{kind.lower()} *")
    rc = lib.mirage_arg_parse_value(getattr(lib, f"MIRAGE_ARG_{kind}"),
                                    ffi.new("char[]", text.encode()), out)
    if rc != 0:
        assert rc == lib.MIRAGE_EINVAL
        return None
    if kind in ("IPV4", "IPV6"):
        return bytes(out.bytes)
    return bytes(out.addr.bytes), out.len


def python_addr(kind: str, text: str) -> bytes | None:
    cls = ipaddress.IPv4Address if kind == "IPV4" else ipaddress.IPv6Address
    if "%" in text:  # zone ids are not boot-argument syntax
        return None
    try:
        return cls(text).packed
    except ValueError:
        return None


def python_prefix(kind: str, text: str) -> tuple[bytes, int] | None:
    addr, slash, length = text.partition("/")
    if not slash or not PREFIX_LEN.fullmatch(length):
        return None
    packed = python_addr(kind, addr)
    limit = 32 if kind == "IPV4" else 128
    if packed is None or int(length) > limit:
        return None
    return packed, int(length)


# ---- generators: well-formed texts in every spelling, plus near misses ----

octet = st.integers(0, 255)


@st.composite
def ipv4_text(draw: Any) -> str:
    parts = [str(draw(octet)) for _ in range(4)]
    if draw(st.integers(0, 4)) == 0:  # a near miss
        i = draw(st.integers(0, 3))
        parts[i] = draw(st.sampled_from(["0" + parts[i], "", "256", "1000", "-1", " 1", "+1", "0x1"]))
    if draw(st.integers(0, 9)) == 0:
        parts = parts[: draw(st.integers(0, 5))] or parts + ["1"]
    return ".".join(parts)


@st.composite
def ipv6_text(draw: Any) -> str:
    addr = ipaddress.IPv6Address(draw(st.one_of(
        st.integers(0, 2**128 - 1),
        st.integers(0, 2**32 - 1),  # ::a.b.c.d territory
        st.integers(0, 2**32 - 1).map(lambda n: (0xFFFF << 32) | n),
        st.lists(st.sampled_from([0, 0, 0, 1, 0xFFFF]), min_size=8, max_size=8)
        .map(lambda gs: int("".join(f"{g:04x}" for g in gs), 16)))))
    style = draw(st.integers(0, 5))
    if style == 0:
        text = addr.compressed
    elif style == 1:
        text = addr.exploded
    elif style == 2:  # no compression, groups with random leading zeros
        values = [int(g, 16) for g in addr.exploded.split(":")]
        text = ":".join(f"{g:0{draw(st.integers(len(f'{g:x}'), 4))}x}" for g in values)
    elif style == 3:  # embedded IPv4 tail
        groups = addr.exploded.split(":")
        v4 = str(ipaddress.IPv4Address(int("".join(groups[6:]), 16)))
        head = ipaddress.IPv6Address(int("".join(groups[:6]) + "0" * 8, 16)).compressed
        if head.endswith("::"):
            text = head + v4 if groups[5:6] == ["0000"] else head[:-1] + v4
        else:
            text = ":".join(groups[:6]) + ":" + v4
    elif style == 4:  # "::" at a random run of zero groups (possibly a single one)
        groups = [f"{int(g, 16):x}" for g in addr.exploded.split(":")]
        zeros = [i for i, g in enumerate(groups) if g == "0"]
        if zeros:
            i = draw(st.sampled_from(zeros))
            j = i
            while j + 1 < 8 and groups[j + 1] == "0" and draw(st.booleans()):
                j += 1
            text = ":".join(groups[:i]) + "::" + ":".join(groups[j + 1:])
        else:
            text = ":".join(groups)
    else:
        text = addr.compressed.upper()
    if draw(st.integers(0, 3)) == 0:  # a near miss: cut, duplicate or insert something
        pos = draw(st.integers(0, len(text)))
        junk = draw(st.sampled_from([":", "::", ".", "0", "00000", "g", ":::", "1.2.3.4", "", "%1"]))
        if draw(st.booleans()):
            text = text[:pos] + junk + text[pos:]
        else:
            text = text[:pos] + text[pos + len(junk):]
    return text


noise = st.text(alphabet="0123456789abcdefABCDEF:./", max_size=45)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(ipv4_text(), noise))
@example("1.2.3.4")
@example("01.2.3.4")
@example("255.255.255.255")
@example("256.0.0.1")
@example("1.2.3")
@example("1.2.3.4.")
@example("")
def test_ipv4_matches_python(text: str) -> None:
    assert parse("IPV4", text) == python_addr("IPV4", text)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(ipv6_text(), noise))
@example("::")
@example("::1")
@example("1::")
@example("1:2:3:4:5:6:7::")
@example("::2:3:4:5:6:7:8")
@example("1:2:3:4:5:6:7:8::")
@example("1::2:3:4:5:6:7:8")
@example("1:::2")
@example(":1::")
@example("1::2::3")
@example("::ffff:1.2.3.4")
@example("::ffff:01.2.3.4")
@example("1:2:3:4:5:6:1.2.3.4")
@example("1:2:3:4:5:6:7:1.2.3.4")
@example("1.2.3.4::")
@example("::1.2.3.4:1")
@example("00001::")
@example("FE80::ABCD")
def test_ipv6_matches_python(text: str) -> None:
    assert parse("IPV6", text) == python_addr("IPV6", text)


@settings(max_examples=1000, deadline=None)
@given(ipv4_text(), st.one_of(st.integers(0, 40).map(str), st.sampled_from(["", "00", "024", "+8", "x"])))
def test_ipv4_prefix_matches_python(addr: str, length: str) -> None:
    text = f"{addr}/{length}"
    assert parse("IPV4_PREFIX", text) == python_prefix("IPV4", text)
    assert parse("IPV4_PREFIX", addr) is None  # the length is not optional


@settings(max_examples=500, deadline=None)
@given(ipv6_text(), st.one_of(st.integers(0, 140).map(str), st.sampled_from(["", "00", "064", "-1"])))
def test_ipv6_prefix_matches_python(addr: str, length: str) -> None:
    text = f"{addr}/{length}"
    assert parse("IPV6_PREFIX", text) == python_prefix("IPV6", text)


def test_prefix_keeps_host_bits() -> None:
    assert parse("IPV4_PREFIX", "10.0.0.2/24") == (bytes([10, 0, 0, 2]), 24)
    assert parse("IPV6_PREFIX", "fe80::1/64") == (ipaddress.IPv6Address("fe80::1").packed, 64)
    assert parse("IPV4_PREFIX", "1.2.3.4/33") is None
    assert parse("IPV6_PREFIX", "::/129") is None
    assert parse("IPV6_PREFIX", "::/128/1") is None
