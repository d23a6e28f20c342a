"""The unix socket stack (targets/unix/drivers/socket_stack.c) driven by a probe in place of
generated main.c, for what the echo example does not do: connecting (and being refused),
how a flow ends with closed(0) in either order of shutdown and eof, closing before the
peer is done (lingering, no RST), pausing (the peer's window closes), callbacks that reset
or close other flows or unlisten, and the loop ending once nothing is watched. Traffic
goes to the loopback addresses only."""
from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.cbuild import ROOT
from tests.runtime.core.corelib import CORE_SOURCES
from tests.runtime.drivers.net.test_socket_stack import HOSTS, IO_TIMEOUT, V4, family, free_port, read_all, reset

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    exe = tmp_path_factory.mktemp("socket_probe") / "socket_probe"
    subprocess.run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-O1", "-g",
                    f"-I{ROOT / 'runtime_c' / 'include'}", f"-I{ROOT / 'targets' / 'unix' / 'include'}",
                    "-o", str(exe), *map(str, CORE_SOURCES), str(ROOT / "targets" / "unix" / "platform.c"),
                    str(ROOT / "runtime_c" / "drivers" / "net" / "tcpip.c"),
                    str(ROOT / "targets" / "unix" / "drivers" / "socket_stack.c"), str(HERE / "socket_probe.c")],
                   check=True, timeout=120)
    return exe


def command(probe: Path, *args: str) -> list[str]:
    """The probe under valgrind's memcheck when it is installed (any error: status 1)."""
    valgrind = shutil.which("valgrind")
    pre = [valgrind, "-q", "--error-exitcode=1"] if valgrind else []
    return [*pre, str(probe), *args]


class Run:
    """The probe in the background; `result` once it has ended on its own."""

    def __init__(self, cmd: list[str]) -> None:
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def result(self, timeout: float = 60) -> tuple[int, list[str]]:
        try:
            out, _ = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate(timeout=10)
            raise AssertionError(f"still running after {timeout}s: {out}") from None
        return self.proc.returncode, out.splitlines()


def serve(probe: Path, mode: str) -> tuple[Run, int]:
    port = free_port()
    return Run(command(probe, "serve", str(port), mode)), port


def connect(port: int, host: str = V4, wait: float = 20) -> socket.socket:
    """Connect once the probe listens (valgrind takes a while to start it)."""
    deadline = time.monotonic() + wait
    while True:
        try:
            return socket.create_connection((host, port), timeout=IO_TIMEOUT)
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@pytest.mark.parametrize("host", HOSTS)
def test_connect_then_closed_0_after_our_shutdown_and_their_eof(probe: Path, host: str) -> None:
    with socket.socket(family(host), socket.SOCK_STREAM) as listener:
        listener.bind((host, 0))
        listener.listen()
        listener.settimeout(IO_TIMEOUT)
        port = listener.getsockname()[1]
        run = Run(command(probe, "connect", host, str(port)))
        conn, peer = listener.accept()
        with conn:
            conn.settimeout(IO_TIMEOUT)
            assert read_all(conn) == b"ping"  # then the probe's FIN
            conn.sendall(b"pong")
        rc, lines = run.result()
    assert rc == 0, lines
    shown = f"[{host}]" if ":" in host else host
    assert lines[0] == "connect rc=0"
    assert lines[1] == (f"connected local={shown}:{peer[1]} peer={shown}:{port}"
                        " write rc=0 n=4 shutdown rc=0 after shutdown: write rc=-17")
    assert lines[2:] == ["recv pong", "eof", "closed 0", "loop ended"]


def test_connect_refused_and_family_checked(probe: Path) -> None:
    rc, lines = Run(command(probe, "connect", V4, str(free_port()))).result()
    assert (rc, lines) == (0, ["connect rc=0", "connect failed -12", "loop ended"])
    rc, lines = Run(command(probe, "connect", "::1", "7", "v4only")).result()
    assert (rc, lines) == (0, ["connect rc=-1", "loop ended"])  # an IPv4 stack has no IPv6: fn never runs


def test_shutdown_after_eof_ends_with_closed_0(probe: Path) -> None:
    run, port = serve(probe, "shut-after-eof")
    with connect(port) as s:
        s.sendall(b"abc" * 1000)
        s.shutdown(socket.SHUT_WR)
        assert read_all(s) == b"abc" * 1000
    rc, lines = run.result()
    assert rc == 0, lines
    assert lines[0] == "listen rc=0" and lines[1].startswith(f"accepted sendable>0=1 peer={V4}:")
    assert lines[2:] == ["eof", "write rc=0 n=3000 shutdown rc=0", "closed 0", "loop ended"]


def test_close_before_the_peer_is_done_lingers_without_reset(probe: Path) -> None:
    run, port = serve(probe, "close-early")
    with connect(port) as s:
        s.sendall(b"first")
        time.sleep(0.3)  # the probe closes now; what follows is discarded, not answered by a RST
        s.sendall(b"\0" * (4 << 20))
        assert read_all(s) == b""  # the probe's FIN, no ConnectionResetError
        s.shutdown(socket.SHUT_WR)
        rc, lines = run.result()  # the lingering socket sees our FIN: nothing is left, the loop ends
    assert rc == 0, lines
    assert lines[2:] == ["closing at the first data", "loop ended"]


def test_pause_closes_the_window_and_resume_delivers_everything(probe: Path) -> None:
    run, port = serve(probe, "pause")
    size = 32 << 20
    with connect(port) as s:
        finished: list[float] = []

        def send() -> None:
            s.sendall(b"\1" * size)
            finished.append(time.monotonic())
            s.shutdown(socket.SHUT_WR)

        begin = time.monotonic()
        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        sender.join(timeout=IO_TIMEOUT)
        assert finished, "sendall never finished"
        assert finished[0] - begin > 1.0, "the sender was not held back while the flow was paused"
        assert read_all(s) == b""
    rc, lines = run.result()
    assert rc == 0, lines
    assert lines[2:] == ["resuming", "eof", f"total {size}", "loop ended"]


def test_a_callback_may_reset_a_flow_whose_event_is_pending(probe: Path) -> None:
    run, port = serve(probe, "reentrant")
    a, b = connect(port), connect(port)
    with a, b:
        a.sendall(b"to a")  # both arrive while both flows are paused: one batch delivers them
        b.sendall(b"to b")
        outcomes = set()
        for s in (a, b):
            try:
                outcomes.add("eof" if read_all(s) == b"" else "data")
            except ConnectionResetError:
                outcomes.add("reset")
    rc, lines = run.result()
    assert rc == 0, lines
    assert outcomes == {"eof", "reset"}
    assert lines[-2:] == ["reset one, closed the other", "loop ended"]


def test_unlisten_from_the_accept_callback(probe: Path) -> None:
    run, port = serve(probe, "unlisten")
    socks = [connect(port)]
    socks += [socket.create_connection((V4, port), timeout=IO_TIMEOUT) for _ in range(3)]
    for s in socks:  # the closed flow lingers until our FIN (else for 20 s)
        s.close()
    rc, lines = run.result()
    assert rc == 0, lines
    assert len([line for line in lines if line.startswith("accepted")]) == 1
    assert lines[-1] == "loop ended"
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((V4, port), timeout=IO_TIMEOUT)


def test_a_reset_peer_is_closed_with_an_error(probe: Path) -> None:
    run, port = serve(probe, "shut-after-eof")
    s = connect(port)
    s.sendall(b"x")
    time.sleep(0.2)
    reset(s)
    rc, lines = run.result()
    assert rc == 0, lines
    assert lines[2:] == ["closed -13", "loop ended"]
