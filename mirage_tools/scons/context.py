"""Build contexts: one SCons environment per target (the image's flags: freestanding or
hosted), and one host environment per target for its tender. Short build lines unless
VERBOSE=1; everything is built under #build/<target>/."""
from __future__ import annotations

import subprocess
from functools import cache
from typing import Any

import SCons.Action

from ..errors import ConfigError
from ..paths import RUNTIME
from ..targets import Target
from .variables import Common

WARNINGS = ["-std=c11", "-Wall", "-Wextra", "-Werror"]
_SHORT = {"CCCOMSTR": "CC $TARGET", "SHCCCOMSTR": "CC $TARGET", "ASCOMSTR": "AS $TARGET",
          "ASPPCOMSTR": "AS $TARGET", "ARCOMSTR": "AR $TARGET", "RANLIBCOMSTR": "",
          "LINKCOMSTR": "LINK $TARGET", "SHLINKCOMSTR": "LINK $TARGET"}
_contexts: dict[tuple[int, str, str], Any] = {}


@cache
def compiler_include(cc: str) -> str:
    """The compiler's own freestanding headers (stddef.h, stdint.h, stdarg.h, ...)."""
    return subprocess.run([cc, "-print-file-name=include"], capture_output=True, text=True,
                          check=True).stdout.strip()


def _base(env: Any, target: Target, opts: Common) -> Any:
    ctx = env.Clone()
    ctx["MIRAGE_BUILD"] = f"#build/{target.name}"
    # Reproducible output: no build folder or install location in objects or debug info.
    root = env.Dir("#").abspath
    # $( $) keeps these out of build signatures, so checkouts in other folders share a cache.
    ctx.Append(CCFLAGS=["$(", f"-ffile-prefix-map={root}=.", f"-ffile-prefix-map={RUNTIME.parent}=.", "$)"])
    if not opts.verbose:
        ctx.Replace(**_SHORT)
    return ctx


def target_context(env: Any, target: Target, opts: Common) -> Any:
    """The environment that compiles the runtime, drivers and unikernels for `target`."""
    key = (id(env), target.name, "target")
    if key in _contexts:
        return _contexts[key]
    ctx = _base(env, target, opts)
    ctx.Append(CCFLAGS=[*WARNINGS, *target.cflags],
               CPPDEFINES=[*target.cppdefines, ("MIRAGE_TARGET", f'\\"{target.name}\\"')],
               CPPPATH=[str(RUNTIME / "include"), *target.include],
               LINKFLAGS=list(target.linkflags), LIBS=list(target.libs))
    if target.freestanding:
        # Our libc instead of the host's; the compiler still provides its freestanding headers.
        # Sections per function and data object let the link drop what the graph does not use.
        ctx.Append(CCFLAGS=["-ffreestanding", "-nostdinc", "-isystem", compiler_include(ctx.subst("$CC")),
                            "-ffunction-sections", "-fdata-sections", "-fno-asynchronous-unwind-tables"],
                   CPPPATH=[str(RUNTIME / "libc" / "include")],
                   LINKFLAGS=["-nostdlib", "-static", "-no-pie", "-Wl,-z,max-page-size=0x1000",
                              "-Wl,--build-id=none", "-Wl,--gc-sections",
                              f"-Wl,-T,{target.linker_script}"],
                   LIBS=["gcc"])
        if opts.cpu == "nosimd":
            # No SSE anywhere in the image; floating point then fails to compile, loudly.
            ctx.Append(CCFLAGS=["-mgeneral-regs-only"])
            ctx["SPAWN"] = _explain_nosimd(ctx["SPAWN"])
    _compiledb(ctx, opts, f"#build/{target.name}/compile_commands.json", beside="#build/compile_commands.json")
    _contexts[key] = ctx
    return ctx


_NOSIMD_ERRORS = ("SSE disabled", "-mgeneral-regs-only", "SSE register")
NOSIMD_HINT = ("mirage: this image is built with cpu=nosimd, which has no floating point; "
               "use integer arithmetic, or build with cpu=baseline for hosts that run SIMD in guests\n")


