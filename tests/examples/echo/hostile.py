"""A hostile peer for examples/echo on the lwIP stack, run inside the test's network namespace
with the venv's Python: `python hostile.py ATTACK [ARGS]`, printing one JSON line of what it saw.

It writes raw Ethernet frames (crafted with scapy) on tap0 and reads the unikernel's frames there,
posing as a host of its own, 10.0.0.9 / fd00::9 with a made-up MAC: the namespace's kernel never
sees that host's traffic as its own (the frames are for another MAC), so it never answers for it
(no RST to the unikernel's SYN-ACKs). The peer answers the unikernel's ARP and neighbour
solicitations for that host itself. Every wait is bounded; nothing leaves the namespace."""
from __future__ import annotations

import json
import os
import random
import select
import socket
import struct
import sys
import time
from collections.abc import Callable

from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.inet6 import (
    ICMPv6EchoReply,
    ICMPv6EchoRequest,
    ICMPv6ND_NA,
    ICMPv6ND_NS,
    ICMPv6NDOptDstLLAddr,
    ICMPv6NDOptSrcLLAddr,
    IPv6,
)
from scapy.layers.l2 import ARP, Ether
from scapy.packet import Packet

IFACE = "tap0"
UK4, UK6 = "10.0.0.2", "fd00::2"
ME4, ME6, ME_MAC = "10.0.0.9", "fd00::9", "02:00:00:00:00:09"
ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def checksum(data: bytes) -> int:
    """The Internet checksum (RFC 1071) of data."""
    if len(data) % 2:
        data += b"\0"
    s = int(sum(struct.unpack(f"!{len(data) // 2}H", data)))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def bad(value: int) -> int:
    """A checksum that is certainly wrong (and not 0, which UDP over IPv4 reads as none)."""
    return (value ^ 0x5A5A) or 0x1234


