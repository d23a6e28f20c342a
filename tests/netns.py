"""For the network tests (the `netns` fixture, offered by tests/conftest.py): a private
network namespace with a tap device, and processes run inside it, always cleaned up.
Nothing here sends traffic outside the namespace."""
from __future__ import annotations

import itertools
import os
import select
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator, Sequence

import pytest

HOST_IP = "10.0.0.1"
_serial = itertools.count()


def netns_unavailable() -> str | None:
    """Why this machine cannot run the namespace tests, or None."""
    if os.geteuid() != 0:
        return "network namespaces and tap devices need root"
    for tool in ("ip", "ping"):
        if shutil.which(tool) is None:
            return f"no `{tool}` command on this machine"
    if not os.path.exists("/dev/net/tun"):
        return "no /dev/net/tun on this machine"
    return None


class Netns:
    """A network namespace `name` holding tap0 (10.0.0.1/24, up) and lo."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.procs: list[subprocess.Popen[bytes]] = []

    def ip(self, *args: str) -> None:
        subprocess.run(["ip", "-n", self.name, *args], check=True, timeout=10, capture_output=True)

    def exec(self, *cmd: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
        """Run cmd inside the namespace, bounded in time."""
        return subprocess.run(["ip", "netns", "exec", self.name, *cmd], capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)

    def start(self, cmd: Sequence[str]) -> subprocess.Popen[bytes]:
        """Start cmd inside the namespace (stdout piped, stderr merged); killed at teardown."""
        proc = subprocess.Popen(["ip", "netns", "exec", self.name, *cmd], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        self.procs.append(proc)
        return proc

    def stats(self, dev: str = "tap0") -> dict[str, int]:
        """The host side's counters of dev (rx: frames the unikernel wrote)."""
        import json

        out = subprocess.run(["ip", "-n", self.name, "-j", "-s", "link", "show", dev], check=True,
                             capture_output=True, text=True, timeout=10).stdout
        s = json.loads(out)[0]["stats64"]
        return {"rx_packets": s["rx"]["packets"], "rx_bytes": s["rx"]["bytes"],
                "tx_packets": s["tx"]["packets"]}

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            if proc.stdout is not None:
                proc.stdout.close()


def read_line(proc: subprocess.Popen[bytes], timeout: float = 10) -> str:
    """The next line proc prints, within timeout seconds ("" at end of output)."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    line = b""
    deadline = time.monotonic() + timeout
    while not line.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise AssertionError(f"no complete line within {timeout}s, got {line!r}")
        byte = os.read(fd, 1)  # one byte at a time: nothing is read past the line
        if not byte:
            break
        line += byte
    return line.decode()


def finish(proc: subprocess.Popen[bytes], timeout: float = 10) -> tuple[int, str]:
    """Wait for proc to exit on its own (killed after timeout): its status and the rest of its output."""
    assert proc.stdout is not None
    try:
        rest, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        rest, _ = proc.communicate(timeout=10)
        raise AssertionError(f"still running after {timeout}s; output: {rest.decode()!r}") from None
    return proc.returncode, rest.decode()


@pytest.fixture
def netns() -> Iterator[Netns]:
    why = netns_unavailable()
    if why:
        pytest.skip(why)
    name = f"mtest{os.getpid()}-{next(_serial)}"
    added = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True, timeout=10)
    if added.returncode != 0:
        pytest.skip(f"cannot create a network namespace: {added.stderr.strip()}")
    ns = Netns(name)
    try:
        ns.ip("link", "set", "lo", "up")
        ns.ip("tuntap", "add", "dev", "tap0", "mode", "tap")
        ns.ip("addr", "add", f"{HOST_IP}/24", "dev", "tap0")
        ns.ip("link", "set", "tap0", "up")
        yield ns
    finally:
        ns.stop_all()
        subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=10)
