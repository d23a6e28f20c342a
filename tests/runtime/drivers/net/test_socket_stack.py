"""The unix target's socket stack (targets/unix/drivers/socket_stack.c) for real: examples/echo
built with target=unix (where net=socket is the default) and booted on a free port, then TCP
and UDP echo on 127.0.0.1 and ::1, a 20 MiB transfer, --sink's checksum, 200 connections at
once, half-close, --count, a port already taken and peer resets; and a few connections again
under valgrind. All traffic goes to the loopback addresses."""
from __future__ import annotations

import hashlib
import os
import queue
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.sconsrun import copy_example, scons

V4, V6 = "127.0.0.1", "::1"
IO_TIMEOUT = 30  # seconds for any one socket operation; every wait below is bounded


def _has_loopback6() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind((V6, 0))
        return True
    except OSError:
        return False


HOSTS = [V4, pytest.param(V6, marks=pytest.mark.skipif(not _has_loopback6(), reason="no ::1 on this host"))]


def family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = copy_example("echo", tmp_path_factory.mktemp("sockstack"))
    scons(folder, "target=unix")
    return folder / "build" / "unix" / "echo"


def free_port() -> int:
    """A port free for TCP and UDP on both loopback addresses (as far as one can tell)."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
            t.bind((V4, 0))
            port: int = t.getsockname()[1]
        hosts = [V4, V6] if _has_loopback6() else [V4]
        try:
            for host in hosts:
                for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                    with socket.socket(family(host), kind) as s:
                        s.bind((host, port))
            return port
        except OSError:
            continue
    raise AssertionError("no free port")


class Echo:
    """A running echo unikernel; its output lines are collected by a thread."""

    def __init__(self, cmd: list[str], port: int, startup: float = 10) -> None:
        self.port = port
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.banner = self.expect(r"echo: ", startup)

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            self.lines.put(raw.decode(errors="replace").rstrip("\n"))
        self.lines.put(None)

    def expect(self, pattern: str, timeout: float = 10) -> str:
        """The next line matching pattern (earlier lines are kept in `seen`)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                line = self.lines.get(timeout=max(left, 0.01))
            except queue.Empty:
                raise AssertionError(f"no line matching {pattern!r} within {timeout}s; seen {self.seen}") from None
            if line is None:
                self.lines.put(None)
                raise AssertionError(f"exited ({self.proc.wait()}) before {pattern!r}; seen {self.seen}")
            self.seen.append(line)
            if re.search(pattern, line):
                return line

    def wait(self, timeout: float) -> tuple[int, str]:
        """Its exit status once it ends on its own (killed after timeout) and all its output."""
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"still running after {timeout}s; output {self.seen}") from None
        self._reader.join(timeout=10)
        while True:
            try:
                line = self.lines.get_nowait()
            except queue.Empty:
                break
            if line is not None:
                self.seen.append(line)
        return rc, "\n".join(self.seen)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)


def start(cmd: list[str], *args: str, startup: float = 10) -> Echo:
    """Boot the unikernel on a free port (another one if the port was taken meanwhile)."""
    for _ in range(5):
        port = free_port()
        echo = Echo([*cmd, f"--port={port}", *args], port, startup)
        if "address in use" not in echo.banner:
            assert re.match(rf"echo: socket port {port}\b", echo.banner), echo.banner
            return echo
        echo.kill()
    raise AssertionError("could not find a port to serve")


@pytest.fixture
def serve(image: Path) -> Iterator[Callable[..., Echo]]:
    """serve(*args) boots echo with args; every one still running at the end must not have
    crashed, and is then stopped."""
    started: list[Echo] = []

    def run(*args: str) -> Echo:
        echo = start([str(image)], *args)
        started.append(echo)
        return echo

    yield run
    for echo in started:
        crashed = echo.proc.poll()
        echo.kill()
        assert crashed in (None, 0), f"echo ended with {crashed}: {echo.seen}"


def connect(host: str, port: int) -> socket.socket:
    return socket.create_connection((host, port), timeout=IO_TIMEOUT)


