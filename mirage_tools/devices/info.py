"""`app_info`: the unikernel's knowledge of its own build (name, target, configure keys,
packages, sha256 of config.py), known only once the plan is resolved, so its C arguments
are PlanValue placeholders the engine fills in (engine.fill_plan_values)."""
from __future__ import annotations

from ..impl import Device
from ..typ import info
from .catalog import CATALOG

PLAN_VALUES = ("name", "target", "keys", "packages", "config_sha256")


class PlanValue(str):
    """A c_arg standing for a fact of the resolved plan (one of PLAN_VALUES), replaced by
    its value as a string literal before code generation. Equal only to the same
    placeholder, never to a plain string with the same text."""

    __slots__ = ()

    def __new__(cls, which: str) -> PlanValue:
        if which not in PLAN_VALUES:
            raise ValueError(f"unknown plan value {which!r}; one of {', '.join(PLAN_VALUES)}")
        return super().__new__(cls, which)

    def __eq__(self, other: object) -> bool:
        return type(other) is PlanValue and str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(("plan", str(self)))

    def __repr__(self) -> str:
        return f"PlanValue({str(self)!r})"


app_info = Device(
    name="app_info", typ=info, connect="app_info_connect",
    doc="What the unikernel knows of its build (struct mirage_info): its name, target, the configure "
        "keys in force, the packages and the sha256 of config.py.",
    c_args=tuple(PlanValue(v) for v in PLAN_VALUES), sources=("drivers/info/info.c",), location=CATALOG)
