"""The SCons side of mirage_tools: `env.Tool("mirage")` adds `env.Unikernel(...)`.
This subpackage is the only part of mirage_tools that imports SCons."""
from __future__ import annotations

from typing import Any

from SCons.Script import SetOption

from .runtime import runtime_package
from .unikernel import unikernel

# What the build needs from SCons' own tools, for environments made with tools=["mirage"]
# only (loading SCons' whole default tool list costs more than a no-op build).
_NEEDS = {"CCCOM": "gcc", "LINKCOM": "gnulink", "ARCOM": "ar", "ASCOM": "gas", "TEXTFILESUFFIX": "textfile"}


def generate(env: Any) -> None:
    for var, tool in _NEEDS.items():
        if var not in env:
            env.Tool(tool)
    # Remember each object's headers between runs instead of rescanning every source: half
    # of a no-op build otherwise. Our include paths are fixed, so a new header cannot hide
    # behind an old one; `scons --implicit-deps-changed` rescans all the same.
    SetOption("implicit_cache", 1)
    env.AddMethod(unikernel, "Unikernel")
    env.AddMethod(runtime_package, "MirageRuntime")


def exists(env: Any) -> bool:
    return True
