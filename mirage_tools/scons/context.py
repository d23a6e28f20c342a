"""Per-target build contexts: one SCons environment per target, with the target's flags,
short build lines unless VERBOSE=1, and objects under build/<target>/."""
from __future__ import annotations

from typing import Any

from SCons.Environment import Base as Environment

from ..paths import RUNTIME
from ..targets import Target
from .variables import Common

WARNINGS = ["-std=c11", "-Wall", "-Wextra", "-Werror"]
_SHORT = {"CCCOMSTR": "CC $TARGET", "SHCCCOMSTR": "CC $TARGET", "ASCOMSTR": "AS $TARGET",
          "ASPPCOMSTR": "AS $TARGET", "ARCOMSTR": "AR $TARGET", "RANLIBCOMSTR": "",
          "LINKCOMSTR": "LINK $TARGET", "SHLINKCOMSTR": "LINK $TARGET"}
_contexts: dict[tuple[int, str], Any] = {}


def target_context(env: Environment, target: Target, opts: Common) -> Any:
    """The environment that compiles the runtime, drivers and unikernels for `target`."""
    cache_key = (id(env), target.name)
    if cache_key in _contexts:
        return _contexts[cache_key]
    ctx = env.Clone()
    root = env.Dir("#").abspath
    ctx.Append(CCFLAGS=[*WARNINGS, *target.cflags, f"-ffile-prefix-map={root}/=",
                        f"-ffile-prefix-map={RUNTIME.parent}/="],
               CPPDEFINES=list(target.cppdefines),
               CPPPATH=[str(RUNTIME / "include"), *(str(target.folder / d) for d in target.include)],
               LINKFLAGS=list(target.linkflags), LIBS=list(target.libs))
    ctx["MIRAGE_BUILD"] = f"#build/{target.name}"
    if not opts.verbose:
        ctx.Replace(**_SHORT)
    if opts.compiledb:
        ctx.Tool("compilation_db")
        ctx.CompilationDatabase(f"#build/{target.name}/compile_commands.json")
    _contexts[cache_key] = ctx
    return ctx
