"""examples/echo on the lwIP stack (spt) against a hostile peer in a private network namespace:
truncated, oversized and bad-checksum frames, overlapping and out-of-order TCP segments,
overlapping IPv4 and IPv6 fragments, a bounded SYN flood (with lwIP's memory high-water marks,
printed by echo's --stats), the randomness of TCP initial sequence numbers, DHCP from dnsmasq
and the IPv6 gateway. After each attack the unikernel must still answer ping, UDP and TCP
echo correctly. The raw frames come from hostile.py (scapy), run inside the namespace; run
pytest -s to see the figures."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sys
import time
from pathlib import Path

import pytest

from tests.examples.echo.test_echo import client, start, status
from tests.netns import Netns, read_line
from tests.sconsrun import copy_example, scons

HOSTILE = Path(__file__).with_name("hostile.py")
STATS = re.compile(r"echo: lwip high-water marks: heap (\d+) of (\d+) bytes, pbuf pool (\d+) of (\d+), "
                   r"tcp segments (\d+) of (\d+), tcp pcbs (\d+) of (\d+)\n")


def _build(tmp_path_factory: pytest.TempPathFactory, name: str, *keys: str) -> tuple[str, Path]:
    pytest.importorskip("scapy", reason="the hostile peer needs scapy (pip install -e '.[test]')")
    folder = copy_example("echo", tmp_path_factory.mktemp(name))
    scons(folder, "target=spt", "net=direct", *keys, "-j2")
    return "spt", folder


@pytest.fixture(scope="module")
def spt(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    return _build(tmp_path_factory, "hostile")


@pytest.fixture(scope="module")
def spt_dhcp(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    return _build(tmp_path_factory, "hostile-dhcp", "dhcp=true")


def hostile(netns: Netns, attack: str, *args: str, timeout: float = 120) -> dict[str, object]:
    """Run one attack of hostile.py inside the namespace; what it saw."""
    r = netns.exec(sys.executable, str(HOSTILE), attack, *args, timeout=timeout)
    assert r.returncode == 0, r.stdout + r.stderr
    result: dict[str, object] = json.loads(r.stdout)
    return result


def boot(spt: tuple[str, Path], netns: Netns, count: int) -> object:
    """echo at 10.0.0.2 and fd00::2 (the namespace is 10.0.0.1 and fd00::1), exiting after
    `count` TCP connections with lwIP's high-water marks."""
    netns.ip("addr", "add", "fd00::1/64", "dev", "tap0", "nodad")
    proc, ready = start(spt, netns, "--ipv6=fd00::2/64", f"--count={count}", "--stats")
    assert re.match(r"echo: service port 7 on 10\.0\.0\.2/24 fe80::[0-9a-f:]+/64 fd00::2/64\n", ready), ready
    return proc


def still_serves(netns: Netns, v4: str = "10.0.0.2", v6: str | None = "fd00::2") -> None:
    """Ping, UDP echo (one datagram fragmented both ways) and, last, one TCP echo connection."""
    out = netns.exec("ping", "-n", "-c", "3", "-i", "0.2", "-W", "2", v4, timeout=60).stdout
    assert "3 received" in out, out
    assert client(netns, "udp", v4, 7, 1000) == {"same": True}
    assert client(netns, "udp", v4, 7, 4000) == {"same": True}
    if v6 is not None:
        out = netns.exec("ping", "-6", "-n", "-c", "3", "-i", "0.2", "-W", "2", v6, timeout=60).stdout
        assert "3 received" in out, out
        assert client(netns, "udp", v6, 7, 1000) == {"same": True}
    tcp = client(netns, "echo", v4, 7, 100000)
    assert tcp["received"] == 100000 and tcp["same"], tcp


def high_water(spt: tuple[str, Path], proc: object, connections: int, what: str) -> dict[str, tuple[int, int]]:
    """The exit after `connections`: status 0 and lwIP's high-water marks, each within its pool
    (printed)."""
    code, rest = status(spt, proc)
    assert code == 0 and rest.endswith(f"echo: {connections} connections, done\n"), rest
    m = STATS.search(rest)
    assert m, rest
    v = [int(x) for x in m.groups()]
    marks = {"heap bytes": (v[0], v[1]), "pbuf pool": (v[2], v[3]), "tcp segments": (v[4], v[5]),
             "tcp pcbs": (v[6], v[7])}
    for name, (most, size) in marks.items():
        assert most <= size, f"{name}: {most} of {size}"
    print(f"\n{what}: lwIP high-water marks: " + ", ".join(f"{k} {a}/{b}" for k, (a, b) in marks.items()))
    return marks


