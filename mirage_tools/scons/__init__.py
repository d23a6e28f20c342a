"""The SCons side of mirage_tools: `env.Tool("mirage")` adds `env.Unikernel(...)`.
This subpackage is the only part of mirage_tools that imports SCons."""
from __future__ import annotations

from typing import Any

from .unikernel import unikernel


def generate(env: Any) -> None:
    env.AddMethod(unikernel, "Unikernel")


def exists(env: Any) -> bool:
    return True
