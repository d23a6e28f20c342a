"""Connect arguments: what a device's connect function receives after its device pointers.
One of a few explicit kinds, each rendered by codegen with its C parameter type:

- a C literal (str, int or bool from config.py or the catalog);
- `PlanFact`: a fact of the resolved plan (the unikernel's name, its target, ...), known
  only once the whole graph is resolved;
- `BootArg`: the value of a boot argument, through its typed accessor, so a driver gets
  `--logs` as a `const char *` parameter instead of looking it up by name;
- `Embedded`: the index of a folder embedded in the image at build time.
"""
from __future__ import annotations

from dataclasses import dataclass

from .key import RuntimeArg

CLiteral = str | int | bool

PLAN_FACTS = ("name", "target", "keys", "packages", "config_sha256")


@dataclass(frozen=True)
class PlanFact:
    """One of PLAN_FACTS, as a string literal."""

    which: str

    def __post_init__(self) -> None:
        if self.which not in PLAN_FACTS:
            raise ValueError(f"unknown plan fact {self.which!r}; one of {', '.join(PLAN_FACTS)}")


@dataclass(frozen=True)
class BootArg:
    """The parsed value of a boot argument (declared by being passed)."""

    arg: RuntimeArg


@dataclass(frozen=True)
class Embedded:
    """`&<var>_index`: the files below `folder` (relative to config.py), embedded at build time."""

    folder: str


CArg = CLiteral | PlanFact | BootArg | Embedded


def c_param_type(arg: CArg) -> str:
    """The C type a connect function takes this argument as."""
    if isinstance(arg, bool):
        return "bool"
    if isinstance(arg, int):
        return "int64_t"
    if isinstance(arg, BootArg):
        return arg.arg.arg_type.c_type
    if isinstance(arg, Embedded):
        return "const struct mirage_crunch_index *"
    return "const char *"
