"""Block devices: a platform disk, an in-memory disk, or either chosen by the `block` key."""
from __future__ import annotations

import re

from ..errors import ConfigError, caller_location
from ..impl import Device, HostDevice, Impl, match_impl
from ..key import Key
from ..typ import block
from .catalog import catalog_device

_SIZE = re.compile(r"^(\d+)\s*([KMG]i?B?)?$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
SECTOR = 512


def parse_size(size: int | str) -> int:
    """Bytes from 4096, "64K", "1MiB", "2G"; a positive multiple of 512."""
    if isinstance(size, bool) or not isinstance(size, (int, str)):
        raise ConfigError(f"size {size!r} is not a number of bytes", hint='e.g. 1048576 or "1MiB"')
    if isinstance(size, str):
        m = _SIZE.match(size.strip())
        if not m:
            raise ConfigError(f"size {size!r} is not understood", hint='e.g. "512K", "1MiB", "2G"')
        size = int(m.group(1)) * _UNITS[(m.group(2) or "")[:1].lower()]
    if size <= 0 or size % SECTOR:
        raise ConfigError(f"size {size} is not a positive multiple of {SECTOR} bytes")
    return size


def block_of_file(name: str, path: str | None = None, size: int | str | None = None,
                  durable: bool = False) -> Device:
    """The platform disk `name`: on unix the host file `path` (default `<name>.img`, relative
    to config.py's folder); on Solo5 targets the device the tender attaches under that
    manifest name (`scons run` attaches `path`); virtio-blk on virtio. With `size`, `scons
    run` creates a missing file of that size (an existing one is never touched). With
    `durable`, every write is on the disk when it returns (O_DSYNC on unix, a flush after
    each write on virtio; on spt and hvt `scons run` gives our tender --block-sync:NAME,
    and the image refuses to start under a tender that does not sync, such as Solo5's).
    Without it, writes are durable after mirage_block_flush (see mirage/block.h)."""
    loc = caller_location()
    if not isinstance(name, str) or not name:
        raise ConfigError(f"block_of_file needs a device name, not {name!r}", loc)
    if not isinstance(durable, bool):
        raise ConfigError(f"block_of_file's durable is True or False, not {durable!r}", loc)
    host = path if path is not None else f"{name}.img"
    nbytes = parse_size(size) if size is not None else 0
    return catalog_device(
        "block_of_file", block, "block_of_file_connect", block_of_file.__doc__ or "",
        c_args=(name, host, durable), sources=("drivers/block/block.c",), drivers=("block_file",),
        manifest=(HostDevice("block", name, host, nbytes, durable=durable),))


def ramdisk(name: str, size: int | str = "1MiB") -> Device:
    """An in-memory disk of `size` bytes (512-byte sectors), empty at every boot."""
    return catalog_device(
        "ramdisk", block, "ramdisk_connect", ramdisk.__doc__ or "",
        c_args=(name, parse_size(size) // SECTOR), sources=("drivers/block/ramdisk.c", "drivers/block/block.c"))


BLOCK_KINDS = ("file", "ramdisk")


def generic_block(name: str, key: Key | None = None, size: int | str = "1MiB") -> Impl:
    """`block_of_file(name, size=size)` or `ramdisk(name, size)`, chosen by the configure key
    `block=file|ramdisk` (default file), or by the given key."""
    loc = caller_location()
    chooser = key if key is not None else Key("block", str, "file", "Block device backend.", choices=BLOCK_KINDS)
    if chooser.choices is not None and not set(chooser.choices) <= set(BLOCK_KINDS):
        raise ConfigError(f"generic_block's key must choose among {', '.join(BLOCK_KINDS)}", loc)
    return match_impl(chooser, {"ramdisk": ramdisk(name, size)}, default=block_of_file(name, size=size))
