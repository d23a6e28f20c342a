"""TCP/IP: MirageOS 4's network stack devices. The direct stacks are lwIP (fetched as a
pinned source, see third_party/) on one network device; the layers (etif, arp,
create_ipv4, ...) share one lwIP interface. socket_stackv4v6 uses the host's sockets
(unix only). generic_stackv4v6 picks one by the configure keys `net` and `dhcp`.

Boot arguments are MirageOS's: --ipv4=ADDR/PREFIX (default 10.0.0.2/24), --ipv4-gateway,
--ipv4-only, --ipv6=ADDR/PREFIX, --ipv6-gateway, --ipv6-only and
--accept-router-advertisements. A stack of another group (by default the name of a
network device other than "service") takes them prefixed: --management-ipv4=..., which
is what urunc passes."""
from __future__ import annotations

import re

from ..cargs import BootArg
from ..errors import ConfigError, caller_location
from ..impl import Device, Impl, Package, if_impl, match_impl
from ..key import Combined, Key, RuntimeArg, Value, ipv4_addr, ipv4_prefix, ipv6_addr, ipv6_prefix
from ..typ import (
    AnyTyp,
    Typ,
    arpv4,
    ethernet,
    ipv4,
    ipv4v6,
    ipv6,
    network,
    stackv4,
    stackv4v6,
    stackv6,
    tcpv4,
    tcpv4v6,
    tcpv6,
    udpv4,
    udpv4v6,
    udpv6,
)
from .catalog import CATALOG, catalog_device
from .network import default_network
from .random import default_random

LWIP = Package("lwip", "2.1.3")
_LWIP_NAMES = ("port", "chksum", "netif", "udp", "tcp", "stack")
_LWIP_SOURCES = tuple(f"drivers/net/lwip/{n}.c" for n in _LWIP_NAMES) + ("drivers/net/tcpip.c",)
_GROUP = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

NET_KEY = Key("net", str, None, "The network stack: direct (lwIP on a network device) or socket (the host's "
              "sockets, unix only). Default: socket on unix, direct elsewhere.", choices=("direct", "socket"),
              location=CATALOG)
DHCP_KEY = Key("dhcp", bool, False, "Get the IPv4 address from DHCP instead of --ipv4.", location=CATALOG)


def _lwip(name: str, typ: AnyTyp, connect: str, doc: str, c_args: tuple[BootArg, ...] = ()) -> Device:
    return catalog_device(name, typ, connect, doc, c_args=c_args, sources=_LWIP_SOURCES, packages=(LWIP,),
                          extra_deps=(default_random,), headers=("mirage/lwip.h",))


def _arg(group: str, name: str, type_: object, default: object, doc: str, optional: bool = False) -> RuntimeArg:
    return RuntimeArg(f"{group}-{name}" if group else name, type_, default, doc, CATALOG, optional=optional)


def _group(group: str | None, net: Impl | None) -> str:
    """The boot-argument prefix: `group` when given, else the network device's name unless
    it is the default "service" (urunc's --N-ipv4 for interface N)."""
    if group is None:
        name = net.c_args[0] if isinstance(net, Device) and net.c_args and net.typ == network else "service"
        group = "" if name == "service" else str(name)
    if not isinstance(group, str) or (group and not _GROUP.match(group)):
        raise ConfigError(f"invalid stack group {group!r}", caller_location(),
                          "lower-case letters and digits, words joined by '-' (it prefixes boot arguments)")
    return group


def ipv4_args(group: str) -> tuple[RuntimeArg, RuntimeArg]:
    return (_arg(group, "ipv4", ipv4_prefix, "10.0.0.2/24", "The IPv4 address and prefix length of the "
                 "interface."),
            _arg(group, "ipv4-gateway", ipv4_addr, None, "The IPv4 gateway (none by default).", optional=True))


def ipv6_args(group: str) -> tuple[RuntimeArg, RuntimeArg, RuntimeArg]:
    return (_arg(group, "ipv6", ipv6_prefix, None, "An IPv6 address and prefix length of the interface "
                 "(besides its link-local one).", optional=True),
            _arg(group, "ipv6-gateway", ipv6_addr, None, "The IPv6 gateway (none by default: routers from "
                 "router advertisements, when accepted).", optional=True),
            _arg(group, "accept-router-advertisements", bool, False, "Configure IPv6 addresses and routers from "
                 "router advertisements (SLAAC)."))


_etif = _lwip("etif", network @ ethernet, "lwip_ethernet_connect",
              "An Ethernet interface of the lwIP stack on a network device.")
_arp = _lwip("arp", ethernet @ arpv4, "lwip_arp_connect", "The IPv4 neighbour cache (ARP) of an Ethernet interface.")


def etif(net: Impl) -> Impl:
    """An Ethernet interface (lwIP netif) on the network device `net`."""
    return _etif(net)


def arp(eth: Impl) -> Impl:
    """The ARP cache of the Ethernet interface `eth`."""
    return _arp(eth)


