"""How catalog devices are declared: like a user's impl, but with C from runtime_c/ and
the target's drivers.
A device made by a constructor that config.py calls (block_of_file("disk")) records that
line; a ready-made one (default_console) has none and is reported where config.py uses it."""
from __future__ import annotations

import inspect

from ..cargs import CArg
from ..errors import Location, caller_location, in_package
from ..impl import Device, HostDevice, Impl, Package
from ..key import Key
from ..typ import AnyTyp

CATALOG = Location("<catalog>", 0)


def catalog_device(name: str, typ: AnyTyp, connect: str | None, doc: str, *,
                   c_args: tuple[CArg, ...] = (), sources: tuple[str, ...] = (), drivers: tuple[str, ...] = (),
                   headers: tuple[str, ...] = (), manifest: tuple[HostDevice, ...] = (),
                   packages: tuple[Package, ...] = (), extra_deps: tuple[Impl, ...] = (),
                   keys: tuple[Key, ...] = ()) -> Device:
    return Device(name=name, typ=typ, connect=connect, doc=doc, c_args=c_args, sources=sources, drivers=drivers,
                  headers=headers, manifest=manifest, packages=packages, extra_deps=extra_deps, keys=keys,
                  location=CATALOG if _made_at_import() else caller_location())


def _made_at_import() -> bool:
    """True when a mirage_tools module's top level is making the device (default_network),
    not a config.py calling a constructor (block_of_file("disk"))."""
    frame = inspect.currentframe()
    try:
        while frame is not None:
            if not in_package(frame.f_code.co_filename):
                return False
            if frame.f_code.co_name == "<module>":
                return True
            frame = frame.f_back
        return False
    finally:
        del frame
