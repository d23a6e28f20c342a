"""The device reference (docs/devices.md), generated from the catalog's own documentation:
`python -m mirage_tools.catalog_doc > docs/devices.md`."""
from __future__ import annotations

import inspect
import sys

from . import devices
from .impl import Device, Impl


def entries() -> list[tuple[str, str, str]]:
    """(name, signature or module type, documentation) for every catalog entry."""
    rows = []
    for name in sorted(devices.__all__):
        value = getattr(devices, name)
        if isinstance(value, Device):
            rows.append((name, f"{name} : {value.typ}", value.doc))
        elif isinstance(value, Impl):
            rows.append((name, f"{name} : {value.typ}", inspect.getdoc(value) or ""))
        elif callable(value) and not isinstance(value, type):
            rows.append((name, f"{name}{inspect.signature(value, eval_str=True)}", inspect.getdoc(value) or ""))
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