def test_truncated_frames(spt: tuple[str, Path], netns: Netns) -> None:
    """Frames cut short at every layer and headers whose lengths lie, three rounds."""
    proc = boot(spt, netns, 1)
    r = hostile(netns, "truncated")
    assert r["echoed"] is False, r
    # Only frames shorter than an Ethernet header never reach the tap: the kernel refuses them.
    refused = r["refused"]
    assert isinstance(refused, list) and all(re.match(r"(1|6|13) bytes: ", x) for x in refused), refused
    print(f"\ntruncated: {r['kinds']} kinds, {r['sent']} frames written; refused by the kernel: {r['refused']}")
    still_serves(netns)
    high_water(spt, proc, 1, "truncated frames")


def test_oversized_frames(spt: tuple[str, Path], netns: Netns) -> None:
    """Frames beyond the unikernel's MTU of 1500: the namespace's kernel refuses to write them
    on a tap of MTU 1500; with tap0 at MTU 9000 they reach the tender, which reads at most
    MTU + 14 bytes a frame, and lwIP drops the cut datagram (its IP length is longer than the
    frame). An echo, if one ever came, would have to be the whole datagram."""
    proc = boot(spt, netns, 1)
    at1500 = hostile(netns, "oversized", "1500")
    frames = at1500["frames"]
    assert isinstance(frames, dict)
    assert not any(f["written"] for f in frames.values()), at1500
    netns.ip("link", "set", "tap0", "mtu", "9000")
    at9000 = hostile(netns, "oversized", "9000")
    frames = at9000["frames"]
    assert isinstance(frames, dict)
    assert all(f["written"] for f in frames.values()), at9000
    assert all(not f["echoed"] or f["echo_whole"] for f in frames.values()), at9000
    print(f"\noversized at tap MTU 1500: {at1500['refused']}\noversized at tap MTU 9000: {frames}")
    netns.ip("link", "set", "tap0", "mtu", "1500")
    still_serves(netns)
    high_water(spt, proc, 1, "oversized frames")


def test_bad_checksums_are_ignored(spt: tuple[str, Path], netns: Netns) -> None:
    """A request with a wrong IPv4, UDP, TCP, ICMP or ICMPv6 checksum gets no answer; the same
    with the right one does. UDP's 0 means "no checksum" over IPv4 only: over IPv6 the datagram
    must be dropped (RFC 8200; lwIP 2.1.3 took it, our patch 0004)."""
    proc = boot(spt, netns, 1)
    assert hostile(netns, "checksums") == {
        "udp4 good": True, "udp4 bad udp checksum": False, "udp4 bad ip checksum": False,
        "udp4 no checksum (0)": True,
        "udp6 good": True, "udp6 bad udp checksum": False, "udp6 zero checksum (invalid on IPv6)": False,
        "tcp4 syn good": True, "tcp4 syn bad checksum": False,
        "icmp4 echo good": True, "icmp4 echo bad checksum": False,
        "icmp6 echo good": True, "icmp6 echo bad checksum": False,
    }
    still_serves(netns)
    high_water(spt, proc, 1, "bad checksums")


def test_overlapping_and_out_of_order_segments(spt: tuple[str, Path], netns: Netns) -> None:
    """A connection driven by hand: out-of-order, duplicated and overlapping segments, a
    retransmission with other bytes, blind resets and data beyond the window. The echo is
    exactly the stream TCP must have taken; of two copies disputing bytes of the out-of-order
    queue, either may win, nothing else."""
    proc = boot(spt, netns, 2)
    r = hostile(netns, "tcp")
    assert r["consistent_overlaps_ok"] and r["in_order_overlap_ok"] and r["survived_blind_rst"], r
    assert r["ooseq_overlap"] in ("queued copy kept", "new copy kept"), r
    assert r["echoed"] == 4900 and r["fin"] == 4900, r
    print(f"\ntcp segments: {r}")
    still_serves(netns)
    high_water(spt, proc, 2, "tcp segments")


