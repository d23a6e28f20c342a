"""`mirage-tools net up|down`: the host side of a unikernel's network, a tap device with the
host's address on it, optionally inside a network namespace, so that users need not type `ip`
commands before `scons run tap=TAP`.

It runs `ip` (iproute2) and touches only the tap and the namespace it is given: it never
creates or removes any other interface, route or namespace. A namespace is removed by `down`
only if `up` created it (recorded under STATE_DIR, on the /run tmpfs like the namespace itself)
and it then holds no interface but lo. `scons run` never calls this: changing the host network
is always the user's explicit step."""
from __future__ import annotations

import ipaddress
import json
import os
import pwd
import shutil
import stat
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

Address = ipaddress.IPv4Interface | ipaddress.IPv6Interface
Out = Callable[[str], None]

NETNS_DIR = Path("/var/run/netns")  # where `ip netns` keeps its namespaces (iproute2's NETNS_RUN_DIR)
STATE_DIR = Path("/run/mirage-tools/netns")  # one file per namespace that `net up` created
TUN_DEVICE = Path("/dev/net/tun")
CAP_NET_ADMIN, CAP_SYS_ADMIN = 12, 21
IFNAMSIZ = 16  # the kernel's limit, with the final NUL
DEFAULT_TAP = "tap0"
DEFAULT_ADDRESS = "10.0.0.1/24"


class NetError(Exception):
    """A clean error of `mirage-tools net`: a message, what to do, and the exit status
    (1: the host refused or is in the way; UsageError, 2: the command line is wrong)."""

    status = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def render(self) -> str:
        return f"error: {self.message}" + (f"\n  hint: {self.hint}" if self.hint else "")


class UsageError(NetError):
    status = 2


# ---- checking the command line (nothing on the host is looked at or changed) ----

def check_tap_name(name: str) -> str:
    """An interface name the kernel takes: 1 to 15 characters, no '/', ':' or white space,
    not '.' or '..'; and not starting with '-', which `ip` would read as an option."""
    if not 0 < len(name) < IFNAMSIZ:
        raise UsageError(f"tap name {name!r} must have 1 to {IFNAMSIZ - 1} characters", hint="e.g. --tap tap0")
    bad = [c for c in name if c in "/:" or c.isspace() or not c.isprintable()]
    if bad or name in (".", "..") or name.startswith("-"):
        raise UsageError(f"{name!r} is not a valid interface name",
                         hint="use letters, digits, '-', '_' and '.' (no '/', ':' or spaces), e.g. --tap tap0")
    return name


def check_netns_name(name: str) -> str:
    """A namespace name `ip netns` takes (a file name under /var/run/netns), kept printable."""
    if (not 0 < len(name) <= 255 or "/" in name or name in (".", "..") or name.startswith("-")
            or any(c.isspace() or not c.isprintable() for c in name)):
        raise UsageError(f"{name!r} is not a valid network namespace name",
                         hint="use letters, digits, '-', '_' and '.', e.g. --netns mirage")
    return name


def parse_address(text: str, version: int) -> Address:
    """A host address with its prefix length, like 10.0.0.1/24 (version 4) or fd00::1/64 (6)."""
    family = "IPv4" if version == 4 else "IPv6"
    example = "10.0.0.1/24" if version == 4 else "fd00::1/64"
    option = "--address" if version == 4 else "--address6"
    if "/" not in text:
        raise UsageError(f"{family} address {text!r} needs a prefix length", hint=f"e.g. {option} {example}")
    try:
        address: Address = ipaddress.ip_interface(text)
    except ValueError:
        raise UsageError(f"{text!r} is not an {family} address with a prefix length",
                         hint=f"e.g. {option} {example}") from None
    if address.version != version:
        raise UsageError(f"{text!r} is not an {family} address", hint=f"e.g. {option} {example}")
    ip = address.ip
    if ip.is_unspecified or ip.is_multicast or ip.is_loopback or ip.is_link_local:
        raise UsageError(f"{text!r} cannot be the host's address on a tap (unspecified, multicast, loopback "
                         "or link-local)", hint=f"e.g. {option} {example}")
    return address


