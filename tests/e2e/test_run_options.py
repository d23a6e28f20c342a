"""`scons run` options (issue 11): tap= picks the tap a network device attaches to, mem=
the guest's memory, tender_args= extra tender (or QEMU) arguments. Each reaches the
command that boots the image, and each mistake is a clean error before anything runs."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.machine import missing
from tests.netns import Netns, finish, read_line
from tests.sconsrun import copy_example, scons


@pytest.fixture(scope="module")
def arp_ping(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = copy_example("arp_ping", tmp_path_factory.mktemp("runopts"))
    scons(folder, "target=unix")
    return folder


@pytest.fixture(scope="module")
def hello_spt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    why = missing("spt")
    if why:
        pytest.skip(f"spt images cannot boot here: {why}")
    folder = copy_example("hello-key", tmp_path_factory.mktemp("runopts-spt"))
    scons(folder, "target=spt", "-j2")
    return folder


def scons_in(netns: Netns, folder: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "SCons", "-Q", "-C", str(folder), *args]


def test_tap_attaches_the_named_tap_on_unix(arp_ping: Path, netns: Netns) -> None:
    """The unikernel answers on tap7 in place of config.py's tap0."""
    netns.ip("tuntap", "add", "dev", "tap7", "mode", "tap")
    netns.ip("addr", "add", "10.0.7.1/24", "dev", "tap7")
    netns.ip("link", "set", "tap7", "up")
    proc = netns.start(scons_in(netns, arp_ping, "target=unix", "VERBOSE=1", "run", "tap=service:tap7",
                                "args=--ipv4=10.0.7.2/24 --count=2"))
    line = read_line(proc, timeout=60)
    while not line.startswith("arp_ping:"):
        assert line, "scons run ended before the unikernel started"
        if line.startswith("("):
            assert "--net:service=tap7" in line, line
        line = read_line(proc, timeout=60)
    assert line.startswith("arp_ping: 10.0.7.2/24 on service"), line
    out = netns.exec("ping", "-n", "-c", "2", "-i", "0.2", "-W", "1", "10.0.7.2", timeout=30).stdout
    assert "2 received" in out, out
    status, rest = finish(proc, timeout=30)
    assert status == 0, rest
    assert stats_rx(netns, "tap7") > 0 and stats_rx(netns, "tap0") == 0


def stats_rx(netns: Netns, dev: str) -> int:
    return netns.stats(dev)["rx_packets"]


def test_attaching_an_unknown_device_is_refused_by_the_unix_image(tmp_path: Path) -> None:
    """The image itself (not only scons) refuses an attachment no device takes, as a tender does."""
    import subprocess

    folder = copy_example("hello", tmp_path)
    scons(folder, "target=unix")
    image = folder / "build/unix/hello"
    r = subprocess.run([image, "--net:nope=tap7"], capture_output=True, text=True, timeout=30)
    assert (r.returncode, r.stderr) == (64, "--net:nope=tap7: this unikernel has no net device named 'nope'\n")
    r = subprocess.run([image, "--net:service"], capture_output=True, text=True, timeout=30)
    assert (r.returncode, r.stderr) == (64, "--net:service: expected --net:NAME=TAP or --block:NAME=FILE\n")
    r = subprocess.run([image, "--net:service=a", "--net:service=b"], capture_output=True, text=True, timeout=30)
    assert (r.returncode, r.stderr) == (64, "--net:service=b: this device is attached twice\n")


@pytest.mark.parametrize("value, message", [
    ("nope:tap7", "tap=: no network device named 'nope'"),
    ("service:tap7,service:tap8", "each NAME once"),
    ("tap7,service:tap8", "name each network device"),
    ("a/b", "expected TAP or NAME:TAP"),
    ("sixteen-letters-", "expected TAP or NAME:TAP"),
])
def test_bad_tap_is_a_clean_error(arp_ping: Path, value: str, message: str) -> None:
    out = scons(arp_ping, "target=unix", "run", f"tap={value}", check=False)
    assert out.returncode != 0
    assert message in out.stderr, out.stderr
    assert "Traceback" not in out.stderr
    assert "arp_ping:" not in out.stdout  # refused before booting


def test_tap_without_a_network_device_is_refused(tmp_path: Path) -> None:
    folder = copy_example("hello", tmp_path)
    out = scons(folder, "target=unix", "run", "tap=tap7", check=False)
    assert out.returncode != 0
    assert "tap=: this unikernel has no network device" in out.stderr, out.stderr


@pytest.mark.parametrize("value", ["abc", "0", "1.5G", "100K", "-4"])
def test_bad_mem_is_a_clean_error(arp_ping: Path, value: str) -> None:
    out = scons(arp_ping, "target=unix", "run", f"mem={value}", check=False)
    assert out.returncode == 2
    assert f"scons: error: mem={value}: expected a whole number of MiB" in out.stderr, out.stderr


def test_mem_on_unix_is_refused(arp_ping: Path) -> None:
    out = scons(arp_ping, "target=unix", "run", "mem=256", check=False)
    assert out.returncode != 0
    assert "mem= sets a virtual machine's memory" in out.stderr, out.stderr
    assert "arp_ping:" not in out.stdout


def test_mem_reaches_the_spt_tender(hello_spt: Path) -> None:
    out = scons(hello_spt, "target=spt", "VERBOSE=1", "run", "mem=64", "args=--hello=Mem")
    assert "--mem=64 " in out.stdout and "Mem" in out.stdout
    low = scons(hello_spt, "target=spt", "run", "mem=1G", "tender_args=--mem=1", check=False)
    # Our tender takes the last --mem; 1 MiB is below what it accepts: its own message says so.
    assert low.returncode != 0
    assert "--mem" in low.stderr, low.stderr


def test_tender_args_reach_the_tender(hello_spt: Path) -> None:
    out = scons(hello_spt, "target=spt", "run", "tender_args=--no-such-option", check=False)
    assert out.returncode != 0
    assert "--no-such-option" in out.stderr, out.stderr
    bad = scons(hello_spt, "target=spt", "run", "tender_args='unbalanced", check=False)
    assert bad.returncode == 2
    assert "tender_args='unbalanced: No closing quotation" in bad.stderr


def test_mem_and_tender_args_reach_qemu(tmp_path: Path) -> None:
    why = missing("virtio")
    if why:
        pytest.skip(f"virtio images cannot boot here: {why}")
    folder = copy_example("hello-key", tmp_path)
    out = scons(folder, "target=virtio", "-j2", "VERBOSE=1", "run", "mem=64", "tender_args=-smp 1",
                "args=--hello=Qemu", timeout=300)
    assert " -m 64 " in out.stdout and " -smp 1 " in out.stdout, out.stdout
    assert "Qemu" in out.stdout


def test_block_attachment_replaces_the_file_on_unix(tmp_path: Path) -> None:
    """--block:NAME=FILE on a unix image: the driver opens FILE, config.py's file is untouched."""
    import subprocess

    folder = copy_example("block", tmp_path)
    scons(folder, "target=unix")
    other = tmp_path / "other.img"
    other.write_bytes(bytes(1 << 20))
    r = subprocess.run([folder / "build/unix/block", f"--block:disk={other}"], cwd=folder, capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr
    assert other.read_bytes() != bytes(1 << 20)
    assert not (folder / "disk.img").exists()
