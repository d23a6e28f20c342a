"""Key-value stores: read-only files embedded at build time (crunch) or read from the host
(direct, unix), chosen by the `kv_ro` key with generic_kv_ro."""
from __future__ import annotations

from ..errors import ConfigError, caller_location
from ..impl import Device, Impl, if_impl, match_impl
from ..key import Key
from ..typ import kv_ro
from .catalog import catalog_device

KV_RO_KINDS = ("crunch", "direct")


def _folder(what: str, folder: str) -> str:
    if not isinstance(folder, str) or not folder:
        raise ConfigError(f"{what} needs a folder (relative to config.py), not {folder!r}", caller_location())
    return folder.rstrip("/") or "/"


def crunch(folder: str) -> Device:
    """The files below `folder` (relative to config.py), embedded in the image at build time:
    large files through the assembler's .incbin, identical contents stored once."""
    folder = _folder("crunch", folder)
    return catalog_device("crunch", kv_ro, "crunch_connect", crunch.__doc__ or "", c_args=(folder,),
                          sources=("drivers/kv/crunch.c", "drivers/kv/kv_ro.c"),
                          headers=("mirage/kv_crunch.h",), embed=folder)


def direct_kv_ro(folder: str) -> Impl:
    """On unix, the host folder `folder` read at run time (relative to where the unikernel
    runs; `scons run` runs it in config.py's folder); elsewhere crunch(folder), as Mirage does."""
    folder = _folder("direct_kv_ro", folder)
    direct = catalog_device("direct_kv_ro", kv_ro, "direct_kv_ro_connect", direct_kv_ro.__doc__ or "",
                            c_args=(folder,), sources=("drivers/kv/direct_unix.c", "drivers/kv/kv_ro.c",
                                                       "drivers/kv/sha256.c"))
    return if_impl(Key.is_unix, direct, crunch(folder))


def generic_kv_ro(folder: str, key: Key | None = None) -> Impl:
    """crunch or direct_kv_ro over `folder`, chosen by the configure key `kv_ro=crunch|direct`
    (default crunch), or by the given key."""
    chooser = key if key is not None else Key("kv_ro", str, "crunch", "Read-only store backend.",
                                              choices=KV_RO_KINDS)
    return match_impl(chooser, {"direct": direct_kv_ro(folder)}, default=crunch(folder))
