"""Network interfaces: Ethernet frames, below any TCP/IP stack."""
from __future__ import annotations

from ..errors import ConfigError, caller_location
from ..impl import Device, HostDevice
from ..typ import network
from .catalog import catalog_device


def netif(name: str, tap: str | None = None) -> Device:
    """The network interface `name`: on unix the tap device `tap` (default `name`); on Solo5
    targets the device the tender attaches under that manifest name (`scons run` attaches
    the tap `tap`); virtio-net on virtio."""
    loc = caller_location()
    if not isinstance(name, str) or not name:
        raise ConfigError(f"netif needs an interface name, not {name!r}", loc)
    if tap is not None and (not isinstance(tap, str) or not tap or len(tap) > 15 or "/" in tap):
        raise ConfigError(f"netif {name!r}: {tap!r} is not a tap interface name", loc,
                          "a Linux interface name: 1 to 15 characters, no '/'")
    host = tap or name
    return catalog_device(
        "netif", network, "netif_connect", netif.__doc__ or "",
        c_args=(name, host), sources=("drivers/net/network.c",), drivers=("netif",),
        manifest=(HostDevice("net", name, host),))


default_network = netif("service", tap="tap0")
"""The main interface, named `service` (urunc attaches --net:service=TAP); the tap `tap0`
on unix and for `scons run`, as MirageOS's default_network."""