def check_user(user: str) -> str:
    """A user name or numeric uid that exists on this host."""
    try:
        return pwd.getpwuid(int(user)).pw_name if user.isdigit() else pwd.getpwnam(user).pw_name
    except (KeyError, OverflowError):
        raise UsageError(f"no user {user!r} on this host", hint="--user takes a user name or uid") from None


@dataclass(frozen=True)
class Request:
    """What `net up` is asked for, checked."""

    tap: str = DEFAULT_TAP
    addresses: tuple[Address, ...] = (ipaddress.IPv4Interface(DEFAULT_ADDRESS),)
    netns: str | None = None
    user: str | None = None

    @classmethod
    def parse(cls, tap: str, address: str | None, address6: str | None, netns: str | None,
              user: str | None) -> Request:
        addresses = [parse_address(a, v) for a, v in ((address, 4), (address6, 6)) if a is not None]
        return cls(check_tap_name(tap), tuple(addresses), None if netns is None else check_netns_name(netns),
                   None if user is None else check_user(user))


# ---- the host: `ip`, capabilities, namespaces ----

def _capabilities() -> int | None:
    """This process's effective capability set, or None if /proc does not say."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("CapEff:"):
                return int(line.split()[1], 16)
    except (OSError, ValueError, IndexError):
        pass
    return None


def check_host(netns: bool, again: str) -> str:
    """The path of `ip`, once sure this process may use it here; `again` is the command line to
    suggest under sudo."""
    ip = shutil.which("ip")
    if ip is None:
        raise NetError("the `ip` command (iproute2) is not installed or not on PATH",
                       hint="install it (Debian: apt-get install iproute2)")
    caps = _capabilities()
    needed = [("CAP_NET_ADMIN", CAP_NET_ADMIN)] + ([("CAP_SYS_ADMIN", CAP_SYS_ADMIN)] if netns else [])
    lacking = [name for name, bit in needed if caps is not None and not caps >> bit & 1]
    if lacking:
        what = "network namespaces and tap devices" if netns else "tap devices"
        raise NetError(f"creating or removing {what} needs root ({' and '.join(lacking)}), "
                       f"which this process does not have", hint=f"run it with sudo: sudo {again}")
    if not TUN_DEVICE.exists():
        raise NetError(f"there is no {TUN_DEVICE} on this host, so no tap device can be made",
                       hint="load the tun module (modprobe tun), or in a container give it /dev/net/tun")
    return ip


def _where(netns: str | None) -> str:
    return f" in network namespace {netns}" if netns else ""


class Ip:
    """`ip` commands, inside `netns` when one is given (`ip -n NETNS ...`)."""

    def __init__(self, ip: str, netns: str | None) -> None:
        self.ip = ip
        self.netns = netns

    def argv(self, *args: str) -> list[str]:
        return [self.ip, *(["-n", self.netns] if self.netns else []), *args]

    def run(self, *args: str) -> str:
        """`ip [-n NETNS] ARGS`'s output; its failure as a NetError, with what `ip` said."""
        argv = self.argv(*args)
        try:
            result = subprocess.run(argv, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise NetError(f"`{' '.join(argv)}` failed: {e}") from None
        if result.returncode != 0:
            said = result.stderr.strip() or result.stdout.strip() or f"exit status {result.returncode}"
            hint = ("this process may not change the host network: run it with sudo"
                    if "not permitted" in said else None)
            raise NetError(f"`{' '.join(argv)}` failed: {said}", hint=hint)
        return result.stdout

    def link(self, name: str) -> dict[str, object] | None:
        """Interface NAME as `ip -d -j link show` describes it, or None if there is none (looked up in the
        whole list: `ip link show dev NAME` fails alike for a missing interface and for other reasons)."""
        found = [link for link in self.links() if link.get("ifname") == name]
        return found[0] if found else None

    def links(self) -> list[dict[str, object]]:
        """Every interface, with details (`ip -d -j link show`)."""
        data = json.loads(self.run("-d", "-j", "link", "show") or "[]")
        return [link for link in data if isinstance(link, dict)]

    def addresses(self, name: str) -> list[Address]:
        """The addresses on NAME, less IPv6 link-local ones (the kernel's own)."""
        data = json.loads(self.run("-j", "addr", "show", "dev", name) or "[]")
        found: list[Address] = []
        for link in data:
            for info in link.get("addr_info", []) if isinstance(link, dict) else []:
                if info.get("family") in ("inet", "inet6") and "local" in info and "prefixlen" in info:
                    address = ipaddress.ip_interface(f"{info['local']}/{info['prefixlen']}")
                    if not address.ip.is_link_local:
                        found.append(address)
        return found


def tap_kind(link: dict[str, object]) -> str:
    """"tap", "tun", or the kind of another interface ("device" when it has none, like lo or eth0)."""
    info = link.get("linkinfo")
    if not isinstance(info, dict):
        return "device"
    kind = str(info.get("info_kind", "device"))
    data = info.get("info_data")
    if kind == "tun" and isinstance(data, dict):
        return str(data.get("type", "tun"))
    return kind


def tap_owner(link: dict[str, object]) -> str | None:
    info = link.get("linkinfo")
    data = info.get("info_data") if isinstance(info, dict) else None
    user = data.get("user") if isinstance(data, dict) else None
    if user is None:
        return None
    try:  # `ip` shows a uid without a name as a number
        return pwd.getpwuid(int(user)).pw_name if str(user).isdigit() else str(user)
    except (KeyError, OverflowError):
        return str(user)


def _namespace_id(name: str) -> str | None:
    """The identity of namespace NAME (its nsfs device and inode), or None if it does not exist."""
    try:
        st = os.stat(NETNS_DIR / name)
    except OSError:
        return None
    return f"{st.st_dev}:{st.st_ino}"


def _recorded(name: str) -> str | None:
    try:
        data = json.loads((STATE_DIR / name).read_text())
    except (OSError, ValueError):
        return None
    return str(data.get("id")) if isinstance(data, dict) else None


def _record(name: str, ident: str) -> None:
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    tmp = STATE_DIR / f".{name}.tmp"
    tmp.write_text(json.dumps({"id": ident, "created_by": "mirage-tools net up"}) + "\n")
    tmp.replace(STATE_DIR / name)


def _forget(name: str) -> None:
    try:
        (STATE_DIR / name).unlink()
    except FileNotFoundError:
        pass


def created_by_up(name: str) -> bool:
    """Whether namespace NAME is the very one `net up` created (a namespace of the same name made
    since by someone else is not)."""
    ident = _namespace_id(name)
    recorded = _recorded(name)
    if recorded is not None and recorded != ident:
        _forget(name)  # stale: that namespace is gone
        return False
    return ident is not None and recorded == ident


# ---- net up ----

def _kind_text(kind: str) -> str:
    return {"tun": "a tun device (layer 3)", "device": "a network interface"}.get(kind, f"a {kind} interface")


def _not_a_tap(req_tap: str, kind: str, netns: str | None) -> NetError:
    return NetError(f"{req_tap}{_where(netns)} exists and is {_kind_text(kind)}, not a tap: left as it is",
                    hint="choose another name with --tap")


def _keep_existing(ip: Ip, req: Request, link: dict[str, object], out: Out) -> None:
    """Check an existing tap against the request; add what it lacks (an address of a family it has none
    of, the up flag), never change what it has."""
    kind = tap_kind(link)
    if kind != "tap":
        raise _not_a_tap(req.tap, kind, req.netns)
    down_first = f"mirage-tools net down --tap {req.tap}" + (f" --netns {req.netns}" if req.netns else "")
    owner = tap_owner(link)
    if req.user is not None and owner != req.user:
        raise NetError(f"tap {req.tap}{_where(req.netns)} exists, "
                       f"{f'owned by {owner}' if owner else 'with no owner'}, not owned by {req.user}",
                       hint=f"remove it first ({down_first}) or leave out --user")
    have = ip.addresses(req.tap)
    missing = []
    for address in req.addresses:
        same_family = [a for a in have if a.version == address.version]
        if address in same_family:
            continue
        if same_family:
            option = "--address" if address.version == 4 else "--address6"
            raise NetError(f"tap {req.tap}{_where(req.netns)} exists with {', '.join(map(str, same_family))}, "
                           f"not {address}: left as it is",
                           hint=f"use {option} {same_family[0]}, or remove it first ({down_first})")
        missing.append(address)
    if not missing:
        out(f"tap {req.tap}{_where(req.netns)} exists already with "
            f"{', '.join(str(a) for a in have if a in req.addresses) or 'no address asked for'}: kept")
    for address in missing:
        ip.run("addr", "add", str(address), "dev", req.tap, *(["nodad"] if address.version == 6 else []))
        out(f"added {address} to the existing tap {req.tap}")
    flags = link.get("flags")
    if not (isinstance(flags, list) and "UP" in flags):
        ip.run("link", "set", "dev", req.tap, "up")
        out(f"set {req.tap} up")


def _undo(step: Callable[[], object]) -> None:
    """Take back a step after a failure; the failure is what gets reported."""
    try:
        step()
    except NetError:
        pass


def _create(ip: Ip, req: Request, out: Out) -> None:
    ip.run("tuntap", "add", "dev", req.tap, "mode", "tap", *(["user", req.user] if req.user else []))
    try:
        for address in req.addresses:
            # nodad: the address is usable at once, not "tentative" until the guest's end is up.
            ip.run("addr", "add", str(address), "dev", req.tap, *(["nodad"] if address.version == 6 else []))
        ip.run("link", "set", "dev", req.tap, "up")
    except NetError:
        _undo(lambda: ip.run("link", "del", "dev", req.tap))  # leave nothing half made
        raise
    owner = f", owned by {req.user}" if req.user else ""
    out(f"created tap {req.tap}{_where(req.netns)}{owner}: "
        f"{', '.join(map(str, req.addresses)) or 'no address'}, up")


def _guest_example(address: Address) -> str | None:
    """An address of the same network for the unikernel, other than the host's."""
    hosts = address.network.hosts()
    for _, candidate in zip(range(3), hosts):
        if candidate != address.ip:
            return f"{candidate}/{address.network.prefixlen}"
    return None


def tun_note(user: str, device: Path = TUN_DEVICE) -> str | None:
    """Why `user` cannot open the tun device (so neither the tap it owns), or None if it can."""
    try:
        st = os.stat(device)
        entry = pwd.getpwnam(user)
    except (OSError, KeyError):
        return None
    if entry.pw_uid == 0:
        return None
    if entry.pw_uid == st.st_uid:  # the kernel looks at the first class that applies only
        rw = stat.S_IRUSR | stat.S_IWUSR
    elif st.st_gid in os.getgrouplist(user, entry.pw_gid):
        rw = stat.S_IRGRP | stat.S_IWGRP
    else:
        rw = stat.S_IROTH | stat.S_IWOTH
    if st.st_mode & rw == rw:
        return None
    return (f"note: {device} has mode {stat.S_IMODE(st.st_mode):04o} on this host, so {user} cannot open it, nor "
            f"the tap: most systems have it 0666 (chmod 0666 {device}; net up does not change it)")


def access_line(req: Request, device: Path = TUN_DEVICE) -> str | None:
    """Who may attach to the tap, when it is worth saying. The kernel lets a process attach to a persistent
    tap if it can open the tun device and the tap has no owner, or it is the owner, or it has CAP_NET_ADMIN:
    `--user` keeps a tap to one user rather than giving it to them."""
    if req.user is not None:
        return tun_note(req.user, device)
    try:
        mode = os.stat(device).st_mode
    except OSError:
        return None
    if mode & (stat.S_IROTH | stat.S_IWOTH) == stat.S_IROTH | stat.S_IWOTH:
        return f"{req.tap} has no owner: any user may attach to it (--user NAME keeps it to NAME and root)"
    return None


def usage_lines(req: Request) -> list[str]:
    """How to boot a unikernel on the tap, and how to remove it."""
    scons = f"scons target=spt run tap={req.tap}"
    if req.netns:
        as_user = f"sudo -u {req.user} " if req.user else ""
        scons = f"ip netns exec {req.netns} {as_user}{scons}"
    lines = [f"boot a unikernel on it: {scons}"]
    for address in req.addresses:
        guest = _guest_example(address)
        if guest:
            example = f" (examples/arp_ping: args='--ipv4={guest}')" if address.version == 4 else ""
            lines.append(f"  the unikernel takes another address of {address.network}, e.g. {guest}{example}")
    access = access_line(req)
    if access:
        lines.append(f"  {access}")
    lines.append(f"remove it: mirage-tools net down --tap {req.tap}" + (f" --netns {req.netns}" if req.netns else ""))
    return lines


def up(req: Request, again: str, out: Out = print) -> None:
    """Make tap `req.tap` (in `req.netns`, created if missing) with the host addresses, up; an existing
    tap that matches is kept, one that does not is an error and is left alone."""
    ip = Ip(check_host(req.netns is not None, again), req.netns)
    made_netns = False
    try:
        if req.netns and _namespace_id(req.netns) is None:
            _forget(req.netns)  # a record of an earlier namespace of that name
            Ip(ip.ip, None).run("netns", "add", req.netns)
            made_netns = True
            ident = _namespace_id(req.netns)
            if ident is not None:
                _record(req.netns, ident)
            ip.run("link", "set", "dev", "lo", "up")
            out(f"created network namespace {req.netns}")
        link = ip.link(req.tap)
        if link is None:
            _create(ip, req, out)
        else:
            _keep_existing(ip, req, link, out)
    except NetError:
        if made_netns and req.netns:
            netns = req.netns
            _undo(lambda: Ip(ip.ip, None).run("netns", "del", netns))
            _forget(netns)
            out(f"removed network namespace {req.netns} again")
        raise
    for line in usage_lines(req):
        out(line)


# ---- net down ----

def down(tap: str, netns: str | None, again: str, out: Out = print) -> None:
    """Remove tap `tap` (in `netns`), and `netns` if `net up` created it and it holds nothing else but lo.
    Whatever is already gone is fine; an interface of that name that is not a tap is left alone (error)."""
    tap = check_tap_name(tap)
    netns = None if netns is None else check_netns_name(netns)
    ip = Ip(check_host(netns is not None, again), netns)
    if netns and _namespace_id(netns) is None:
        _forget(netns)
        out(f"no network namespace {netns}: nothing to remove")
        return
    link = ip.link(tap)
    if link is None:
        out(f"no tap {tap}{_where(netns)}: nothing to remove")
    else:
        kind = tap_kind(link)
        if kind != "tap":
            raise NetError(f"{tap}{_where(netns)} is {_kind_text(kind)}, not a tap: left as it is",
                           hint="net down removes only tap devices")
        ip.run("link", "del", "dev", tap)
        out(f"removed tap {tap}{_where(netns)}")
    if netns:
        _down_netns(ip, netns, out)


def _down_netns(ip: Ip, netns: str, out: Out) -> None:
    if not created_by_up(netns):
        out(f"kept network namespace {netns}: mirage-tools net up did not create it")
        return
    others = [str(link.get("ifname")) for link in ip.links() if link.get("ifname") != "lo"]
    if others:
        out(f"kept network namespace {netns}: it still holds {', '.join(sorted(others))}")
        return
    Ip(ip.ip, None).run("netns", "del", netns)
    _forget(netns)
    out(f"removed network namespace {netns} (mirage-tools net up created it)")

