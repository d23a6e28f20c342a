"""mirage_tools: MirageOS-style unikernels in C. `from mirage_tools import *` in config.py
gives the eDSL: module types, combinators, keys, boot arguments and the device catalog."""
from .devices import (
    app_info,
    archive,
    archive_of_files,
    block_of_file,
    crunch,
    default_argv,
    default_console,
    default_monotonic_clock,
    default_network,
    default_posix_clock,
    default_random,
    default_reporter,
    default_time,
    direct_kv_ro,
    direct_kv_rw,
    generic_block,
    generic_kv_ro,
    kv_rw_mem,
    netif,
    no_argv,
    no_reporter,
    noop,
    ramdisk,
    rng,
)
from .errors import ConfigError
from .impl import dep, foreign, if_impl, impl, main, match_impl, package
from .key import Key, ipv4_addr, ipv4_prefix, ipv6_addr, ipv6_prefix, runtime_arg
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
    "app_info",
    "argv", "block", "block_of_file", "ConfigError", "console", "crunch", "default_argv", "default_console",
    "default_monotonic_clock", "default_network", "default_posix_clock", "default_random", "default_reporter",
    "default_time", "dep", "direct_kv_ro", "ethernet", "foreign", "generic_block", "generic_kv_ro", "http",
    "if_impl", "impl", "info", "ipv4_addr", "ipv4_prefix", "ipv6_addr", "ipv6_prefix", "job", "Key", "kv_ro",
    "kv_rw", "main", "match_impl", "mclock", "netif", "network", "no_argv", "no_reporter", "noop", "package",
    "pclock", "ramdisk", "random", "register", "reporter", "rng", "runtime_arg", "stackv4v6", "tcpv4v6",
    "time", "toolpath", "typ", "archive", "archive_of_files", "direct_kv_rw", "kv_rw_mem",
]