def create_ipv4(eth: Impl, arp_: Impl, group: str = "", dhcp: bool = False) -> Impl:
    """IPv4 on `eth`: the address of --ipv4 (and --ipv4-gateway), or from DHCP when `dhcp`."""
    group = _group(group, None)
    if not isinstance(dhcp, bool):
        raise ConfigError(f"create_ipv4: dhcp must be True or False, not {dhcp!r}", caller_location())
    if dhcp:
        return _lwip("create_ipv4", ethernet @ arpv4 @ ipv4, "lwip_ipv4_dhcp_connect",
                     "IPv4 on an Ethernet interface, its address from a DHCP lease.")(eth, arp_)
    addr, gw = ipv4_args(group)
    dev = _lwip("create_ipv4", ethernet @ arpv4 @ ipv4, "lwip_ipv4_connect", create_ipv4.__doc__ or "",
                c_args=(BootArg(addr), BootArg(gw)))
    return dev(eth, arp_)


def create_ipv6(net: Impl, eth: Impl, group: str = "") -> Impl:
    """IPv6 on `eth`: a link-local address, --ipv6 if given, --ipv6-gateway, and SLAAC with
    --accept-router-advertisements."""
    group = _group(group, None)
    addr, gw, ra = ipv6_args(group)
    dev = _lwip("create_ipv6", network @ ethernet @ ipv6, "lwip_ipv6_connect", create_ipv6.__doc__ or "",
                c_args=(BootArg(addr), BootArg(gw), BootArg(ra)))
    return dev(net, eth)


def create_ipv4v6(ip4: Impl, ip6: Impl, group: str = "") -> Impl:
    """Both families on one interface; --ipv4-only or --ipv6-only leaves one."""
    group = _group(group, None)
    only4 = _arg(group, "ipv4-only", bool, False, "Use IPv4 only.")
    only6 = _arg(group, "ipv6-only", bool, False, "Use IPv6 only.")
    dev = _lwip("create_ipv4v6", ipv4 @ ipv6 @ ipv4v6, "lwip_ipv4v6_connect", create_ipv4v6.__doc__ or "",
                c_args=(BootArg(only4), BootArg(only6)))
    return dev(ip4, ip6)


_FAMILY = {ipv4: (udpv4, tcpv4, stackv4), ipv6: (udpv6, tcpv6, stackv6), ipv4v6: (udpv4v6, tcpv4v6, stackv4v6)}


def _family(ip: Impl, who: str) -> tuple[Typ, Typ, Typ]:
    if not isinstance(ip, Impl) or ip.typ not in _FAMILY:
        raise ConfigError(f"{who} needs an IP layer (ipv4, ipv6 or ipv4v6), not {ip!r}", caller_location())
    return _FAMILY[ip.typ]


def direct_udp(ip: Impl) -> Impl:
    """UDP over the lwIP IP layer `ip`."""
    udp, _, _ = _family(ip, "direct_udp")
    return _lwip("direct_udp", ip.typ @ udp, "lwip_udp_connect", direct_udp.__doc__ or "")(ip)


def direct_tcp(ip: Impl) -> Impl:
    """TCP over the lwIP IP layer `ip`."""
    _, tcp, _ = _family(ip, "direct_tcp")
    return _lwip("direct_tcp", ip.typ @ tcp, "lwip_tcp_connect", direct_tcp.__doc__ or "")(ip)


def _stack_of(ip: Impl) -> Impl:
    udp, tcp, stack = _family(ip, "a stack")
    dev = _lwip("direct_stack", ip.typ @ udp @ tcp @ stack, "lwip_stack_connect",
                "The lwIP stack: its IP, UDP and TCP layers.")
    return dev(ip, direct_udp(ip), direct_tcp(ip))


def direct_stackv4v6(net: Impl, eth: Impl, arp_: Impl, ip4: Impl, ip6: Impl, group: str = "") -> Impl:
    """The lwIP stack over `ip4` and `ip6` on `eth` (MirageOS's direct_stackv4v6)."""
    return _stack_of(create_ipv4v6(ip4, ip6, group))


def direct_stackv4(net: Impl, eth: Impl, arp_: Impl, ip4: Impl) -> Impl:
    """The lwIP stack over `ip4` only."""
    return _stack_of(ip4)


def direct_stackv6(net: Impl, eth: Impl, ip6: Impl) -> Impl:
    """The lwIP stack over `ip6` only."""
    return _stack_of(ip6)


def static_ipv4v6_stack(net: Impl = default_network, group: str | None = None) -> Impl:
    """The lwIP stack on `net` with the addresses of the boot arguments."""
    g = _group(group, net)
    eth = etif(net)
    return direct_stackv4v6(net, eth, arp(eth), create_ipv4(eth, arp(eth), g), create_ipv6(net, eth, g), g)


def static_ipv4_stack(net: Impl = default_network, group: str | None = None) -> Impl:
    """The lwIP stack on `net`, IPv4 only, at --ipv4."""
    g = _group(group, net)
    eth = etif(net)
    return direct_stackv4(net, eth, arp(eth), create_ipv4(eth, arp(eth), g))


