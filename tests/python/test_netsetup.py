"""`mirage-tools net up|down` (mirage_tools/netsetup.py): a tap with the host's address for
`scons run tap=`. Every test that makes a tap makes it inside its own network namespace
mtnet-<pid>-<n>, removed afterwards even when the test fails; nothing is ever created in the
host's own namespace, and the host's interfaces are checked to be the same after these tests."""
from __future__ import annotations

import ipaddress
import itertools
import json
import os
import pwd
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mirage_tools import netsetup
from mirage_tools.netsetup import STATE_DIR, NetError, Request, UsageError

_serial = itertools.count()


def net_unavailable() -> str | None:
    """Why this machine cannot make taps in network namespaces, or None."""
    if os.geteuid() != 0:
        return "tap devices and network namespaces need root"
    if shutil.which("ip") is None:
        return "no `ip` command on this machine"
    if not os.path.exists("/dev/net/tun"):
        return "no /dev/net/tun on this machine"
    return None


def namespaces() -> list[str]:
    if shutil.which("ip") is None:
        return []
    out = subprocess.run(["ip", "-j", "netns", "list"], capture_output=True, text=True, timeout=10).stdout
    return [ns["name"] for ns in json.loads(out or "[]")]


def host_interfaces() -> list[str]:
    out = subprocess.run(["ip", "-j", "link", "show"], capture_output=True, text=True, timeout=10).stdout
    return sorted(link["ifname"] for link in json.loads(out or "[]"))


@pytest.fixture(scope="module", autouse=True)
def _host_untouched() -> Iterator[None]:
    """The host's own namespace holds the same interfaces after these tests as before."""
    if net_unavailable():
        yield
        return
    before = host_interfaces()
    yield
    assert host_interfaces() == before


@pytest.fixture
def fresh_name() -> Iterator[str]:
    """A namespace name no other test uses; whatever exists under it afterwards is removed."""
    name = f"mtnet-{os.getpid()}-{next(_serial)}"
    try:
        yield name
    finally:
        if net_unavailable() is None:
            subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=10)
            (STATE_DIR / name).unlink(missing_ok=True)


@pytest.fixture
def ns(fresh_name: str) -> str:
    """The name of a private namespace for `net up --netns` to create (skipped without root)."""
    why = net_unavailable()
    if why:
        pytest.skip(why)
    return fresh_name


def net(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mirage_tools.cli", "net", *args], capture_output=True,
                          text=True, timeout=60, env=env, stdin=subprocess.DEVNULL)


def ok(*args: str) -> str:
    result = net(*args)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    return result.stdout


def show(ns: str, tap: str, details: bool = False) -> dict[str, object] | None:
    """`ip -n NS -j addr show TAP` (with -d: the tap's details), or None when TAP does not exist."""
    cmd = ["ip", "-n", ns, *(["-d"] if details else []), "-j", "addr", "show", tap]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
    if result.returncode != 0:
        return None
    entry: dict[str, object] = json.loads(result.stdout)[0]
    return entry


def addresses(entry: dict[str, object] | None) -> set[str]:
    assert entry is not None
    infos = entry["addr_info"]
    assert isinstance(infos, list)
    return {f"{a['local']}/{a['prefixlen']}" for a in infos if not a["local"].startswith("fe80:")}


def is_up(entry: dict[str, object] | None) -> bool:
    assert entry is not None
    flags = entry["flags"]
    return isinstance(flags, list) and "UP" in flags


# ---- the command line, checked before the host is touched (no root needed) ----