@pytest.mark.parametrize("family", ["frag4", "frag6"])
def test_overlapping_fragments(spt: tuple[str, Path], netns: Netns, family: str) -> None:
    """UDP echo requests in hostile fragment shapes: each is echoed whole, or (for disputed
    bytes) with the later copy, or dropped; never echoed corrupted. The plain shapes must be
    echoed, the impossible ones dropped (a hole before the last piece: patch 0002)."""
    proc = boot(spt, netns, 1)
    cases = hostile(netns, family)["cases"]
    assert isinstance(cases, dict)
    print(f"\n{family}: " + json.dumps(cases, indent=1))
    assert not [k for k, v in cases.items() if v == "CORRUPT"], cases
    for name in ("in order", "reversed", "atomic fragment (offset 0, last)", "consistent overlap, gap filled",
                 "tiny first fragment (8 bytes)", "complete after 200 incomplete"):
        assert cases[name] == "as sent", (name, cases)
    for name in ("a hole left before the last piece", "a hole left after the last piece",
                 "last fragment beyond 65535"):
        assert cases[name] == "none", (name, cases)
    still_serves(netns)
    high_water(spt, proc, 1, family)


def test_syn_flood_is_bounded(spt: tuple[str, Path], netns: Netns) -> None:
    """20,000 SYNs to port 7 from random (absent) hosts of 10.0.0.0/24 within 30 s: lwIP keeps
    at most its listen backlog (64) of half-open connections, its pools hold, and once those
    time out (20 s in SYN_RCVD: lwIP has no SYN cookies) a real peer connects again. Ping and
    UDP are answered throughout."""
    proc = boot(spt, netns, 1)
    flood = hostile(netns, "synflood", "20000", "25", timeout=90)
    assert flood["sent"] == 20000 and float(str(flood["seconds"])) <= 30, flood
    begin = time.monotonic()
    out = netns.exec("ping", "-n", "-c", "3", "-i", "0.2", "-W", "2", "10.0.0.2", timeout=60).stdout
    assert "3 received" in out, out
    assert client(netns, "udp", "10.0.0.2", 7, 1000) == {"same": True}
    tcp = client(netns, "echo", "10.0.0.2", 7, 100000, timeout=120)  # its connect waits out the backlog
    assert tcp["received"] == 100000 and tcp["same"], tcp
    recovered = time.monotonic() - begin
    marks = high_water(spt, proc, 1, "SYN flood")
    print(f"SYN flood: {flood['sent']} SYNs in {flood['seconds']} s; a new TCP connection echoed "
          f"{recovered:.1f} s after the flood")
    assert marks["tcp pcbs"][0] <= 64 + 2, marks  # the backlog, plus the real connection
    assert recovered < 60


def test_initial_sequence_numbers_look_random(spt: tuple[str, Path], netns: Netns) -> None:
    """50 SYN-ACKs from port 7: their ISNs (from our DRBG, LWIP_HOOK_TCP_ISN) are all different,
    not a progression nor increasing, and spread over the 32-bit space (lwIP's own ISN is a
    counter)."""
    proc = boot(spt, netns, 1)
    isns = hostile(netns, "isn", "50")["isns"]
    assert isinstance(isns, list) and len(isns) == 50, isns
    diffs = {(b - a) % (1 << 32) for a, b in zip(isns, isns[1:])}
    assert len(set(isns)) == 50, isns
    assert len(diffs) > 1, isns
    assert isns != sorted(isns), isns
    assert max(isns) - min(isns) > 1 << 30, isns
    print(f"\nISNs: spread {max(isns) - min(isns):#x}, first five {[hex(i) for i in isns[:5]]}")
    still_serves(netns)
    high_water(spt, proc, 1, "ISNs")