def read_all(s: socket.socket) -> bytes:
    chunks = []
    while chunk := s.recv(1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


def exchange(host: str, port: int, data: bytes) -> bytes:
    """Send data from a thread, shut down, and return everything read until EOF."""
    with connect(host, port) as s:
        failed: list[BaseException] = []

        def send() -> None:
            try:
                s.sendall(data)
                s.shutdown(socket.SHUT_WR)
            except BaseException as e:  # reported by the caller
                failed.append(e)

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        got = read_all(s)
        sender.join(timeout=IO_TIMEOUT)
        assert not sender.is_alive() and not failed, failed
        return got


def fnv1a64(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


# ---- echo -----------------------------------------------------------------------------

def test_banner_lists_the_loopback_addresses(serve: Callable[..., Echo]) -> None:
    echo = serve()
    assert f" {V4}/8" in echo.banner
    if _has_loopback6():
        assert f" {V6}/128" in echo.banner
    v4, v6 = echo.banner.find(f" {V4}/"), echo.banner.find(f" {V6}/")
    assert v6 < 0 or v4 < v6, "IPv4 addresses come first"


@pytest.mark.parametrize("host", HOSTS)
def test_tcp_echo(serve: Callable[..., Echo], host: str) -> None:
    echo = serve("--logs=socket_stack:debug")
    with connect(host, echo.port) as s:
        for msg in (b"hello", b"x", bytes(range(256)) * 4):
            s.sendall(msg)
            got = b""
            while len(got) < len(msg):
                got += s.recv(4096)
            assert got == msg
        # The peer as the stack reports it: plain IPv4 even from the dual-stack socket.
        local = s.getsockname()
        seen = f"[{local[0]}]:{local[1]}" if ":" in host else f"{local[0]}:{local[1]}"
        echo.expect(rf"port {echo.port}: connection from {re.escape(seen)}$")
        s.shutdown(socket.SHUT_WR)
        assert read_all(s) == b""


@pytest.mark.parametrize("host", HOSTS)
def test_udp_echo(serve: Callable[..., Echo], host: str) -> None:
    echo = serve("--logs=socket_stack:debug")
    biggest = 65527 if ":" in host else 65507
    with socket.socket(family(host), socket.SOCK_DGRAM) as u:
        u.settimeout(IO_TIMEOUT)
        u.bind((host, 0))
        for size in (0, 1, 512, 1472, 9000, biggest):
            payload = random.randbytes(size)
            u.sendto(payload, (host, echo.port))
            data, src = u.recvfrom(1 << 17)
            assert data == payload and src[:2] == (host, echo.port), (size, src)
        me = u.getsockname()
        seen = f"[{me[0]}]:{me[1]}" if ":" in host else f"{me[0]}:{me[1]}"
        echo.expect(rf"port {echo.port}: datagram from {re.escape(seen)}$")


def test_large_transfer_is_echoed_whole(serve: Callable[..., Echo], record_property: Callable[..., None]) -> None:
    echo = serve()
    data = random.randbytes(20 << 20)
    begin = time.monotonic()
    got = exchange(V4, echo.port, data)
    elapsed = time.monotonic() - begin
    assert len(got) == len(data)
    assert hashlib.sha256(got).hexdigest() == hashlib.sha256(data).hexdigest()
    rate = len(data) / elapsed / 1e6
    record_property("echo_MB_per_s", round(rate, 1))
    print(f"20 MiB echoed in {elapsed:.2f}s: {rate:.0f} MB/s each way")
    assert echo.alive()


@pytest.mark.parametrize("size", [0, 1, 100_000, 1 << 20])
def test_sink_reports_bytes_and_checksum(serve: Callable[..., Echo], size: int) -> None:
    echo = serve("--sink")
    assert "(sink)" in echo.banner
    data = random.randbytes(size)
    assert exchange(V4, echo.port, data) == b""
    line = echo.expect(r"echo: sink ")
    assert line == f"echo: sink {size} bytes fnv1a {fnv1a64(data):016x}"


def test_two_hundred_connections_at_once(serve: Callable[..., Echo]) -> None:
    echo = serve()
    conns = []
    try:
        for i in range(200):
            conns.append(connect(V4 if i % 2 == 0 or not _has_loopback6() else V6, echo.port))
        for i, s in enumerate(conns):
            s.sendall(f"connection {i}\n".encode())
        for i, s in enumerate(conns):
            want = f"connection {i}\n".encode()
            got = b""
            while len(got) < len(want):
                chunk = s.recv(100)
                assert chunk, f"connection {i} ended early"
                got += chunk
            assert got == want
        for s in conns:
            s.shutdown(socket.SHUT_WR)
        for s in conns:
            assert read_all(s) == b""
    finally:
        for s in conns:
            s.close()
    assert exchange(V4, echo.port, b"still serving") == b"still serving"


def test_half_close_still_receives_everything(serve: Callable[..., Echo]) -> None:
    echo = serve()
    with connect(V4, echo.port) as s:
        s.sendall(b"before the fin")
        s.shutdown(socket.SHUT_WR)
        assert read_all(s) == b"before the fin"
    data = random.randbytes(3 << 20)  # more than the socket buffers hold: back-pressure while half-closed
    assert exchange(V4, echo.port, data) == data


def test_count_exits_after_n_connections(image: Path) -> None:
    echo = start([str(image)], "--count=3")
    try:
        for i in range(3):
            assert exchange(V4, echo.port, b"%d" % i) == b"%d" % i
        rc, out = echo.wait(timeout=10)
    finally:
        echo.kill()
    assert rc == 0, out
    assert "echo: 3 connections, done" in out


@pytest.mark.parametrize("kind", [socket.SOCK_STREAM, socket.SOCK_DGRAM], ids=["tcp", "udp"])
def test_a_port_in_use_is_a_clean_error(image: Path, kind: socket.SocketKind) -> None:
    port = free_port()
    with socket.socket(socket.AF_INET, kind) as taken:
        taken.bind((V4, port))
        if kind == socket.SOCK_STREAM:
            taken.listen()
        proc = subprocess.run([str(image), f"--port={port}"], capture_output=True, text=True, timeout=10)
    assert proc.returncode > 0, proc
    assert f"echo: cannot listen on port {port}: address in use" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr and "Sanitizer" not in proc.stderr


def reset(s: socket.socket) -> None:
    """Close s with a RST (SO_LINGER on, zero seconds)."""
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def test_peer_reset_does_not_stop_the_server(serve: Callable[..., Echo]) -> None:
    echo = serve()
    idle = connect(V4, echo.port)
    assert exchange(V4, echo.port, b"warm up") == b"warm up"
    reset(idle)
    echo.expect(r"echo: connection lost: connection reset by peer")
    # A peer that sends much without reading (the echo is paused with data pending), then resets.
    busy = connect(V4, echo.port)
    busy.setblocking(False)
    sent = 0
    deadline = time.monotonic() + IO_TIMEOUT
    while time.monotonic() < deadline:
        try:
            sent += busy.send(b"\0" * 65536)
        except BlockingIOError:
            break
    assert sent > 0
    reset(busy)
    echo.expect(r"echo: connection lost: connection reset by peer")
    # Reset right after connecting, before the stack has seen anything.
    for _ in range(20):
        reset(connect(V6 if _has_loopback6() else V4, echo.port))
    assert exchange(V4, echo.port, b"still serving") == b"still serving"
    assert echo.alive()


# ---- under valgrind ---------------------------------------------------------------------

def test_echo_under_valgrind(image: Path) -> None:
    """The same traffic, fewer connections, under memcheck: no invalid access, no use of
    uninitialised memory, no leak of what a connection allocates."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        pytest.skip("valgrind is not installed (scripts/setup.sh installs it)")
    cmd = [valgrind, "-q", "--error-exitcode=1", "--leak-check=full", "--errors-for-leak-kinds=definite",
           str(image)]
    hosts = [V4, V6] if _has_loopback6() else [V4]
    connections = 2 * len(hosts) + 2
    echo = start(cmd, f"--count={connections}", startup=60)
    try:
        for host in hosts:
            assert exchange(host, echo.port, b"hello " + host.encode()) == b"hello " + host.encode()
            with socket.socket(family(host), socket.SOCK_DGRAM) as u:
                u.settimeout(IO_TIMEOUT)
                u.sendto(b"datagram", (host, echo.port))
                assert u.recvfrom(100)[0] == b"datagram"
            reset(connect(host, echo.port))
            echo.expect(r"echo: connection lost")
        data = random.randbytes(1 << 20)
        assert exchange(V4, echo.port, data) == data
        # Data the server has not read yet when the peer resets.
        busy = connect(V4, echo.port)
        busy.sendall(b"\0" * 200_000)
        reset(busy)
        rc, out = echo.wait(timeout=60)
    finally:
        echo.kill()
    assert rc == 0, out
    assert f"echo: {connections} connections, done" in out
