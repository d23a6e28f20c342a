"""The TCP/IP catalog as config.py sees it: MirageOS's device names resolve, `net` and
`dhcp` choose the stack (socket on unix, direct elsewhere, as MirageOS), boot arguments
carry MirageOS's names with a group prefix for other interfaces (urunc's --N-ipv4), and
only a graph with a direct stack pulls lwIP in."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.python.test_functoria import plan, write

MAIN = 'main_job = main("unikernel", console @ {typ} @ job)\n'


def stack_plan(tmp_path: Path, expr: str, typ: str = "stackv4v6", target: str = "unix", **keys: object):
    write(tmp_path, MAIN.format(typ=typ) + f'register("t", [main_job(default_console, {expr})])\n')
    return plan(tmp_path, target, **keys)


def connects(p) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.device.connect for n in p.devices()]


def args(p) -> set[str]:  # type: ignore[no-untyped-def]
    return {a.name for a in p.runtime_args}


@pytest.mark.parametrize("target, keys, stack", [
    ("unix", {}, "socket_stack_connect"),
    ("spt", {}, "lwip_stack_connect"),
    ("unix", {"net": "direct"}, "lwip_stack_connect"),
    ("spt", {"net": "socket"}, None),  # no socket driver on spt: refused (below)
])
def test_generic_stack_follows_net_key(tmp_path: Path, target: str, keys: dict[str, object],
                                       stack: str | None) -> None:
    if stack is None:
        from mirage_tools import ConfigError

        with pytest.raises(ConfigError, match="socket_stack is not available on target spt"):
            stack_plan(tmp_path, "generic_stackv4v6(default_network)", target=target, **keys)
        return
    p = stack_plan(tmp_path, "generic_stackv4v6(default_network)", target=target, **keys)
    assert stack in connects(p)
    assert [pkg.name for pkg in p.packages] == ([] if stack.startswith("socket") else ["lwip"])


def test_dhcp_key_takes_the_address_from_dhcp(tmp_path: Path) -> None:
    p = stack_plan(tmp_path, "generic_stackv4v6(default_network)", target="spt", dhcp=True)
    assert "lwip_ipv4_dhcp_connect" in connects(p) and "ipv4" not in args(p)
    p = stack_plan(tmp_path, "generic_stackv4v6(default_network)", target="spt")
    assert "lwip_ipv4_connect" in connects(p)
    assert {"ipv4", "ipv4-gateway", "ipv6", "ipv6-gateway", "ipv4-only", "ipv6-only",
            "accept-router-advertisements"} <= args(p)


def test_another_interface_prefixes_its_arguments(tmp_path: Path) -> None:
    """A stack on the netif "management" takes --management-ipv4 (what urunc passes)."""
    write(tmp_path, 'main_job = main("unikernel", console @ stackv4v6 @ stackv4v6 @ job)\n'
                    'register("t", [main_job(default_console, generic_stackv4v6(default_network), '
                    'generic_stackv4v6(netif("management", tap="tap1")))])\n')
    p = plan(tmp_path, "spt")
    assert {"ipv4", "management-ipv4", "management-ipv4-gateway", "management-ipv6"} <= args(p)
    assert connects(p).count("lwip_ethernet_connect") == 2
    assert [(d.kind, d.name) for d in p.manifest] == [("net", "service"), ("net", "management")]


@pytest.mark.parametrize("expr, typ", [
    ("static_ipv4_stack(default_network)", "stackv4"),
    ("dhcp_ipv4_stack(default_network)", "stackv4"),
    ("static_ipv6_stack(default_network)", "stackv6"),
    ("generic_stackv4(default_network)", "stackv4"),
    ("generic_stackv6(default_network)", "stackv6"),
    ("socket_stackv4()", "stackv4"),
    ("tcpv4v6_of_stackv4v6(generic_stackv4v6(default_network))", "tcpv4v6"),
    ("udpv4v6_of_stackv4v6(generic_stackv4v6(default_network))", "udpv4v6"),
    ("direct_tcp(create_ipv4(etif(default_network), arp(etif(default_network))))", "tcpv4"),
])
def test_mirage_names_resolve(tmp_path: Path, expr: str, typ: str) -> None:
    p = stack_plan(tmp_path, expr, typ=typ, target="unix" if "socket" in expr else "spt")
    assert p.devices()


def test_layers_on_one_interface_share_it(tmp_path: Path) -> None:
    """etif and arp applied to the same device twice are one node each."""
    p = stack_plan(tmp_path, "static_ipv4v6_stack(default_network)", target="spt")
    assert connects(p).count("lwip_ethernet_connect") == 1
    assert connects(p).count("lwip_arp_connect") == 1


def test_a_bad_group_is_refused(tmp_path: Path) -> None:
    from mirage_tools import ConfigError

    with pytest.raises(ConfigError, match="invalid stack group 'Bad Group'"):
        stack_plan(tmp_path, 'static_ipv4v6_stack(default_network, group="Bad Group")', target="spt")
