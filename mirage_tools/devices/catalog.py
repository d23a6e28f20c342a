"""How catalog devices are declared: like a user's impl, but with C from runtime_c/.
A device made by a constructor that config.py calls (block_of_file("disk")) records that
line; a ready-made one (default_console) has none and is reported where config.py uses it."""
from __future__ import annotations

import inspect

from ..errors import Location, caller_location
from ..impl import CLiteral, Device, HostDevice
from ..typ import AnyTyp

CATALOG = Location("<catalog>", 0)


def catalog_device(name: str, typ: AnyTyp, connect: str | None, doc: str, *,
                   c_args: tuple[CLiteral, ...] = (), sources: tuple[str, ...] = (),
                   headers: tuple[str, ...] = (), manifest: tuple[HostDevice, ...] = (),
                   embed: str = "") -> Device:
    frame = inspect.currentframe()
    made_at_import = frame is not None and frame.f_back is not None and frame.f_back.f_code.co_name == "<module>"
    del frame
    return Device(name=name, typ=typ, connect=connect, doc=doc, c_args=c_args, sources=sources,
                  headers=headers, manifest=manifest, embed=embed,
                  location=CATALOG if made_at_import else caller_location())
