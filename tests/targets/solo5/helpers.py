"""Helpers shared by the spt and hvt tests (both tenders take the same
options and boot the same test guests): reading the hello guest's output,
disk images, the network echo over a datagram socket, truncated images."""
from __future__ import annotations

import re
import select
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

ECHO_FRAME = bytes(range(60)) * 2

# Boot argument vectors every Solo5 target must hand back unchanged (quoted by
# mirage_tools.cmdline, split by the guest bindings).
ARG_VECTORS = [
    ["--hello", "Bon jour"],
    ["it's", 'say "hi"', "back\\slash", "", "  two  spaces  ", "--x='q'"],
    ["tab\there", "caf\u00e9", "\\", "'", '"'],
]


def argv(stdout: str) -> list[str]:
    """The arguments the hello guest printed."""
    return re.findall(r"^argv\[\d+\]=<(.*)>$", stdout, re.M)


def heap(stdout: str) -> tuple[int, int]:
    """The hello guest's heap: (base, size)."""
    base, size = re.search(r"heap=0x([0-9a-f]+) size=(\d+)", stdout).groups()
    return int(base, 16), int(size)


def image_end(image: Path) -> int:
    """Where the image's last PT_LOAD segment ends in guest memory."""
    with open(image, "rb") as f:
        return max(s["p_vaddr"] + s["p_memsz"] for s in ELFFile(f).iter_segments() if s["p_type"] == "PT_LOAD")


def make_disk(tmp_path: Path, size: int, name: str = "disk.img") -> Path:
    """A disk image of `size` bytes whose block 0 starts with BLOCK0-MAGIC-123."""
    path = tmp_path / name
    data = bytearray(size)
    data[:16] = b"BLOCK0-MAGIC-123"
    path.write_bytes(bytes(data))
    return path


def run_echo(tender: Path, net_guest: Path, disk_image: Path, *extra: str) -> tuple[str, bytes]:
    """Boot the net guest with a datagram socket as net0 (passed as @FD), send it
    ECHO_FRAME once it says "ready", and return its output and the frame it sent back."""
    host, guest_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    with host, guest_end:
        fd = guest_end.fileno()
        proc = subprocess.Popen([str(tender), f"--block:disk={disk_image}", f"--net:net0=@{fd}", *extra,
                                 str(net_guest)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                pass_fds=(fd,), text=True)
        guest_end.close()
        try:
            out = ""
            assert proc.stdout is not None
            while "ready\n" not in out:
                line = proc.stdout.readline()
                assert line, (out, proc.wait(), proc.stderr.read() if proc.stderr else "")
                out += line
            host.send(ECHO_FRAME)
            ready, _, _ = select.select([host], [], [], 10)
            assert ready, "no echo from the guest"
            echo = host.recv(9000)
            rest, err = proc.communicate(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode == 0, (out + rest, err)
    return out + rest, echo


def check_truncated(run: Callable[..., subprocess.CompletedProcess[str]], tender: Path, image: Path,
                    tmp_path: Path, cut: int, tender_name: str) -> None:
    """The image cut to `cut` bytes either runs (cutting only the section headers
    and symbols leaves a runnable image) or is refused, never anything else."""
    bad = tmp_path / f"cut{image.suffix}"
    bad.write_bytes(image.read_bytes()[:cut])
    r = run(tender, bad, "exit=3")
    assert r.returncode in (1, 3), (cut, r.returncode, r.stderr)
    if r.returncode == 1:
        assert r.stderr.startswith(f"{tender_name}: ") and r.stdout == ""


def check_frame_sizes(run: Callable[..., subprocess.CompletedProcess[str]], tender: Path,
                      netbig: Path, disk: Path) -> None:
    """The netbig guest's frames of mtu + 14 bytes go out; mtu + 15 is EINVAL (-1),
    refused by the bindings before the host sees it."""
    host, guest_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    with host, guest_end:
        fd = guest_end.fileno()
        r = run(tender, f"--block:disk={disk}", f"--net:net0=@{fd}", netbig, pass_fds=(fd,))
        assert r.returncode == 0, (r.stdout, r.stderr)
        assert "big 1514 rc 0\nbig 1515 rc -1\n" in r.stdout, r.stdout
        host.setblocking(False)
        assert len(host.recv(65536)) == 1514
        with pytest.raises(BlockingIOError):
            host.recv(65536)


def check_exit_on_signal(tender: Path, net_guest: Path, disk: Path, sig: int, name: str) -> None:
    """SIGINT/SIGTERM while the net guest waits for a frame: the tender says so on stderr
    and exits 1, as Solo5's hvt tender does; its devices are released (the stream
    socket given as net0 sees end-of-file once the tender's descriptor is closed)."""
    host, guest_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with host:
        fd = guest_end.fileno()
        proc = subprocess.Popen([str(tender), f"--block:disk={disk}", f"--net:net0=@{fd}", str(net_guest)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=(fd,), text=True)
        guest_end.close()
        try:
            wait_ready(proc)
            proc.send_signal(sig)
            _, err = proc.communicate(timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        assert (proc.returncode, err) == (1, f"{name}: exiting on signal {int(sig)}\n")
        host.settimeout(5)
        assert host.recv(100) == b""


def wait_ready(proc: subprocess.Popen[str]) -> str:
    """What a test guest printed up to its "ready" line (the tender's stderr on failure)."""
    assert proc.stdout is not None
    out = ""
    while "ready\n" not in out:
        line = proc.stdout.readline()
        assert line, (out, proc.wait(), proc.stderr.read() if proc.stderr else "")
        out += line
    return out