def test_ipv6_gateway_reaches_another_subnet(spt: tuple[str, Path], netns: Netns) -> None:
    """--ipv6 on fd00:5::/64 and --ipv6-gateway: a peer at fd00::1, off that link, behind the
    gateway (the namespace itself, with a second address) reaches the unikernel through it; and
    without --ipv6-gateway it cannot (lwIP has no route for it)."""
    netns.ip("addr", "add", "fd00:5::1/64", "dev", "tap0", "nodad")
    netns.ip("addr", "add", "fd00::1/64", "dev", "tap0", "nodad")
    probe = ("import socket,sys;s=socket.socket(socket.AF_INET6);s.settimeout(float(sys.argv[1]));"
             "s.bind(('fd00::1',0));s.connect(('fd00:5::7',7));s.sendall(b'via gw6');print(s.recv(10).decode())")
    proc, ready = start(spt, netns, "--ipv6=fd00:5::7/64", "--count=1")
    assert "fd00:5::7/64" in ready, ready
    r = netns.exec(sys.executable, "-c", probe, "3", timeout=30)
    assert r.returncode != 0 and "via gw6" not in r.stdout, r.stdout + r.stderr
    os.killpg(proc.pid, signal.SIGKILL)  # type: ignore[attr-defined]  # the tap must be free again
    proc.wait(timeout=10)  # type: ignore[attr-defined]
    proc, ready = start(spt, netns, "--ipv6=fd00:5::7/64", "--ipv6-gateway=fd00:5::1", "--count=1")
    assert "fd00:5::7/64" in ready, ready
    r = netns.exec(sys.executable, "-c", probe, "20", timeout=60)
    assert r.stdout.strip() == "via gw6", r.stdout + r.stderr
    assert status(spt, proc)[0] == 0


def _dnsmasq(netns: Netns, tmp_path: Path) -> object:
    if shutil.which("dnsmasq") is None:
        pytest.skip("no dnsmasq on this machine (scripts/setup.sh installs dnsmasq-base)")
    proc = netns.start(["dnsmasq", "--no-daemon", "--conf-file=/dev/null", "--interface=tap0", "--bind-interfaces",
                        "--dhcp-range=10.0.0.50,10.0.0.60,255.255.255.0,1h",
                        f"--dhcp-leasefile={tmp_path / 'leases'}", f"--pid-file={tmp_path / 'dnsmasq.pid'}",
                        "--port=0"])
    said = ""
    for _ in range(10):
        line = read_line(proc, timeout=20)
        said += line
        if "DHCP, IP range" in line:
            return proc
        if not line:
            break
    raise AssertionError(f"dnsmasq did not start: {said}")


def test_dhcp_lease_from_dnsmasq(spt_dhcp: tuple[str, Path], netns: Netns, tmp_path: Path) -> None:
    """dhcp=true with dnsmasq serving 10.0.0.50-60 in the namespace: the unikernel takes a lease,
    lists the address on its ready line, and answers ping and echo there."""
    server = _dnsmasq(netns, tmp_path)
    try:
        begin = time.monotonic()
        proc, ready = start(spt_dhcp, netns, "--count=1", "--stats")
        took = time.monotonic() - begin
        m = re.match(r"echo: service port 7 on (10\.0\.0\.(\d+))/24 fe80::", ready)
        assert m and 50 <= int(m[2]) <= 60, ready
        addr = m[1]
        print(f"\nDHCP: {addr} leased, ready {took:.1f} s after boot (dnsmasq pings an address before offering it)")
        still_serves(netns, addr, None)
        high_water(spt_dhcp, proc, 1, "DHCP")
        assert addr in (tmp_path / "leases").read_text()
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # type: ignore[attr-defined]
        server.wait(timeout=10)  # type: ignore[attr-defined]


def test_dhcp_without_a_server_fails_cleanly(spt_dhcp: tuple[str, Path], netns: Netns) -> None:
    """dhcp=true and no DHCP server: the unikernel gives up after its 30 s wait with a message
    naming DHCP, and exits non-zero (the slow test of this file)."""
    begin = time.monotonic()
    proc, said = start(spt_dhcp, netns, "--count=1")
    code, rest = status(spt_dhcp, proc)
    took = time.monotonic() - begin
    assert code != 0, said + rest
    assert "no DHCP lease within 30 s" in said + rest, said + rest
    assert 25 < took < 45, took
    print(f"\nno DHCP server: gave up after {took:.1f} s: {(said + rest).strip()!r}")
