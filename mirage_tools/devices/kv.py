"""Key-value stores. Read-only: files embedded at build time (crunch), a host folder read at
run time (direct, unix), or a tar archive on a block device (archive), chosen by the `kv_ro`
key with generic_kv_ro. Read-write: in memory (kv_rw_mem) or a host folder (direct_kv_rw,
unix only)."""
from __future__ import annotations

import posixpath
import re
from dataclasses import replace

from ..cargs import Embedded
from ..errors import ConfigError, caller_location
from ..impl import Device, Impl, if_impl, match_impl
from ..key import Key
from ..typ import block, kv_ro, kv_rw
from .block import block_of_file
from .catalog import catalog_device

KV_RO_KINDS = ("crunch", "direct", "archive")


def _kv(*names: str) -> tuple[str, ...]:
    """Sources in runtime_c/drivers/kv/; the kv_ro dispatch and SHA-256 (mirage/sha256.h,
    which unikernels with a store may use too) come with every store."""
    return (*(f"drivers/kv/{n}.c" for n in names), "drivers/kv/kv_ro.c", "drivers/kv/sha256.c")


def _folder(what: str, folder: str) -> str:
    if not isinstance(folder, str) or not folder:
        raise ConfigError(f"{what} needs a folder (relative to config.py), not {folder!r}", caller_location())
    return folder.rstrip("/") or "/"


def crunch(folder: str) -> Device:
    """The files below `folder` (relative to config.py), embedded in the image at build time:
    large files through the assembler's .incbin, identical contents stored once."""
    folder = _folder("crunch", folder)
    return catalog_device("crunch", kv_ro, "crunch_connect", crunch.__doc__ or "", c_args=(folder, Embedded(folder)),
                          sources=_kv("crunch"), headers=("mirage/kv_crunch.h",))


def direct_kv_ro(folder: str) -> Impl:
    """On unix, the host folder `folder` read at run time (relative to where the unikernel
    runs; `scons run` runs it in config.py's folder); elsewhere crunch(folder), as Mirage does."""
    folder = _folder("direct_kv_ro", folder)
    direct = catalog_device("direct_kv_ro", kv_ro, "direct_kv_ro_connect", direct_kv_ro.__doc__ or "",
                            c_args=(folder,), sources=_kv("kv_index"), drivers=("kv_direct",))
    return if_impl(Key.is_unix, direct, crunch(folder))


archive = catalog_device(
    "archive", block @ kv_ro, "archive_connect",
    """The ustar archive on a block device, as a read-only store: `archive(block_of_file("disk"))`.
    The index is read once at connect; files are read in whole sectors.""",
    sources=_kv("archive", "tar", "kv_index"))

_NOT_NAME = re.compile(r"[^A-Za-z0-9]")


def archive_of_files(dir: str = ".", name: str | None = None) -> Impl:
    """The files below `dir` (relative to config.py) packed by the build into the tar
    build/<name>.tar (rebuilt when a file changes), served by `archive` from the block device
    `name` (default: dir's letters and digits): the file itself on unix, attached by `scons
    run` on Solo5 targets."""
    loc = caller_location()
    folder = _folder("archive_of_files", dir)
    norm = posixpath.normpath(folder)
    if norm in (".", "..", "build") or norm.startswith(("../", "build/")) or posixpath.isabs(norm):
        raise ConfigError(f"archive_of_files cannot pack {dir!r}: the folder must be below config.py's "
                          f"folder and outside build/, where the archive is written", loc,
                          'put the files in a folder of their own, e.g. archive_of_files("data")')
    device = name if name is not None else _NOT_NAME.sub("", norm) or "archive"
    if not isinstance(device, str) or not device:
        raise ConfigError(f"archive_of_files needs a device name, not {name!r}", loc)
    disk = block_of_file(device, f"build/{device}.tar")
    (entry,) = disk.manifest
    disk = replace(disk, manifest=(replace(entry, tar_of=norm),))
    return archive(disk)


def generic_kv_ro(folder: str, key: Key | None = None) -> Impl:
    """crunch, direct_kv_ro or archive_of_files over `folder`, chosen by the configure key
    `kv_ro=crunch|direct|archive` (default crunch), or by the given key."""
    loc = caller_location()
    chooser = key if key is not None else Key("kv_ro", str, "crunch", "Read-only store backend.",
                                              choices=KV_RO_KINDS)
    if chooser.choices is not None and not set(chooser.choices) <= set(KV_RO_KINDS):
        raise ConfigError(f"generic_kv_ro's key must choose among {', '.join(KV_RO_KINDS)}", loc)
    return match_impl(chooser, {"direct": direct_kv_ro(folder), "archive": archive_of_files(folder)},
                      default=crunch(folder))


def kv_rw_mem(name: str = "mem") -> Device:
    """A read-write store in memory, empty at every boot (`name` tells two of them apart)."""
    if not isinstance(name, str) or not name:
        raise ConfigError(f"kv_rw_mem needs a name, not {name!r}", caller_location())
    return catalog_device("kv_rw_mem", kv_rw, "kv_rw_mem_connect", kv_rw_mem.__doc__ or "", c_args=(name,),
                          sources=_kv("kv_rw_mem", "kv_index", "kv_rw"))


def direct_kv_rw(folder: str) -> Device:
    """The host folder `folder` (relative to where the unikernel runs) as a read-write store.
    Only on unix: configuring it for another target is an error."""
    folder = _folder("direct_kv_rw", folder)
    return catalog_device("direct_kv_rw", kv_rw, "direct_kv_rw_connect", direct_kv_rw.__doc__ or "",
                          c_args=(folder,), sources=_kv("kv_index", "kv_rw"), drivers=("kv_direct", "kv_direct_rw"))