@pytest.mark.parametrize("args, message", [
    (["--tap", ""], "must have 1 to 15 characters"),
    (["--tap", "a" * 16], "must have 1 to 15 characters"),
    (["--tap", "tap/0"], "not a valid interface name"),
    (["--tap", "tap 0"], "not a valid interface name"),
    (["--tap", ".."], "not a valid interface name"),
    (["--address", "10.0.0.1"], "needs a prefix length"),
    (["--address", "10.0.0.300/24"], "not an IPv4 address"),
    (["--address", "fd00::1/64"], "not an IPv4 address"),
    (["--address", "10.0.0.1/33"], "not an IPv4 address"),
    (["--address6", "10.0.0.1/24"], "not an IPv6 address"),
    (["--address6", "fd00::zz/64"], "not an IPv6 address"),
    (["--address", "127.0.0.1/8"], "cannot be the host's address"),
    (["--user", "no-such-user-here"], "no user"),
])
def test_bad_input_is_a_usage_error(fresh_name: str, args: list[str], message: str) -> None:
    result = net("up", "--netns", fresh_name, *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr and result.stderr.startswith("mirage-tools: error: ")
    assert "hint: " in result.stderr and result.stdout == ""
    assert fresh_name not in namespaces()


@pytest.mark.parametrize("action", ["up", "down"])
def test_bad_names_are_usage_errors_for_both_actions(action: str) -> None:
    for args in (["--tap", "x" * 16], ["--netns", "a/b"], ["--netns", ""]):
        result = net(action, *args)
        assert result.returncode == 2 and "mirage-tools: error: " in result.stderr, result.stderr


def test_missing_action_is_argparse_usage() -> None:
    result = net()
    assert result.returncode == 2 and "usage: mirage-tools net" in result.stderr


def test_no_ip_command(fresh_name: str) -> None:
    env = dict(os.environ, PATH=str(Path(fresh_name)))  # a PATH with nothing on it
    result = net("up", "--netns", fresh_name, env=env)
    assert result.returncode == 1, result.stderr
    assert "the `ip` command (iproute2) is not installed" in result.stderr
    assert "apt-get install iproute2" in result.stderr


def test_without_net_admin_says_to_use_sudo(fresh_name: str) -> None:
    if shutil.which("ip") is None:
        pytest.skip("no `ip` command on this machine (that error comes first)")
    cmd = [sys.executable, "-m", "mirage_tools.cli", "net", "up", "--netns", fresh_name]
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root and no `setpriv` to drop CAP_NET_ADMIN")
        cmd = ["setpriv", "--bounding-set", "-net_admin", *cmd]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "needs root (CAP_NET_ADMIN" in result.stderr and "hint: run it with sudo: sudo " in result.stderr
    assert f"net up --netns {fresh_name}" in result.stderr
    assert fresh_name not in namespaces()


def test_request_defaults_and_usage_lines() -> None:
    req = Request.parse("tap0", "10.0.0.1/24", "fd00::1/64", "demo", "root")
    assert req.addresses == (ipaddress.ip_interface("10.0.0.1/24"), ipaddress.ip_interface("fd00::1/64"))
    lines = netsetup.usage_lines(req)
    assert lines[0] == "boot a unikernel on it: ip netns exec demo sudo -u root scons target=spt run tap=tap0"
    assert "e.g. 10.0.0.2/24" in lines[1] and "e.g. fd00::2/64" in lines[2]
    assert lines[-1] == "remove it: mirage-tools net down --tap tap0 --netns demo"
    plain = netsetup.usage_lines(Request.parse("tap3", "192.168.7.2/30", None, None, None))
    assert plain[0] == "boot a unikernel on it: scons target=spt run tap=tap3"
    assert "e.g. 192.168.7.1/30" in plain[1] and plain[-1] == "remove it: mirage-tools net down --tap tap3"
    assert not any("another address" in line for line in
                   netsetup.usage_lines(Request.parse("tap0", "10.9.9.9/32", None, None, None)))


def test_who_may_attach(tmp_path: Path) -> None:
    """A tap without owner is anyone's who can open the tun device; --user keeps it to that user, who
    still needs to open the tun device (checked on a stand-in file of each mode)."""
    if os.geteuid() != 0:
        pytest.skip("the stand-in device must be root's, as /dev/net/tun is")
    try:
        nobody = pwd.getpwuid(65534).pw_name
    except KeyError:
        pytest.skip("no user with uid 65534 (nobody) on this machine")
    device = tmp_path / "tun"
    device.touch()
    device.chmod(0o666)
    assert netsetup.tun_note(nobody, device) is None and netsetup.tun_note("root", device) is None
    assert netsetup.access_line(Request(tap="tap2"), device) == \
        "tap2 has no owner: any user may attach to it (--user NAME keeps it to NAME and root)"
    assert netsetup.access_line(Request(tap="tap2", user=nobody), device) is None
    device.chmod(0o600)
    assert netsetup.access_line(Request(tap="tap2"), device) is None  # only root may anyway
    note = netsetup.access_line(Request(tap="tap2", user=nobody), device)
    assert note is not None and f"has mode 0600 on this host, so {nobody} cannot open it, nor the tap" in note
    assert netsetup.tun_note("root", device) is None


# ---- on the host: each test in its own namespace ----

def test_up_creates_the_tap_with_its_addresses(ns: str) -> None:
    out = ok("up", "--netns", ns, "--address6", "fd00::1/64")
    entry = show(ns, "tap0", details=True)
    assert addresses(entry) == {"10.0.0.1/24", "fd00::1/64"} and is_up(entry)
    assert entry is not None and entry["linkinfo"]["info_data"]["type"] == "tap"
    assert f"created network namespace {ns}\n" in out
    assert f"created tap tap0 in network namespace {ns}: 10.0.0.1/24, fd00::1/64, up\n" in out
    assert f"ip netns exec {ns} scons target=spt run tap=tap0" in out
    assert f"mirage-tools net down --tap tap0 --netns {ns}" in out
    assert is_up(show(ns, "lo"))  # the namespace it made has a working lo


def test_user_may_own_the_tap(ns: str) -> None:
    try:
        user = pwd.getpwuid(65534).pw_name
    except KeyError:
        pytest.skip("no user with uid 65534 (nobody) on this machine")
    out = ok("up", "--netns", ns, "--tap", "mt-own", "--address", "10.3.0.1/24", "--user", "65534")
    entry = show(ns, "mt-own", details=True)
    assert entry is not None and entry["linkinfo"]["info_data"]["user"] == user
    assert f"owned by {user}" in out
    again = net("up", "--netns", ns, "--tap", "mt-own", "--address", "10.3.0.1/24", "--user", "root")
    assert again.returncode == 1 and f"owned by {user}, not owned by root" in again.stderr
    ok("up", "--netns", ns)
    result = net("up", "--netns", ns, "--user", "65534")
    assert result.returncode == 1 and f"tap tap0 in network namespace {ns} exists, with no owner, not owned by " \
        f"{user}" in result.stderr


def test_up_twice_is_fine(ns: str) -> None:
    ok("up", "--netns", ns, "--tap", "tap9", "--address", "10.9.0.1/24")
    out = ok("up", "--netns", ns, "--tap", "tap9", "--address", "10.9.0.1/24")
    assert f"tap tap9 in network namespace {ns} exists already with 10.9.0.1/24: kept" in out
    assert "created" not in out
    entry = show(ns, "tap9")
    assert addresses(entry) == {"10.9.0.1/24"} and is_up(entry)


def test_an_existing_bare_tap_gets_the_address_and_is_set_up(ns: str) -> None:
    subprocess.run(["ip", "netns", "add", ns], check=True, timeout=10)
    subprocess.run(["ip", "-n", ns, "tuntap", "add", "dev", "tap0", "mode", "tap"], check=True, timeout=10)
    out = ok("up", "--netns", ns)
    assert "added 10.0.0.1/24 to the existing tap tap0" in out and "set tap0 up" in out
    entry = show(ns, "tap0")
    assert addresses(entry) == {"10.0.0.1/24"} and is_up(entry)


def test_a_tap_with_another_address_is_an_error(ns: str) -> None:
    ok("up", "--netns", ns)
    result = net("up", "--netns", ns, "--address", "10.0.0.5/24")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"tap tap0 in network namespace {ns} exists with 10.0.0.1/24, not 10.0.0.5/24" in result.stderr
    assert "use --address 10.0.0.1/24" in result.stderr and result.stdout == ""
    assert addresses(show(ns, "tap0")) == {"10.0.0.1/24"}
    other_prefix = net("up", "--netns", ns, "--address", "10.0.0.1/16")
    assert other_prefix.returncode == 1 and "not 10.0.0.1/16" in other_prefix.stderr


def test_an_interface_that_is_not_a_tap_is_left_alone(ns: str) -> None:
    ok("up", "--netns", ns)  # makes the namespace; its lo is not a tap
    result = net("up", "--netns", ns, "--tap", "lo")
    assert result.returncode == 1 and "lo in network namespace" in result.stderr
    assert "is a network interface, not a tap" in result.stderr
    result = net("down", "--netns", ns, "--tap", "lo")
    assert result.returncode == 1 and "not a tap" in result.stderr
    subprocess.run(["ip", "-n", ns, "tuntap", "add", "dev", "tun5", "mode", "tun"], check=True, timeout=10)
    result = net("up", "--netns", ns, "--tap", "tun5")
    assert result.returncode == 1 and "a tun device (layer 3), not a tap" in result.stderr
    assert net("down", "--netns", ns, "--tap", "tun5").returncode == 1
    assert "127.0.0.1/8" in addresses(show(ns, "lo")) and show(ns, "tun5") is not None


def test_down_removes_the_tap_and_the_namespace_up_made(ns: str) -> None:
    ok("up", "--netns", ns)
    assert (STATE_DIR / ns).exists()
    out = ok("down", "--netns", ns)
    assert f"removed tap tap0 in network namespace {ns}\n" in out
    assert f"removed network namespace {ns} (mirage-tools net up created it)" in out
    assert ns not in namespaces() and not (STATE_DIR / ns).exists()
    out = ok("down", "--netns", ns)
    assert out == f"no network namespace {ns}: nothing to remove\n"
    assert ns not in namespaces()  # down never makes one


def test_down_keeps_a_namespace_up_did_not_make(ns: str) -> None:
    subprocess.run(["ip", "netns", "add", ns], check=True, timeout=10)
    out = ok("up", "--netns", ns)
    assert "created network namespace" not in out
    out = ok("down", "--netns", ns)
    assert "removed tap tap0" in out and f"kept network namespace {ns}: mirage-tools net up did not create it" in out
    assert ns in namespaces() and show(ns, "tap0") is None
    assert ok("down", "--netns", ns) == (f"no tap tap0 in network namespace {ns}: nothing to remove\n"
                                          f"kept network namespace {ns}: mirage-tools net up did not create it\n")


def test_down_keeps_the_namespace_while_it_holds_another_interface(ns: str) -> None:
    ok("up", "--netns", ns)
    ok("up", "--netns", ns, "--tap", "tap1", "--address", "10.1.0.1/24")
    out = ok("down", "--netns", ns)
    assert f"kept network namespace {ns}: it still holds tap1" in out
    assert ns in namespaces() and show(ns, "tap0") is None and show(ns, "tap1") is not None
    out = ok("down", "--netns", ns, "--tap", "tap1")
    assert "removed tap tap1" in out and f"removed network namespace {ns}" in out
    assert ns not in namespaces()


def test_a_namespace_made_again_by_someone_else_is_not_removed(ns: str) -> None:
    """The record names the namespace itself (its inode), not only its name."""
    ok("up", "--netns", ns)
    subprocess.run(["ip", "netns", "del", ns], check=True, timeout=10)
    subprocess.run(["ip", "netns", "add", ns], check=True, timeout=10)
    out = ok("down", "--netns", ns)
    assert "no tap tap0" in out and "net up did not create it" in out
    assert ns in namespaces() and not (STATE_DIR / ns).exists()


def test_a_failure_half_way_leaves_nothing(ns: str, monkeypatch: pytest.MonkeyPatch) -> None:
    real_run = subprocess.run

    def failing_addr_add(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        if "addr" in argv and "add" in argv:
            return subprocess.CompletedProcess(argv, 2, "", "RTNETLINK answers: made up for the test\n")
        return real_run(argv, **kwargs)

    monkeypatch.setattr(subprocess, "run", failing_addr_add)
    said: list[str] = []
    with pytest.raises(NetError, match="made up for the test"):
        netsetup.up(Request.parse("tap0", "10.0.0.1/24", None, ns, None), "again", said.append)
    monkeypatch.setattr(subprocess, "run", real_run)
    assert said == [f"created network namespace {ns}", f"removed network namespace {ns} again"]
    assert ns not in namespaces() and not (STATE_DIR / ns).exists()


def test_validators_in_process() -> None:
    assert netsetup.check_tap_name("tap-0.a_b") == "tap-0.a_b"
    for bad in ("", "x" * 16, "a:b", "-x", ".", "a\tb"):
        with pytest.raises(UsageError):
            netsetup.check_tap_name(bad)
    assert netsetup.parse_address("fd00::1/64", 6) == ipaddress.IPv6Interface("fd00::1/64")
    with pytest.raises(UsageError, match="link-local"):
        netsetup.parse_address("fe80::1/64", 6)
    assert UsageError("x").status == 2 and NetError("x").status == 1
