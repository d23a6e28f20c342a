"""arp_ping's packet logic (examples/arp_ping/packet.c) through cffi: the Internet
checksum against a Python reference, ARP and ICMP echo replies field by field, and
the frames it must ignore."""
from __future__ import annotations

import struct
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.cbuild import ROOT, build
from tests.cdecl import cdef_of

CDEF = cdef_of(("packet.h",), (ROOT / "examples" / "arp_ping",))

ME_MAC = bytes.fromhex("0200c0ffee01")
ME_IP = bytes([10, 0, 0, 2])
PEER_MAC = bytes.fromhex("3a1b2c3d4e5f")
PEER_IP = bytes([10, 0, 0, 1])
BROADCAST = b"\xff" * 6
NONE, ARP, ECHO = 0, 1, 2


@pytest.fixture(scope="module")
def lib() -> Any:
    return build("arp_ping_packet", ["examples/arp_ping/packet.c"], CDEF,
                 include_dirs=["examples/arp_ping"])


def checksum(data: bytes) -> int:
    """RFC 1071, written independently of the C."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def answer(lib: Any, frame: bytes, out_size: int = 2048, guard: int = 16) -> tuple[int, bytes]:
    """Run arp_ping_answer; the bytes past out_size must stay untouched."""
    ffi, c = lib
    me = ffi.new("struct arp_ping_host *")
    me.mac = list(ME_MAC)
    me.ip = list(ME_IP)
    out = ffi.new("uint8_t[]", out_size + guard)
    ffi.memmove(out + out_size, b"\xa5" * guard, guard)
    out_len = ffi.new("size_t *", 12345)
    kind = c.arp_ping_answer(me, frame, len(frame), out, out_size, out_len)
    assert ffi.buffer(out + out_size, guard)[:] == b"\xa5" * guard, "wrote past out_size"
    if kind == NONE:
        assert out_len[0] == 0
    assert out_len[0] <= out_size
    return kind, ffi.buffer(out, out_len[0])[:]


def arp_request(target_ip: bytes = ME_IP, op: int = 1, dst: bytes = BROADCAST, htype: int = 1,
                ptype: int = 0x0800) -> bytes:
    eth = dst + PEER_MAC + b"\x08\x06"
    body = struct.pack("!HHBBH", htype, ptype, 6, 4, op) + PEER_MAC + PEER_IP + b"\0" * 6 + target_ip
    return eth + body


def ipv4(payload: bytes, dst: bytes = ME_IP, proto: int = 1, options: bytes = b"", ident: int = 0x1234,
         ttl: int = 64, frag: int = 0x4000, total: int | None = None, version: int = 4) -> bytes:
    ihl = 5 + len(options) // 4
    length = total if total is not None else ihl * 4 + len(payload)
    head = struct.pack("!BBHHHBBH4s4s", version << 4 | ihl, 0, length, ident, frag, ttl, proto, 0,
                       PEER_IP, dst) + options
    head = head[:10] + struct.pack("!H", checksum(head)) + head[12:]
    return head + payload


def icmp_echo(ident: int, seq: int, data: bytes, kind: int = 8) -> bytes:
    msg = struct.pack("!BBHHH", kind, 0, 0, ident, seq) + data
    return msg[:2] + struct.pack("!H", checksum(msg)) + msg[4:]


def ping_frame(data: bytes = b"abcdefgh" * 7, dst_mac: bytes = ME_MAC, **ip: Any) -> bytes:
    return dst_mac + PEER_MAC + b"\x08\x00" + ipv4(icmp_echo(0x4D49, 7, data), **ip)


# ---- checksum -------------------------------------------------------------------

def test_checksum_known_values(lib: Any) -> None:
    _, c = lib
    # RFC 1071 section 3's example sums to ddf2; a textbook IPv4 header sums to b861.
    assert c.arp_ping_checksum(bytes.fromhex("0001f203f4f5f6f7"), 8) == 0xFFFF - 0xDDF2
    header = bytes.fromhex("450000730000400040110000c0a80001c0a800c7")
    assert c.arp_ping_checksum(header, len(header)) == 0xB861
    assert c.arp_ping_checksum(b"", 0) == 0xFFFF


@settings(max_examples=300)
@given(st.binary(max_size=3000))
def test_checksum_matches_reference(lib: Any, data: bytes) -> None:
    _, c = lib
    assert c.arp_ping_checksum(data, len(data)) == checksum(data)


@given(st.binary(min_size=2, max_size=600).map(lambda b: b if len(b) % 2 == 0 else b + b"\0"))
def test_filled_in_checksum_verifies_to_zero(lib: Any, data: bytes) -> None:
    _, c = lib
    filled = struct.pack("!H", c.arp_ping_checksum(b"\0\0" + data[2:], len(data))) + data[2:]
    assert c.arp_ping_checksum(filled, len(filled)) == 0


# ---- ARP --------------------------------------------------------------------------

@pytest.mark.parametrize("dst", [BROADCAST, ME_MAC])
def test_arp_reply(lib: Any, dst: bytes) -> None:
    kind, reply = answer(lib, arp_request(dst=dst))
    assert kind == ARP and len(reply) == 60
    assert reply[:14] == PEER_MAC + ME_MAC + b"\x08\x06"
    htype, ptype, hlen, plen, op = struct.unpack("!HHBBH", reply[14:22])
    assert (htype, ptype, hlen, plen, op) == (1, 0x0800, 6, 4, 2)
    assert reply[22:42] == ME_MAC + ME_IP + PEER_MAC + PEER_IP
    assert reply[42:] == b"\0" * 18


@pytest.mark.parametrize("frame", [
    arp_request(target_ip=bytes([10, 0, 0, 3])),   # someone else's address
    arp_request(op=2),                               # a reply, not a request
    arp_request(htype=6),                            # not Ethernet
    arp_request(ptype=0x86DD),                       # not IPv4
    arp_request(dst=bytes.fromhex("0200c0ffee02")),  # unicast to another host
    arp_request()[:41],                              # truncated
], ids=["other-ip", "reply", "htype", "ptype", "other-mac", "short"])
def test_arp_ignored(lib: Any, frame: bytes) -> None:
    assert answer(lib, frame)[0] == NONE


def test_arp_needs_room_for_a_minimum_frame(lib: Any) -> None:
    assert answer(lib, arp_request(), out_size=59)[0] == NONE
    assert answer(lib, arp_request(), out_size=60)[0] == ARP


# ---- ICMP echo ------------------------------------------------------------------------

@settings(max_examples=200)
@given(data=st.binary(max_size=1472), ident=st.integers(0, 0xFFFF), seq=st.integers(0, 0xFFFF),
       ip_id=st.integers(0, 0xFFFF), options=st.integers(0, 10).map(lambda n: b"\x01" * (4 * n)),
       padding=st.binary(max_size=20), dst_mac=st.sampled_from([ME_MAC, BROADCAST]),
       ttl=st.integers(1, 255))
def test_echo_reply(lib: Any, data: bytes, ident: int, seq: int, ip_id: int, options: bytes,
                    padding: bytes, dst_mac: bytes, ttl: int) -> None:
    request = icmp_echo(ident, seq, data)
    frame = dst_mac + PEER_MAC + b"\x08\x00" + ipv4(request, options=options, ident=ip_id, ttl=ttl) + padding
    kind, reply = answer(lib, frame, out_size=max(len(frame), 60))
    assert kind == ECHO
    length = 14 + 20 + len(request)
    assert len(reply) == max(length, 60)
    assert reply[length:] == b"\0" * (len(reply) - length)
    assert reply[:14] == PEER_MAC + ME_MAC + b"\x08\x00"
    ip = reply[14:34]
    vihl, _tos, total, rid, frag, rttl, proto, _sum, src, dst = struct.unpack("!BBHHHBBH4s4s", ip)
    assert (vihl, total, rid, frag, rttl, proto) == (0x45, 20 + len(request), ip_id, 0, 64, 1)
    assert (src, dst) == (ME_IP, PEER_IP)
    assert checksum(ip) == 0
    icmp = reply[34:length]
    assert icmp[:2] == b"\0\0" and checksum(icmp) == 0
    assert struct.unpack("!HH", icmp[4:8]) == (ident, seq) and icmp[8:] == data


def test_echo_reply_fits_exactly(lib: Any) -> None:
    frame = ping_frame(b"x" * 100)
    assert answer(lib, frame, out_size=len(frame))[0] == ECHO
    assert answer(lib, frame, out_size=len(frame) - 1)[0] == NONE


def _corrupt_ip_checksum(frame: bytes) -> bytes:
    return frame[:24] + bytes([frame[24] ^ 1]) + frame[25:]


def _corrupt_icmp_checksum(frame: bytes) -> bytes:
    return frame[:36] + bytes([frame[36] ^ 1]) + frame[37:]


@pytest.mark.parametrize("frame", [
    ping_frame(dst=bytes([10, 0, 0, 3])),                       # not our address
    ping_frame(dst_mac=bytes.fromhex("0200c0ffee02")),          # not our MAC
    _corrupt_ip_checksum(ping_frame()),
    _corrupt_icmp_checksum(ping_frame()),
    ping_frame(frag=0x2000),                                    # more fragments follow
    ping_frame(frag=0x0010),                                    # a later fragment
    ping_frame(proto=17),                                       # UDP
    ping_frame(total=200),                                      # longer than the frame
    ping_frame(total=27),                                       # shorter than IP + ICMP headers
    ME_MAC + PEER_MAC + b"\x08\x00" + ipv4(icmp_echo(1, 1, b"x", kind=0)),  # an echo reply
    ping_frame(version=6),
    ping_frame()[:30],
    ME_MAC + PEER_MAC + b"\x86\xdd" + ping_frame()[14:],        # IPv6 EtherType
    ME_MAC[:5],
], ids=["other-ip", "other-mac", "ip-checksum", "icmp-checksum", "mf", "offset", "udp", "total-long",
        "total-short", "echo-reply", "version", "truncated", "ethertype", "runt"])
def test_echo_ignored(lib: Any, frame: bytes) -> None:
    assert answer(lib, frame)[0] == NONE


@settings(max_examples=300)
@given(ethertype=st.sampled_from([b"\x08\x00", b"\x08\x06", b"\x12\x34"]),
       dst=st.sampled_from([ME_MAC, BROADCAST]), body=st.binary(max_size=200),
       out_size=st.integers(0, 260))
def test_random_frames_stay_in_bounds(lib: Any, ethertype: bytes, dst: bytes, body: bytes,
                                      out_size: int) -> None:
    frame = dst + PEER_MAC + ethertype + body
    kind, reply = answer(lib, frame, out_size=out_size)
    assert kind in (NONE, ARP, ECHO)
    if kind != NONE:
        assert len(reply) >= 60 and reply[:12] == reply[:6] + ME_MAC