def static_ipv6_stack(net: Impl = default_network, group: str | None = None) -> Impl:
    """The lwIP stack on `net`, IPv6 only."""
    g = _group(group, net)
    eth = etif(net)
    return direct_stackv6(net, eth, create_ipv6(net, eth, g))


def dhcp_ipv4_stack(net: Impl = default_network, group: str | None = None) -> Impl:
    """The lwIP stack on `net`, IPv4 from a DHCP lease (the unikernel waits for it at boot)."""
    g = _group(group, net)
    eth = etif(net)
    return direct_stackv4(net, eth, arp(eth), create_ipv4(eth, arp(eth), g, dhcp=True))


def _dhcp_ipv4v6_stack(net: Impl, group: str | None) -> Impl:
    g = _group(group, net)
    eth = etif(net)
    return direct_stackv4v6(net, eth, arp(eth), create_ipv4(eth, arp(eth), g, dhcp=True), create_ipv6(net, eth, g), g)


_SOCKET_DOC = ("The host's sockets as a stack (unix only): TCP and UDP on the host's addresses, driven by the "
               "event loop; no tap device needed. {what}")


def _socket_stack(typ: Typ, v4: bool, v6: bool, what: str) -> Device:
    return catalog_device("socket_stack", typ, "socket_stack_connect", _SOCKET_DOC.format(what=what),
                          c_args=(v4, v6), sources=("drivers/net/tcpip.c",), drivers=("socket_stack",))


def socket_stackv4v6(group: str | None = None) -> Impl:
    """The host's sockets, IPv4 and IPv6 (unix only)."""
    _group(group or "", None)
    return _socket_stack(stackv4v6, True, True, "IPv4 and IPv6.")


def socket_stackv4(group: str | None = None) -> Impl:
    """The host's sockets, IPv4 only (unix only)."""
    _group(group or "", None)
    return _socket_stack(stackv4, True, False, "IPv4 only.")


def socket_stackv6(group: str | None = None) -> Impl:
    """The host's sockets, IPv6 only (unix only)."""
    _group(group or "", None)
    return _socket_stack(stackv6, False, True, "IPv6 only.")


def _net_choice(net_key: Value | None) -> Value:
    """`net=direct|socket`, defaulting as MirageOS: socket on unix, direct elsewhere."""
    chosen = net_key if net_key is not None else NET_KEY
    return Combined(lambda n, t: n or ("socket" if t == "unix" else "direct"), (chosen, Key.target), "net")


def generic_stackv4v6(net: Impl = default_network, group: str | None = None, dhcp_key: Value | None = None,
                      net_key: Value | None = None) -> Impl:
    """The stack the configure keys choose: `net=socket` the host's sockets, `net=direct` lwIP on
    `net` with `dhcp=true` its IPv4 address from DHCP, else from --ipv4."""
    direct = if_impl(dhcp_key if dhcp_key is not None else DHCP_KEY, _dhcp_ipv4v6_stack(net, group),
                     static_ipv4v6_stack(net, group))
    return match_impl(_net_choice(net_key), {"socket": socket_stackv4v6(group)}, default=direct)


def generic_stackv4(net: Impl = default_network, group: str | None = None, dhcp_key: Value | None = None,
                    net_key: Value | None = None) -> Impl:
    """As generic_stackv4v6, IPv4 only."""
    direct = if_impl(dhcp_key if dhcp_key is not None else DHCP_KEY, dhcp_ipv4_stack(net, group),
                     static_ipv4_stack(net, group))
    return match_impl(_net_choice(net_key), {"socket": socket_stackv4(group)}, default=direct)


def generic_stackv6(net: Impl = default_network, group: str | None = None, net_key: Value | None = None) -> Impl:
    """As generic_stackv4v6, IPv6 only (no DHCP)."""
    return match_impl(_net_choice(net_key), {"socket": socket_stackv6(group)}, default=static_ipv6_stack(net, group))


def _project(stack: Impl, which: str, connect: str, result: Typ, doc: str) -> Impl:
    if not isinstance(stack, Impl) or stack.typ not in (stackv4, stackv6, stackv4v6):
        raise ConfigError(f"{which} needs a stack, not {stack!r}", caller_location())
    return catalog_device(which, stack.typ @ result, connect, doc, sources=("drivers/net/stack.c",))(stack)


def tcpv4v6_of_stackv4v6(stack: Impl) -> Impl:
    """The TCP layer of a stack, for devices that need only TCP (protocols)."""
    return _project(stack, "tcpv4v6_of_stackv4v6", "stack_tcp_connect", tcpv4v6, tcpv4v6_of_stackv4v6.__doc__ or "")


def udpv4v6_of_stackv4v6(stack: Impl) -> Impl:
    """The UDP layer of a stack."""
    return _project(stack, "udpv4v6_of_stackv4v6", "stack_udp_connect", udpv4v6, udpv4v6_of_stackv4v6.__doc__ or "")