class Wire:
    """tap0 from the namespace's side: raw frames out, the unikernel's frames in."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self.sock.bind((IFACE, 0))
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.uk_mac = ""
        self.refused: list[str] = []

    def send(self, frame: bytes | Packet) -> bool:
        """Write one frame; False (and noted) when the kernel refuses it."""
        data = bytes(frame)
        try:
            self.sock.send(data)
            return True
        except OSError as e:
            self.refused.append(f"{len(data)} bytes: {e.strerror}")
            return False

    def eth(self, ethertype: int | None = None) -> Ether:
        e = Ether(src=ME_MAC, dst=self.uk_mac or "ff:ff:ff:ff:ff:ff")
        if ethertype is not None:
            e.type = ethertype
        return e

    def _answer(self, p: Packet) -> None:
        """Be 10.0.0.9 and fd00::9 to the unikernel's ARP and neighbour solicitations."""
        if ARP in p and p[ARP].op == 1 and p[ARP].pdst == ME4:
            self.send(Ether(src=ME_MAC, dst=p[Ether].src) /
                      ARP(op=2, hwsrc=ME_MAC, psrc=ME4, hwdst=p[ARP].hwsrc, pdst=p[ARP].psrc))
        elif ICMPv6ND_NS in p and p[ICMPv6ND_NS].tgt == ME6:
            self.send(Ether(src=ME_MAC, dst=p[Ether].src) / IPv6(src=ME6, dst=p[IPv6].src) /
                      ICMPv6ND_NA(tgt=ME6, R=0, S=1, O=1) / ICMPv6NDOptDstLLAddr(lladdr=ME_MAC))

    def recv(self, want: Callable[[Packet], bool], timeout: float) -> Packet | None:
        """The next frame from the unikernel that `want` accepts, answering its neighbour
        discovery meanwhile; None after timeout seconds."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                return None
            data, addr = self.sock.recvfrom(65536)
            if addr[2] == PACKET_OUTGOING:
                continue
            p = Ether(data)
            if self.uk_mac and p.src != self.uk_mac:
                continue
            self._answer(p)
            if want(p):
                return p

    def drain(self, seconds: float) -> None:
        self.recv(lambda p: False, seconds)

    def resolve(self) -> None:
        """Learn the unikernel's MAC (and have it learn ours) by ARP, and by a neighbour
        solicitation for its IPv6 address."""
        for _ in range(10):
            self.send(Ether(src=ME_MAC, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=ME_MAC, psrc=ME4, pdst=UK4))
            p = self.recv(lambda p: ARP in p and p[ARP].op == 2 and p[ARP].psrc == UK4, 1.0)
            if p is not None:
                self.uk_mac = p[ARP].hwsrc
                break
        if not self.uk_mac:
            raise SystemExit("the unikernel does not answer ARP")
        ns = (self.eth() / IPv6(src=ME6, dst=UK6) / ICMPv6ND_NS(tgt=UK6) / ICMPv6NDOptSrcLLAddr(lladdr=ME_MAC))
        self.send(ns)
        self.drain(0.2)


def ip4(payload: bytes, proto: int, *, src: str = ME4, dst: str = UK4, ident: int = 1, flags_frag: int = 0,
        ihl: int = 5, total: int | None = None, options: bytes = b"", good: bool = True) -> bytes:
    """An IPv4 header with a correct (or, not good, a wrong) checksum, then payload."""
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, 20 + len(options) + len(payload) if total is None else total,
                      ident, flags_frag, 64, proto, 0, socket.inet_aton(src), socket.inet_aton(dst)) + options
    c = checksum(hdr)
    hdr = hdr[:10] + struct.pack("!H", c if good else bad(c)) + hdr[12:]
    return hdr + payload


def pseudo4(src: str, dst: str, proto: int, length: int) -> bytes:
    return socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, proto, length)


def pseudo6(src: str, dst: str, nexth: int, length: int) -> bytes:
    return (socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst) +
            struct.pack("!IxxxB", length, nexth))


def udp_bytes(sport: int, dport: int, payload: bytes, pseudo: bytes | None, csum: str = "good") -> bytes:
    """A UDP header and payload; csum good, bad or zero (none)."""
    hdr = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    c = checksum((pseudo or b"") + hdr + payload) or 0xFFFF
    value = {"good": c, "bad": bad(c), "zero": 0}[csum]
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), value) + payload


def ip6(payload: bytes, nexth: int, *, src: str = ME6, dst: str = UK6, plen: int | None = None) -> bytes:
    return (struct.pack("!IHBB", 0x60000000, len(payload) if plen is None else plen, nexth, 64) +
            socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst) + payload)


def udp_echo_of(sport: int, v6: bool = False) -> Callable[[Packet], bool]:
    layer = IPv6 if v6 else IP
    return lambda p: layer in p and UDP in p and p[UDP].sport == 7 and p[UDP].dport == sport


def synack_to(sport: int) -> Callable[[Packet], bool]:
    return lambda p: TCP in p and p[TCP].dport == sport and p[TCP].flags.S and p[TCP].flags.A


def udp_reply(w: Wire, sport: int, timeout: float, v6: bool = False) -> bytes | None:
    p = w.recv(udp_echo_of(sport, v6), timeout)
    return None if p is None else bytes(p[UDP].payload)


# --- truncated and malformed frames ------------------------------------------------------------

def truncated(w: Wire) -> dict[str, object]:
    """Frames cut short at every layer, and headers whose lengths lie. None may be answered
    wrongly nor crash the unikernel; the test then checks it still works."""
    e4, e6 = bytes(w.eth(0x0800)), bytes(w.eth(0x86DD))
    tcp = bytes(TCP(sport=40000, dport=7, flags="S", seq=1))
    udp = udp_bytes(40001, 7, b"cut short", pseudo4(ME4, UK4, 17, 17))
    icmp = bytes(ICMP(type=8, id=1, seq=1) / b"ping")
    v6udp = udp_bytes(40002, 7, b"cut short", pseudo6(ME6, UK6, 17, 17))
    hbh = bytes([17, 8]) + b"\0" * 6  # hop-by-hop options header claiming 72 bytes
    # A SYN whose last option (MSS) has lost its length byte to the end of the header.
    cut_opt = bytearray(struct.pack("!HHIIBBHHH", 40003, 7, 1, 0, 0x60, 0x02, 65535, 0, 0) + b"\x01\x01\x01\x02")
    cut_opt[16:18] = struct.pack("!H", checksum(pseudo4(ME4, UK4, 6, 24) + bytes(cut_opt)))
    frames: dict[str, bytes] = {
        "1 byte": e4[:1],
        "6 bytes": e4[:6],
        "13 bytes": e4[:13],
        "ethernet header only, IPv4": e4,
        "ethernet header only, IPv6": e6,
        "ethernet header only, ARP": bytes(w.eth(0x0806)),
        "ethernet header only, VLAN": bytes(w.eth(0x8100)),
        "ARP cut at 10 bytes": bytes(w.eth() / ARP(op=1, hwsrc=ME_MAC, psrc=ME4, pdst=UK4))[:24],
        "IPv4 header cut at 10 bytes": (e4 + ip4(b"", 6))[:24],
        "IPv4 header cut at 19 bytes": (e4 + ip4(b"", 6))[:33],
        "IPv4 IHL 15, 20 bytes there": e4 + ip4(b"", 6, ihl=15),
        "IPv4 IHL 4": e4 + ip4(tcp, 6, ihl=4),
        "IPv4 total length 1000, 40 there": e4 + ip4(tcp, 6, total=1000),
        "IPv4 total length 10": e4 + ip4(tcp, 6, total=10),
        "IPv4 version 6 in an IPv4 frame": e4 + b"\x65" + ip4(tcp, 6)[1:],
        "TCP header cut at 10 bytes": e4 + ip4(tcp[:10], 6),
        "TCP header cut at 19 bytes": e4 + ip4(tcp[:19], 6),
        "TCP data offset 15, 20 bytes there": e4 + ip4(tcp[:12] + b"\xf0" + tcp[13:], 6),
        "TCP data offset 2": e4 + ip4(tcp[:12] + b"\x20" + tcp[13:], 6),
        "TCP option without its length byte": e4 + ip4(bytes(cut_opt), 6),
        "UDP header cut at 4 bytes": e4 + ip4(udp[:4], 17),
        "UDP length 1000, 17 there": e4 + ip4(udp[:4] + struct.pack("!H", 1000) + udp[6:], 17),
        "UDP length 4": e4 + ip4(udp[:4] + struct.pack("!H", 4) + udp[6:], 17),
        "ICMP cut at 2 bytes": e4 + ip4(icmp[:2], 1),
        "IPv4 options cut short": e4 + ip4(b"", 6, ihl=6, options=bytes([0x44, 40, 5, 0])),
        "IPv6 header cut at 20 bytes": (e6 + ip6(v6udp, 17))[:34],
        "IPv6 payload length 1000, 17 there": e6 + ip6(v6udp, 17, plen=1000),
        "IPv6 UDP cut at 4 bytes": e6 + ip6(v6udp[:4], 17),
        "IPv6 TCP cut at 10 bytes": e6 + ip6(tcp[:10], 6),
        "IPv6 hop-by-hop header past the end": e6 + ip6(hbh, 0),
        "IPv6 fragment header cut at 4 bytes": e6 + ip6(bytes([17, 0, 0, 1]), 44),
        "IPv6 routing header cut short": e6 + ip6(bytes([17, 10, 0, 1]), 43),
        "ICMPv6 neighbour solicitation cut at 6 bytes": e6 + ip6(bytes([135, 0, 0, 0, 0, 0]), 58),
    }
    sent = 0
    for _ in range(3):  # a few rounds: the same input must not wear anything down
        for frame in frames.values():
            sent += w.send(frame)
    # None of them is an echo request that must be answered: whatever comes back must not be
    # a UDP echo of the cut datagrams.
    echo = udp_reply(w, 40001, 1.0) or udp_reply(w, 40002, 0.2, v6=True)
    return {"kinds": len(frames), "sent": sent, "refused": w.refused, "echoed": echo is not None}


def oversized(w: Wire, mtu: int) -> dict[str, object]:
    """Frames beyond the unikernel's MTU (1500): UDP echo requests of 1473 and 8000 bytes, not
    fragmented, with the checksum left out (0) so that a truncated copy would pass it too.
    At the namespace's MTU of 1500 the kernel refuses them; the test raises tap0's MTU to let
    them through. No echo may come back, but if one does it must be the datagram whole."""
    results: dict[str, object] = {}
    for size in (1473, 8000):
        payload = os.urandom(size)
        frame = bytes(w.eth(0x0800)) + ip4(udp_bytes(41000 + size % 1000, 7, payload, None, "zero"), 17,
                                          flags_frag=0x4000)
        ok = w.send(frame)
        echo = udp_reply(w, 41000 + size % 1000, 1.5)
        results[f"{len(frame)}-byte frame"] = {"written": ok, "echoed": echo is not None,
                                              "echo_whole": echo == payload if echo is not None else None}
    return {"tap_mtu": mtu, "frames": results, "refused": w.refused}


# --- checksums ---------------------------------------------------------------------------------

def checksums(w: Wire) -> dict[str, bool]:
    """Requests with a wrong checksum must go unanswered; the same with a right one answered.
    Each value: whether an answer came."""
    out: dict[str, bool] = {}

    def udp4(name: str, csum: str, ip_good: bool = True, sport: int = 42000) -> None:
        payload = os.urandom(64)
        frame = bytes(w.eth(0x0800)) + ip4(udp_bytes(sport, 7, payload, pseudo4(ME4, UK4, 17, 72), csum), 17,
                                          good=ip_good)
        got = None
        for _ in range(3 if csum != "bad" and ip_good else 1):
            w.send(frame)
            got = udp_reply(w, sport, 1.0)
            if got is not None:
                break
        out[name] = got == payload if got is not None else False

    udp4("udp4 good", "good", sport=42001)
    udp4("udp4 bad udp checksum", "bad", sport=42002)
    udp4("udp4 bad ip checksum", "good", ip_good=False, sport=42003)
    udp4("udp4 no checksum (0)", "zero", sport=42004)

    def udp6(name: str, csum: str, sport: int) -> None:
        payload = os.urandom(64)
        frame = bytes(w.eth(0x86DD)) + ip6(udp_bytes(sport, 7, payload, pseudo6(ME6, UK6, 17, 72), csum), 17)
        got = None
        for _ in range(3 if csum == "good" else 1):
            w.send(frame)
            got = udp_reply(w, sport, 1.0, v6=True)
            if got is not None:
                break
        out[name] = got == payload if got is not None else False

    udp6("udp6 good", "good", 42011)
    udp6("udp6 bad udp checksum", "bad", 42012)
    udp6("udp6 zero checksum (invalid on IPv6)", "zero", 42013)

    def syn(name: str, good: bool, sport: int) -> None:
        seg = bytearray(bytes(TCP(sport=sport, dport=7, flags="S", seq=1000, window=65535)))
        seg[16:18] = b"\0\0"
        c = checksum(pseudo4(ME4, UK4, 6, len(seg)) + bytes(seg))
        seg[16:18] = struct.pack("!H", c if good else bad(c))
        w.send(bytes(w.eth(0x0800)) + ip4(bytes(seg), 6))
        p = w.recv(synack_to(sport), 1.0)
        out[name] = p is not None
        if p is not None:  # done with it: reset the half-open connection
            w.send(w.eth() / IP(src=ME4, dst=UK4) / TCP(sport=sport, dport=7, flags="R", seq=1001))

    syn("tcp4 syn good", True, 42021)
    syn("tcp4 syn bad checksum", False, 42022)

    def icmp(name: str, good: bool, ident: int) -> None:
        msg = bytearray(bytes(ICMP(type=8, id=ident, seq=1) / b"checksum test"))
        if not good:
            msg[2:4] = struct.pack("!H", bad(struct.unpack("!H", msg[2:4])[0]))
        w.send(bytes(w.eth(0x0800)) + ip4(bytes(msg), 1))
        out[name] = w.recv(lambda p: ICMP in p and p[ICMP].type == 0 and p[ICMP].id == ident, 1.0) is not None

    icmp("icmp4 echo good", True, 0x4401)
    icmp("icmp4 echo bad checksum", False, 0x4402)

    def icmp6(name: str, good: bool, ident: int) -> None:
        msg = bytearray(bytes(IPv6(src=ME6, dst=UK6) / ICMPv6EchoRequest(id=ident, seq=1, data=b"checksum test"))[40:])
        if not good:
            msg[2:4] = struct.pack("!H", bad(struct.unpack("!H", msg[2:4])[0]))
        w.send(bytes(w.eth(0x86DD)) + ip6(bytes(msg), 58))
        out[name] = w.recv(lambda p: ICMPv6EchoReply in p and p[ICMPv6EchoReply].id == ident, 1.0) is not None

    icmp6("icmp6 echo good", True, 0x6601)
    icmp6("icmp6 echo bad checksum", False, 0x6602)
    return out


# --- TCP segments on a real connection ---------------------------------------------------------

class Conn:
    """A TCP connection to port 7 driven by hand from 10.0.0.9: sequence numbers relative to
    our ISN+1 (ours) and the unikernel's ISN+1 (theirs); what the unikernel sends is collected
    and acknowledged as it comes."""

    def __init__(self, w: Wire, sport: int) -> None:
        self.w, self.sport = w, sport
        self.isn = random.getrandbits(32)
        self.got: dict[int, bytes] = {}  # their relative seq -> data
        self.sent_end = 0  # our relative seq after what we sent
        self.fin_at: int | None = None
        w.send(self._seg("S", 0, seq=self.isn, ack=0))
        synack = w.recv(lambda p: self._mine(p) and p[TCP].flags.S and p[TCP].flags.A, 3.0)
        if synack is None:
            raise SystemExit("no SYN-ACK")
        self.their_isn = synack[TCP].seq
        w.send(self._seg("A", 1))

    def _mine(self, p: Packet) -> bool:
        return TCP in p and p[TCP].dport == self.sport and p[TCP].sport == 7

    def rcv_nxt(self) -> int:
        """Their relative seq we have everything below."""
        n = 0
        while True:
            step = 0
            for seq, data in self.got.items():
                if seq <= n < seq + len(data):
                    step = max(step, seq + len(data) - n)
            if step == 0:
                return n
            n += step

    def _seg(self, flags: str, rel: int, data: bytes = b"", seq: int | None = None, ack: int | None = None) -> Packet:
        s = (self.isn + rel) & 0xFFFFFFFF if seq is None else seq
        a = (self.their_isn + 1 + self.rcv_nxt() + (1 if self.fin_at is not None else 0)) & 0xFFFFFFFF \
            if ack is None else ack
        return self.w.eth() / IP(src=ME4, dst=UK4) / TCP(sport=self.sport, dport=7, flags=flags, seq=s, ack=a,
                                                          window=65535) / data

    def send(self, rel_start: int, data: bytes, flags: str = "PA") -> None:
        self.w.send(self._seg(flags, 1 + rel_start, data))

    def pump(self, until: Callable[[], bool], timeout: float) -> bool:
        """Collect (and acknowledge) what the unikernel sends until `until()` or timeout."""
        deadline = time.monotonic() + timeout
        while not until():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            p = self.w.recv(self._mine, min(left, 0.5))
            if p is None:
                continue
            rel = (p[TCP].seq - self.their_isn - 1) & 0xFFFFFFFF
            data = bytes(p[TCP].payload)
            if data:
                self.got[rel] = max(self.got.get(rel, b""), data, key=len)
            if p[TCP].flags.F:
                self.fin_at = rel + len(data)
            if data or p[TCP].flags.F:
                self.w.send(self._seg("A", 1 + self.sent_end))
        return True

    def stream(self) -> bytes:
        n = self.rcv_nxt()
        out = bytearray(n)
        for seq, data in self.got.items():
            out[seq:seq + len(data)] = data[:max(0, n - seq)]
        return bytes(out)


def tcp_segments(w: Wire) -> dict[str, object]:
    """Out-of-order, overlapping and bogus segments on a connection to port 7; the echo must
    be the stream the unikernel should have received."""
    c = Conn(w, 43000)
    d = os.urandom(4000)
    # Out of order, overlapping, duplicated: every byte consistent with d.
    for a, b in [(1000, 2000), (500, 1500), (2500, 3000), (3000, 4000), (1000, 2000), (1900, 2600), (0, 600),
                 (200, 300)]:
        c.send(a, d[a:b])
    c.sent_end = 4000
    c.pump(lambda: c.rcv_nxt() >= 4000, 15)
    consistent = c.stream()[:4000] == d

    # In order, then a retransmission that overlaps it with other bytes: the first copy is the
    # stream (TCP never takes back what it acknowledged).
    a1, b1 = os.urandom(200), os.urandom(200)
    c.send(4000, a1)
    c.sent_end = 4200
    c.pump(lambda: c.rcv_nxt() >= 4200, 10)
    c.send(4100, b1)
    c.sent_end = 4300
    c.pump(lambda: c.rcv_nxt() >= 4300, 10)
    in_order_ok = c.stream()[4000:4300] == a1 + b1[100:]

    # Out of order with other bytes in the overlap: the queued segment first, then one that
    # fills the hole and overlaps it. Either copy of the overlap may win, nothing else.
    q, f = os.urandom(200), os.urandom(200)
    c.send(4400, q)  # [4400, 4600) queued out of order
    c.send(4300, f)  # [4300, 4500) overlaps it by 100
    c.sent_end = 4600
    c.pump(lambda: c.rcv_nxt() >= 4600, 10)
    got = c.stream()[4300:4600]
    ooseq = "queued copy kept" if got == f[:100] + q else "new copy kept" if got == f + q[100:] else "neither"

    # A blind reset inside the window but not at its edge, one far outside it, and data far
    # beyond the window: all ignored (RFC 5961: the first earns a challenge ACK).
    c.send(4600 + 1000, b"", flags="R")
    c.send(4600 + 5_000_000, b"", flags="R")
    c.send(4600 + 3_000_000, b"beyond the window")
    tail = os.urandom(300)
    c.send(4600, tail)
    c.sent_end = 4900
    c.pump(lambda: c.rcv_nxt() >= 4900, 10)
    survived = c.stream()[4600:4900] == tail

    # Close: our FIN; the echo's FIN comes once everything was echoed.
    c.send(4900, b"", flags="FA")
    c.sent_end = 4901
    c.pump(lambda: c.fin_at is not None, 10)
    w.send(c._seg("A", 1 + 4901))
    return {"consistent_overlaps_ok": consistent, "in_order_overlap_ok": in_order_ok, "ooseq_overlap": ooseq,
            "survived_blind_rst": survived, "echoed": c.rcv_nxt(), "fin": c.fin_at}


# --- fragments ---------------------------------------------------------------------------------

def swap_words(data: bytes, at: int) -> bytes:
    """data with the 16-bit words at `at` and `at+2` swapped: other bytes, same checksum."""
    b = bytearray(data)
    b[at:at + 2], b[at + 2:at + 4] = data[at + 2:at + 4], data[at:at + 2]
    return bytes(b)


def fragments(w: Wire, v6: bool) -> dict[str, object]:
    """A UDP echo request to port 7 sent as fragments in many hostile shapes. For each shape,
    the acceptable answers are: nothing, the datagram as sent, or (where fragments disagree
    about some bytes) the datagram with the later copy of them; never anything else."""
    results: dict[str, object] = {}
    ident = [0x1000]

    def datagram(sport: int, size: int, at: int = 0, fill: bytes = b"") -> tuple[bytes, bytes]:
        """A UDP datagram of `size` random bytes, `fill` at datagram offset `at`."""
        payload = bytearray(os.urandom(size))
        if fill:
            payload[at - 8:at - 8 + len(fill)] = fill
        pseudo = pseudo6(ME6, UK6, 17, 8 + size) if v6 else pseudo4(ME4, UK4, 17, 8 + size)
        return bytes(payload), udp_bytes(sport, 7, bytes(payload), pseudo)

    def frag(chunk: bytes, offset: int, more: bool, ident_: int) -> bytes:
        if v6:
            fh = struct.pack("!BBHI", 17, 0, offset | int(more), ident_)
            return bytes(w.eth(0x86DD)) + ip6(fh + chunk, 44)
        return bytes(w.eth(0x0800)) + ip4(chunk, 17, ident=ident_ & 0xFFFF, flags_frag=(offset >> 3) | (
            0x2000 if more else 0))

    def case(name: str, pieces: list[tuple[int, int, bytes | Callable[[bytes], bytes] | None, bool]],
             later: Callable[[bytes], bytes] | None = None, wait: float = 1.0, fill: tuple[int, bytes] = (0, b"")
             ) -> None:
        """pieces: (start, end, data, more fragments), data None for the datagram's own bytes
        [start, end), else bytes or a function of the datagram. later: the datagram as the
        later copy of disputed bytes would make it."""
        sport = 44000 + len(results)
        ident[0] += 1
        payload, udp = datagram(sport, 96, *fill)
        for start, end, data, more in pieces:
            chunk = udp[start:end] if data is None else data(udp) if callable(data) else data
            w.send(frag(chunk, start, more, ident[0]))
        echo = udp_reply(w, sport, wait, v6)
        other = later(udp)[8:] if later is not None else None
        results[name] = ("none" if echo is None else "as sent" if echo == payload else
                         "later copy" if echo == other else "CORRUPT")

    # 104-byte UDP datagrams (8 + 96).
    case("in order", [(0, 48, None, True), (48, 80, None, True), (80, 104, None, False)])
    case("reversed", [(80, 104, None, False), (48, 80, None, True), (0, 48, None, True)])
    case("atomic fragment (offset 0, last)", [(0, 104, None, False)])
    case("consistent overlap", [(0, 48, None, True), (24, 72, None, True), (72, 104, None, False)])
    case("consistent overlap, gap filled", [(0, 48, None, True), (24, 72, None, True), (48, 104, None, False)])

    # [24, 56) disagrees with [0, 48) about bytes 32..36 (two words swapped: the checksum still
    # holds); the rest completes the datagram whichever copy is kept.
    def disputed(udp: bytes) -> bytes:
        return swap_words(udp, 32)[24:56]

    def later(udp: bytes) -> bytes:
        return swap_words(udp, 32)

    case("conflicting overlap (same checksum)",
         [(0, 48, None, True), (24, 56, disputed, True), (48, 104, None, False)], later)
    case("conflicting overlap, conflicting piece first",
         [(24, 56, disputed, True), (0, 48, None, True), (48, 104, None, False)], later)
    # The last piece to come falls between two others and leaves a hole [24, 32) before it.
    # The hole's bytes are chosen so that the datagram without them still passes the UDP
    # checksum (they sum to -8, what the pseudo header's length loses): a reassembly that let
    # the hole pass would echo 88 bytes.
    case("a hole left before the last piece", [(0, 24, None, True), (48, 104, None, False), (32, 48, None, True)],
         fill=(24, b"\xff\xf7" + bytes(6)))
    case("a hole left after the last piece", [(0, 24, None, True), (48, 104, None, False), (24, 40, None, True)],
         fill=(40, b"\xff\xf7" + bytes(6)))
    case("contained (teardrop)", [(0, 64, None, True), (8, 16, None, True), (64, 104, None, False)])
    case("duplicate first fragment, other length", [(0, 48, None, True), (0, 80, None, True),
                                                        (48, 104, None, False)])
    case("duplicate last fragment, other end", [(0, 48, None, True), (48, 104, None, False),
                                                    (48, 80, None, False)])
    case("zero-length middle fragment", [(0, 48, None, True), (48, 48, b"", True), (48, 104, None, False)])
    case("tiny first fragment (8 bytes)", [(0, 8, None, True), (8, 104, None, False)])
    case("last fragment beyond 65535", [(0, 48, None, True), (65528, 65528 + 16, os.urandom(16), False)],
         wait=0.5)
    case("middle fragment beyond 65535", [(0, 48, None, True), (65520, 65520 + 48, os.urandom(48), True),
                                             (48, 104, None, False)], wait=0.5)
    # Many datagrams never completed (first fragments only), then a whole one: the oldest
    # are dropped to make room, and the whole one must still be echoed.
    for i in range(200):
        w.send(frag(os.urandom(64), 0, True, 0x8000 + i))
    case("complete after 200 incomplete", [(0, 48, None, True), (48, 104, None, False)], wait=2.0)
    return {"cases": results, "refused": w.refused}


# --- SYN flood, ISNs ---------------------------------------------------------------------------

def syn_flood(w: Wire, count: int, seconds: float) -> dict[str, object]:
    """`count` SYNs to port 7 from random hosts of 10.0.0.0/24 (not .0, .1, .2, .9 nor .255)
    and random ports, written in bursts within `seconds`. The unikernel answers to hosts that
    do not exist: it asks ARP for each, and its half-open connections time out."""
    rng = random.Random(0x5EED)
    eth = bytes(Ether(dst=w.uk_mac, src=ME_MAC, type=0x0800))
    hosts = [h for h in range(3, 255) if h != 9]
    start = time.monotonic()
    sent = 0
    burst = 200
    for i in range(count):
        src = f"10.0.0.{rng.choice(hosts)}"
        sport = rng.randrange(1024, 65536)
        seg = bytearray(struct.pack("!HHIIBBHHH", sport, 7, rng.getrandbits(32), 0, 0x50, 0x02, 65535, 0, 0))
        seg[16:18] = struct.pack("!H", checksum(pseudo4(src, UK4, 6, 20) + bytes(seg)))
        sent += w.send(eth + ip4(bytes(seg), 6, src=src, ident=i & 0xFFFF))
        if i % burst == burst - 1:
            # Keep to the time budget, with a short pause so tap0's queue (1000 frames) is read.
            elapsed = time.monotonic() - start
            target = seconds * (i + 1) / count
            time.sleep(max(0.002, min(0.05, target - elapsed)))
    took = time.monotonic() - start
    return {"sent": sent, "seconds": round(took, 2), "refused": len(w.refused)}


def isns(w: Wire, count: int) -> dict[str, object]:
    """The initial sequence numbers of `count` SYN-ACKs from port 7 (each half-open
    connection reset right after)."""
    out: list[int] = []
    for i in range(count):
        sport = 45000 + i
        w.send(w.eth() / IP(src=ME4, dst=UK4) / TCP(sport=sport, dport=7, flags="S", seq=1000 + i))
        p = w.recv(synack_to(sport), 2.0)
        if p is None:
            continue
        out.append(p[TCP].seq)
        w.send(w.eth() / IP(src=ME4, dst=UK4) / TCP(sport=sport, dport=7, flags="R", seq=1001 + i))
    return {"isns": out}


def main() -> None:
    attack = sys.argv[1]
    args = sys.argv[2:]
    w = Wire()
    w.resolve()
    if attack == "truncated":
        result: dict[str, object] = truncated(w)
    elif attack == "oversized":
        result = oversized(w, int(args[0]))
    elif attack == "checksums":
        result = dict(checksums(w))
    elif attack == "tcp":
        result = tcp_segments(w)
    elif attack == "frag4":
        result = fragments(w, v6=False)
    elif attack == "frag6":
        result = fragments(w, v6=True)
    elif attack == "synflood":
        result = syn_flood(w, int(args[0]), float(args[1]))
    elif attack == "isn":
        result = isns(w, int(args[0]))
    else:
        raise SystemExit(f"unknown attack {attack}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
