"""How catalog devices are declared: like a user's impl, but with C from runtime_c/ and
no config.py line of their own (they are reported where config.py uses them)."""
from __future__ import annotations

from ..errors import Location
from ..impl import CLiteral, Device, HostDevice
from ..typ import AnyTyp

CATALOG = Location("<catalog>", 0)


def catalog_device(name: str, typ: AnyTyp, connect: str | None, doc: str, *,
                   c_args: tuple[CLiteral, ...] = (), sources: tuple[str, ...] = (),
                   headers: tuple[str, ...] = (), manifest: tuple[HostDevice, ...] = (),
                   embed: str = "") -> Device:
    return Device(name=name, typ=typ, connect=connect, doc=doc, c_args=c_args, sources=sources,
                  headers=headers, manifest=manifest, embed=embed, location=CATALOG)
