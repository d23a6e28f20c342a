"""The SCons side of mirage_tools: `env.Tool("mirage")` adds `env.Unikernel(...)`.
This subpackage is the only part of mirage_tools that imports SCons."""
from __future__ import annotations

from typing import Any

from .runtime import runtime_package
from .unikernel import unikernel


def generate(env: Any) -> None:
    env.AddMethod(unikernel, "Unikernel")
    env.AddMethod(runtime_package, "MirageRuntime")


def exists(env: Any) -> bool:
    return True