def _explain_nosimd(spawn: Any) -> Any:
    """Run compile commands with stderr captured, adding what a floating-point error means."""
    import subprocess
    import sys

    def run(sh: str, escape: Any, cmd: str, args: list[str], env: dict[str, str]) -> int:
        proc = subprocess.run([sh, "-c", " ".join(args)], env=env, stderr=subprocess.PIPE, text=True)
        sys.stderr.write(proc.stderr)
        if proc.returncode != 0 and any(e in proc.stderr for e in _NOSIMD_ERRORS):
            sys.stderr.write(NOSIMD_HINT)
        return proc.returncode

    return run


def _compiledb(ctx: Any, opts: Common, path: str, only: str | None = None, beside: str | None = None) -> None:
    """compile_commands.json for editors, one entry per file and context. SCons keeps one
    list of entries for the whole run, and each context loading its tool adds the emitter to
    the shared builders again (every entry twice): the written file is tidied, the tender's
    keeping the tender's entries, the target's all the others, each (file, output) once.
    `beside`: also write a copy there (the target's, at build/compile_commands.json, where
    clangd looks by itself)."""
    if not opts.compiledb:
        return
    ctx.Tool("compilation_db")
    if only:
        ctx["COMPILATIONDB_PATH_FILTER"] = only
    if not opts.verbose:
        ctx["COMPILATIONDB_COMSTR"] = "GEN $TARGET"
    node = ctx.CompilationDatabase(path)
    tender = None if only else f"build/{path.split('/')[1]}/tender/"
    ctx.AddPostAction(node, SCons.Action.Action(_compiledb_tidy(tender, beside), None))


def _compiledb_tidy(exclude: str | None, beside: str | None) -> Any:
    def tidy(target: Any, source: Any, env: Any) -> int:
        import json
        import os

        path = target[0].abspath
        with open(path, encoding="utf-8") as f:
            entries = json.load(f)
        seen: set[tuple[str, str]] = set()
        kept = []
        for entry in entries:
            ident = (entry["file"], entry["output"])
            if ident in seen or (exclude and exclude in entry["output"].replace(os.sep, "/")):
                continue
            seen.add(ident)
            kept.append(entry)
        text = json.dumps(kept, sort_keys=True, indent=4) + "\n"
        for out in (path, *([env.File(beside).abspath] if beside else [])):
            with open(f"{out}.tmp", "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(f"{out}.tmp", out)
        return 0

    return tidy


def host_context(env: Any, target: Target, opts: Common) -> Any:
    """The environment that builds `target`'s tender: a normal host program."""
    key = (id(env), target.name, "host")
    if key in _contexts:
        return _contexts[key]
    assert target.tender is not None
    ctx = _base(env, target, opts)
    ctx.Append(CCFLAGS=["-O2", "-g", "-Wall", "-Wextra", "-Werror"],
               CPPPATH=list(target.tender.include))
    for package in target.tender.packages:
        ctx.Append(**_pkg_config(package, target))
    _compiledb(ctx, opts, f"#build/{target.name}/tender/compile_commands.json",
               f"*build/{target.name}/tender/*")
    _contexts[key] = ctx
    return ctx


def _pkg_config(package: str, target: Target) -> dict[str, list[str]]:
    import pkgconfig  # type: ignore[import-untyped]

    if not pkgconfig.exists(package):
        raise ConfigError(f"the {target.name} tender needs {package}, which pkg-config cannot find",
                          hint=f"install it (Debian: apt-get install {package}-dev pkg-config)")
    flags = pkgconfig.parse(package)
    return {"CPPPATH": list(flags["include_dirs"]), "LIBPATH": list(flags["library_dirs"]),
            "LIBS": list(flags["libraries"]),
            "CPPDEFINES": [f"{k}={v}" if v else k for k, v in flags["define_macros"]]}
