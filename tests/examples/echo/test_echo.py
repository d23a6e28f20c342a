"""examples/echo on the lwIP stack, every target this machine can boot, with real peers in
a private network namespace: Linux ping and ping -6, TCP echo (a bulk transfer checked by
sha256, with half-close), 200 connections at once, UDP echo, the sink's checksum, and the
boot arguments that set the addresses."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from mirage_tools.targets import get_target
from tests.machine import missing
from tests.netns import Netns, finish, read_line
from tests.sconsrun import copy_example, scons

CLIENT = Path(__file__).with_name("client.py")
TARGETS = ["unix", "spt", "hvt", "virtio"]
# hvt runs emulated here and virtio under TCG: keep their transfers small.
BULK = {"unix": 100 << 20, "spt": 100 << 20, "hvt": 256 << 10, "virtio": 2 << 20}


@pytest.fixture(scope="module")
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    why = missing(request.param)
    if why:
        pytest.skip(f"{request.param} images cannot boot here: {why}")
    folder = copy_example("echo", tmp_path_factory.mktemp(request.param))
    scons(folder, f"target={request.param}", "net=direct", "-j2")
    return request.param, folder


def start(built: tuple[str, Path], netns: Netns, *args: str, tap: str = "tap0") -> tuple[object, str]:
    """Boot echo attached to `tap`; returns the process and its "echo: ..." ready line."""
    target, folder = built
    desc = get_target(target)
    image = folder / "build" / target / desc.image_name("echo")
    tender = str(folder / "build" / target / "tender" / desc.tender.name) if desc.tender else None
    proc = netns.start(desc.command(str(image), args, tender, [("net", "service", tap)]))
    lines = []
    for _ in range(20):
        line = read_line(proc, timeout=60)
        lines.append(line)
        if line.startswith("echo: "):
            return proc, line
        if not line:  # ended before it was ready: everything it said
            return proc, "".join(lines)
    raise AssertionError("no ready line: " + "".join(lines))


def client(netns: Netns, mode: str, host: str, port: int, arg: int = 0, timeout: float = 120) -> dict[str, object]:
    r = netns.exec(sys.executable, str(CLIENT), mode, host, str(port), str(arg), timeout=timeout)
    assert r.returncode == 0, r.stdout + r.stderr
    return json.loads(r.stdout)


def status(built: tuple[str, Path], proc: object) -> tuple[int, str]:
    code, rest = finish(proc, timeout=60)  # type: ignore[arg-type]
    desc = get_target(built[0])
    return (desc.status(code) if desc.status else code), rest


@pytest.mark.parametrize("built", TARGETS, indirect=True)
def test_ping_and_echo(built: tuple[str, Path], netns: Netns) -> None:
    netns.ip("addr", "add", "fd00::1/64", "dev", "tap0", "nodad")
    proc, ready = start(built, netns, "--ipv6=fd00::2/64", "--count=3", "--port=7")
    assert re.match(r"echo: service port 7 on 10\.0\.0\.2/24 fe80::[0-9a-f:]+/64 fd00::2/64\n", ready), ready
    out = netns.exec("ping", "-n", "-c", "3", "-i", "0.2", "-W", "2", "10.0.0.2", timeout=60).stdout
    assert "3 received" in out, out
    out = netns.exec("ping", "-6", "-n", "-c", "3", "-i", "0.2", "-W", "2", "fd00::2", timeout=60).stdout
    assert "3 received" in out, out
    assert client(netns, "udp", "10.0.0.2", 7, 1000) == {"same": True}
    assert client(netns, "udp", "fd00::2", 7, 1000) == {"same": True}
    assert client(netns, "udp", "10.0.0.2", 7, 4000) == {"same": True}  # fragmented both ways
    small = client(netns, "echo", "10.0.0.2", 7, 5)
    assert small["received"] == 5 and small["same"], small
    bulk = client(netns, "echo", "10.0.0.2", 7, BULK[built[0]], timeout=300)
    assert bulk["received"] == BULK[built[0]] and bulk["same"], bulk
    print(f"{built[0]}: {BULK[built[0]] >> 20} MiB echoed in {bulk['seconds']:.2f} s")
    v6 = client(netns, "echo", "fd00::2", 7, 100000)
    assert v6["received"] == 100000 and v6["same"], v6
    assert status(built, proc) == (0, "echo: 3 connections, done\n")


@pytest.mark.parametrize("built", ["unix", "spt"], indirect=True)
def test_200_connections_at_once(built: tuple[str, Path], netns: Netns) -> None:
    proc, _ = start(built, netns, "--count=200")
    assert client(netns, "concurrent", "10.0.0.2", 7, 200) == {"ok": 200}
    assert status(built, proc) == (0, "echo: 200 connections, done\n")


@pytest.mark.parametrize("built", ["unix", "spt"], indirect=True)
def test_sink_reports_bytes_and_checksum(built: tuple[str, Path], netns: Netns) -> None:
    proc, ready = start(built, netns, "--sink", "--count=1", "--port=9")
    assert "port 9 (sink) on" in ready
    fnv = client(netns, "sink", "10.0.0.2", 9, 300000)["fnv"]
    assert status(built, proc) == (0, f"echo: sink 300000 bytes fnv1a {fnv}\necho: 1 connections, done\n")


@pytest.mark.parametrize("built", ["spt"], indirect=True)
def test_sink_without_checksum_counts_bytes(built: tuple[str, Path], netns: Netns) -> None:
    proc, _ = start(built, netns, "--sink", "--checksum=false", "--count=1", "--port=9")
    client(netns, "sink", "10.0.0.2", 9, 300000)
    assert status(built, proc) == (0, "echo: sink 300000 bytes\necho: 1 connections, done\n")


@pytest.mark.parametrize("built", ["spt"], indirect=True)
def test_gateway_reaches_another_subnet(built: tuple[str, Path], netns: Netns) -> None:
    """--ipv4 on 10.0.5.0/24 and --ipv4-gateway: a peer on 10.0.0.0/24 behind the gateway
    (the namespace itself, with a second address) reaches the unikernel through it."""
    netns.ip("addr", "add", "10.0.5.1/24", "dev", "tap0")
    proc, ready = start(built, netns, "--ipv4=10.0.5.7/24", "--ipv4-gateway=10.0.5.1", "--count=1")
    assert "10.0.5.7/24" in ready
    # Answering a peer off its subnet takes the gateway: bind the client to 10.0.0.1.
    r = netns.exec(sys.executable, "-c", "import socket;s=socket.socket();s.settimeout(20);"
                   "s.bind(('10.0.0.1',0));s.connect(('10.0.5.7',7));s.sendall(b'via gw');"
                   "print(s.recv(10).decode())", timeout=60)
    assert r.stdout.strip() == "via gw", r.stdout + r.stderr
    assert status(built, proc)[0] == 0


@pytest.mark.parametrize("built", ["spt"], indirect=True)
@pytest.mark.parametrize("args, message", [
    (("--ipv4=10.0.0.300/24",), "--ipv4"),
    (("--ipv4=10.0.0.2/24", "--ipv4-gateway=10.9.9.1"), "gateway 10.9.9.1 is not on 10.0.0.2/24"),
    (("--ipv4=10.0.0.255/24",), "10.0.0.255 is not a host address"),
    (("--ipv4-only", "--ipv6-only"), "--ipv4-only and --ipv6-only together"),
])
def test_bad_addresses_are_refused(built: tuple[str, Path], netns: Netns, args: tuple[str, ...],
                                   message: str) -> None:
    proc, line = start(built, netns, *args)
    code, rest = status(built, proc)
    assert code != 0
    assert message in line + rest, line + rest
