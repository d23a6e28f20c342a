"""`app_info`: the unikernel's knowledge of its own build (name, target, configure keys,
packages, sha256 of config.py), facts of the resolved plan passed to its connect."""
from __future__ import annotations

from ..cargs import PLAN_FACTS, PlanFact
from ..impl import Device
from ..typ import info
from .catalog import CATALOG

app_info = Device(
    name="app_info", typ=info, connect="app_info_connect",
    doc="What the unikernel knows of its build (struct mirage_info): its name, target, the configure "
        "keys in force, the packages and the sha256 of config.py.",
    c_args=tuple(PlanFact(v) for v in PLAN_FACTS), sources=("drivers/info/info.c",), location=CATALOG)
