"""mirage_tools: MirageOS-style unikernels in C. `from mirage_tools import *` in config.py
gives the eDSL: module types, combinators, keys, boot arguments and the device catalog."""
from . import devices
from .devices import *  # noqa: F403  (the device catalog, devices.__all__)
from .errors import ConfigError
from .impl import dep, foreign, if_impl, impl, main, match_impl, package
from .key import Key, Value, ipv4_addr, ipv4_prefix, ipv6_addr, ipv6_prefix, runtime_arg
from .paths import toolpath
from .register import register
from .typ import (
    argv,
    block,
    console,
    ethernet,
    http,
    info,
    job,
    kv_ro,
    kv_rw,
    mclock,
    network,
    pclock,
    random,
    reporter,
    stackv4v6,
    tcpv4v6,
    time,
    typ,
)

__version__ = "0.1.0"

__all__ = [
    "argv",
    "block",
    "ConfigError",
    "console",
    "dep",
    "ethernet",
    "foreign",
    "http",
    "if_impl",
    "impl",
    "info",
    "ipv4_addr",
    "ipv4_prefix",
    "ipv6_addr",
    "ipv6_prefix",
    "job",
    "Key",
    "Value",
    "kv_ro",
    "kv_rw",
    "main",
    "match_impl",
    "mclock",
    "network",
    "package",
    "pclock",
    "random",
    "register",
    "reporter",
    "runtime_arg",
    "stackv4v6",
    "tcpv4v6",
    "time",
    "toolpath",
    "typ",
    *devices.__all__,
]
