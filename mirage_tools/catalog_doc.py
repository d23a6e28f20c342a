"""The device reference (docs/devices.md), generated from the catalog's own documentation:
`python -m mirage_tools.catalog_doc > docs/devices.md`."""
from __future__ import annotations

import inspect
import sys

from . import devices
from .impl import Device, Impl

# Functoria's identity rule, said where it applies (mirage_tools/impl.py).
_SHARED = "\n\nA shared constant: every use is the same device."
_MADE = "\n\nEach call makes a device of its own; use one value twice to share one device."
_RETURNS_A_CONSTANT = {"rng"}  # Mirage's rng () is the default generator itself


def entries() -> list[tuple[str, str, str]]:
    """(name, signature or module type, documentation) for every catalog entry."""
    rows = []
    for name in sorted(devices.__all__):
        value = getattr(devices, name)
        if isinstance(value, Device):
            rows.append((name, f"{name} : {value.typ}", value.doc + _SHARED))
        elif isinstance(value, Impl):
            rows.append((name, f"{name} : {value.typ}", (inspect.getdoc(value) or "") + _SHARED))
        elif callable(value) and not isinstance(value, type):
            made = _SHARED if name in _RETURNS_A_CONSTANT else _MADE
            signature = f"{name}{inspect.signature(value, eval_str=True)}"
            rows.append((name, signature, (inspect.getdoc(value) or "") + made))
    return rows


def render() -> str:
    out = ["# Device reference", "",
           "Generated from the catalog by `python -m mirage_tools.catalog_doc > docs/devices.md`;",
           "every name here is importable with `from mirage_tools import *`.", ""]
    for name, signature, doc in entries():
        out += [f"## `{name}`", "", f"`{signature}`", "", doc.strip(), ""]
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
