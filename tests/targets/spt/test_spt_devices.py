"""Block and network devices: attached as the manifest declares, refused
(exit 1, a message naming the device) when missing, extra or unknown, and
usable from the guest through the spt bindings."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import uuid
from pathlib import Path

import pytest

from tests.targets.solo5.helpers import (
    ECHO_FRAME,
    check_exit_on_signal,
    check_frame_sizes,
    make_disk,
    run_echo,
    wait_ready,
)
from tests.targets.spt.sptbuild import run


@pytest.fixture(scope="module")
def block_guest(guest):  # type: ignore[no-untyped-def]
    return guest("block", manifest="BLOCK")


@pytest.fixture(scope="module")
def net_guest(guest):  # type: ignore[no-untyped-def]
    return guest("net", manifest="DEVICES")


@pytest.mark.parametrize("block_size, blocks", [(512, 128), (4096, 4), (32768, 2)])
def test_block_round_trip(tender: Path, block_guest: Path, tmp_path: Path, block_size: int,
                          blocks: int) -> None:
    disk = make_disk(tmp_path, block_size * blocks)
    args = [f"--block:disk={disk}"]
    if block_size != 512:
        args.append(f"--block-sector-size:disk={block_size}")
    r = run(tender, *args, block_guest)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"disk handle=1 capacity={block_size * blocks} block_size={block_size}\n" in r.stdout
    assert "block 0 starts with <BLOCK0-MAGIC-123>" in r.stdout
    assert "block all ok" in r.stdout
    data = disk.read_bytes()
    assert len(data) == block_size * blocks  # the guest did not grow the file
    assert data[-block_size:] == bytes((i * 7 + 3) & 0xFF for i in range(block_size))


def _refused(r: subprocess.CompletedProcess[str], *messages: str) -> None:
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert r.stdout == ""  # the guest never ran
    assert r.stderr.startswith("mirage-spt: ")
    for m in messages:
        assert m in r.stderr, r.stderr


def test_missing_block_device_is_refused(tender: Path, block_guest: Path) -> None:
    _refused(run(tender, block_guest),
             "block device 'disk' is declared by the unikernel but not attached: give --block:disk=PATH",
             "every device declared by the unikernel must be attached")


def test_every_missing_device_is_named(tender: Path, net_guest: Path) -> None:
    r = run(tender, net_guest)
    _refused(r, "block device 'disk'", "network device 'net0' is declared by the unikernel but not "
             "attached: give --net:net0=TAP")


def test_missing_net_device_is_refused(tender: Path, net_guest: Path, tmp_path: Path) -> None:
    _refused(run(tender, f"--block:disk={make_disk(tmp_path, 4096)}", net_guest), "network device 'net0'")


def test_undeclared_block_device_is_refused(tender: Path, block_guest: Path, tmp_path: Path) -> None:
    disk = make_disk(tmp_path, 4096)
    _refused(run(tender, f"--block:disk={disk}", f"--block:other={disk}", block_guest),
             f"--block:other={disk}: the unikernel declares no device named 'other'")


def test_device_option_for_an_image_without_devices_is_refused(tender: Path, hello: Path,
                                                               tmp_path: Path) -> None:
    _refused(run(tender, "--net:net0=tap0", hello), "declares no device named 'net0'")


def test_undeclared_sector_size_is_refused(tender: Path, block_guest: Path, tmp_path: Path) -> None:
    disk = make_disk(tmp_path, 4096)
    _refused(run(tender, f"--block:disk={disk}", "--block-sector-size:nosuch=4096", block_guest),
             "declares no device named 'nosuch'")


def test_device_of_the_wrong_kind_is_refused(tender: Path, net_guest: Path, tmp_path: Path) -> None:
    disk = make_disk(tmp_path, 4096)
    _refused(run(tender, f"--block:disk={disk}", "--net:disk=tap0", net_guest),
             "'disk' is a block device, not a network device")
    _refused(run(tender, f"--block:net0={disk}", net_guest),
             "'net0' is a network device, not a block device")


@pytest.mark.parametrize("arg, message", [
    ("--block:disk", "expected --block:NAME=VALUE"),
    ("--block:disk=", "expected --block:NAME=VALUE"),
    ("--block:=x", "device names have 1 to 67 characters"),
    ("--block:" + "d" * 68 + "=x", "device names have 1 to 67 characters"),
    ("--block:my-disk=x", "device names are alphanumeric"),
    ("--block-sector-size:disk=1000", "power of two from 512 to 32768"),
    ("--block-sector-size:disk=256", "power of two from 512 to 32768"),
    ("--block-sector-size:disk=65536", "power of two from 512 to 32768"),
    ("--block-sector-size:disk=4k", "power of two from 512 to 32768"),
    ("--net-mac:net0=00:11:22:33:44", "expected a MAC address"),
    ("--net-mac:net0=00:11:22:33:44:5g", "expected a MAC address"),
    ("--net-mac:net0=00:11:22:33:44:55:66", "expected a MAC address"),
    ("--net-mac:net0=01:00:5e:00:00:01", "multicast MAC address"),
    ("--blocks:disk=x", "unknown option '--blocks:disk=x'"),
    ("--block=disk", "unknown option"),
])
def test_malformed_device_options_are_refused(tender: Path, block_guest: Path, arg: str,
                                              message: str) -> None:
    _refused(run(tender, arg, block_guest), message)


def test_device_given_twice_is_refused(tender: Path, block_guest: Path, tmp_path: Path) -> None:
    disk = make_disk(tmp_path, 4096)
    _refused(run(tender, f"--block:disk={disk}", f"--block:disk={disk}", block_guest),
             "device 'disk' is given twice")


@pytest.mark.parametrize("size, extra, message", [
    (1000, (), "is not a multiple of the block size (512 bytes)"),
    (0, (), "less than one 512-byte block"),
    (4096 + 512, ("--block-sector-size:disk=4096",), "not a multiple of the block size (4096 bytes)"),
])
def test_bad_block_files_are_refused(tender: Path, block_guest: Path, tmp_path: Path, size: int,
                                     extra: tuple[str, ...], message: str) -> None:
    disk = tmp_path / "odd.img"
    disk.write_bytes(bytes(size))
    _refused(run(tender, f"--block:disk={disk}", *extra, block_guest), "block device 'disk'", message)


def test_missing_block_file_is_refused(tender: Path, block_guest: Path, tmp_path: Path) -> None:
    _refused(run(tender, f"--block:disk={tmp_path / 'nope.img'}", block_guest),
             "block device 'disk': cannot open", "No such file or directory")


def test_directory_as_block_file_is_refused(tender: Path, block_guest: Path, tmp_path: Path) -> None:
    _refused(run(tender, f"--block:disk={tmp_path}", block_guest), "block device 'disk': cannot open")


# --- network, over a datagram socket passed as @FD (no tap needed) -----------

def test_net_echo_over_a_descriptor(tender: Path, net_guest: Path, tmp_path: Path) -> None:
    out, echo = run_echo(tender, net_guest, make_disk(tmp_path, 4096))
    assert echo == b"E" + ECHO_FRAME[1:]
    assert "empty read: eagain\n" in out
    assert "got 120 bytes\n" in out and "echoed\n" in out
    m = re.search(r"net0 handle=2 mtu=(\d+) mac=([0-9a-f:]+)\n", out)
    assert m, out
    assert int(m.group(1)) == 1500  # not a tap: the Ethernet default
    first = int(m.group(2).split(":")[0], 16)
    assert first & 0x02 and not first & 0x01  # random, locally administered, unicast


def test_frame_over_mtu_is_refused(tender: Path, guest, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    check_frame_sizes(run, tender, guest("netbig", manifest="DEVICES"), make_disk(tmp_path, 4096))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_ends_the_tender_with_a_message(tender: Path, net_guest: Path, tmp_path: Path,
                                               sig: signal.Signals) -> None:
    check_exit_on_signal(tender, net_guest, make_disk(tmp_path, 4096), sig, "mirage-spt")


def test_net_mac_option(tender: Path, net_guest: Path, tmp_path: Path) -> None:
    out, _ = run_echo(tender, net_guest, make_disk(tmp_path, 4096), "--net-mac:net0=02:00:5E:10:20:30")
    assert "mac=02:00:5e:10:20:30\n" in out


def test_closed_descriptor_is_refused(tender: Path, net_guest: Path, tmp_path: Path) -> None:
    _refused(run(tender, f"--block:disk={make_disk(tmp_path, 4096)}", "--net:net0=@987", net_guest),
             "network device 'net0': descriptor 987")


@pytest.mark.parametrize("value, message", [
    ("@x", "is not a descriptor number"),
    ("@", "is not a descriptor number"),
    ("@-1", "is not a descriptor number"),
    ("nosuchtap0", "no interface named 'nosuchtap0'"),
    ("averyveryverylongname", "is not a valid interface name"),
    ("tap%d", "is not a valid interface name"),
])
def test_bad_net_backends_are_refused(tender: Path, net_guest: Path, tmp_path: Path, value: str,
                                      message: str) -> None:
    _refused(run(tender, f"--block:disk={make_disk(tmp_path, 4096)}", f"--net:net0={value}", net_guest),
             message)


# --- network, over a real tap device in a private network namespace ----------

def _tap_capable() -> str | None:
    if not os.path.exists("/dev/net/tun"):
        return "no /dev/net/tun"
    if shutil.which("ip") is None:
        return "no ip(8) command"
    if os.geteuid() != 0:
        return "not root (needed for network namespaces and tap devices)"
    return None


@pytest.fixture
def netns():  # type: ignore[no-untyped-def]
    why = _tap_capable()
    if why:
        pytest.skip(why)
    name = f"mirage-spt-{uuid.uuid4().hex[:8]}"
    r = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot create a network namespace: {r.stderr.strip()}")
    try:
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False)


def _ns(ns: str, *cmd: str) -> None:
    subprocess.run(["ip", "netns", "exec", ns, *cmd], check=True)


def test_tap_device(tender: Path, net_guest: Path, tmp_path: Path, netns: str) -> None:
    _ns(netns, "ip", "tuntap", "add", "dev", "tap7", "mode", "tap")
    _ns(netns, "ip", "link", "set", "tap7", "mtu", "1400", "up")
    disk = make_disk(tmp_path, 4096)
    proc = subprocess.Popen(["ip", "netns", "exec", netns, str(tender), f"--block:disk={disk}",
                             "--net:net0=tap7", str(net_guest)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        out = wait_ready(proc)
        assert "mtu=1400 " in out
        # Any frame the host kernel sends on the tap (IPv6 router solicitations
        # and the like once the link is up) wakes the guest; give it one.
        _ns(netns, "ip", "addr", "add", "10.77.0.1/24", "dev", "tap7")
        subprocess.run(["ip", "netns", "exec", netns, "ping", "-c", "1", "-W", "1", "10.77.0.2"],
                       capture_output=True, check=False)
        rest, err = proc.communicate(timeout=15)
        assert proc.returncode == 0, (out + rest, err)
        assert "echoed\n" in rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_tap_that_is_down_is_refused(tender: Path, net_guest: Path, tmp_path: Path, netns: str) -> None:
    _ns(netns, "ip", "tuntap", "add", "dev", "tap8", "mode", "tap")
    r = subprocess.run(["ip", "netns", "exec", netns, str(tender), f"--block:disk={make_disk(tmp_path, 4096)}",
                        "--net:net0=tap8", str(net_guest)], capture_output=True, text=True, timeout=20)
    _refused(r, "network device 'net0': interface 'tap8' is down")
