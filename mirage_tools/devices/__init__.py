"""The device catalog: implementations users compose in config.py, one module per device
family. Each device's `doc` is its documentation. The runtime core (runtime_c/core) is
linked into every image; a device's `sources` name the extra drivers it needs, relative
to runtime_c/."""
from .basic import (
    custom_console,
    default_argv,
    default_console,
    default_monotonic_clock,
    default_posix_clock,
    default_time,
    no_argv,
    noop,
)
from .block import block_of_file, generic_block, ramdisk
from .info import app_info
from .kv import archive, archive_of_files, crunch, direct_kv_ro, direct_kv_rw, generic_kv_ro, kv_rw_mem
from .logs import LOG_LEVELS, default_reporter, no_reporter
from .network import default_network, netif
from .random import default_random, rng

__all__ = [
    "app_info",
    "archive",
    "archive_of_files",
    "block_of_file",
    "crunch",
    "custom_console",
    "default_argv",
    "default_console",
    "default_monotonic_clock",
    "default_network",
    "default_posix_clock",
    "default_random",
    "default_reporter",
    "default_time",
    "direct_kv_ro",
    "direct_kv_rw",
    "generic_block",
    "generic_kv_ro",
    "kv_rw_mem",
    "LOG_LEVELS",
    "netif",
    "no_argv",
    "no_reporter",
    "noop",
    "ramdisk",
    "rng",
]
