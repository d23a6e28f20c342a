"""`mirage-tools runtime`: the runtime of one target as a static library, its headers,
linker script and tender, and a pkg-config file, installed under a prefix that stands on
its own (nothing in it points back at the checkout or at one compiler's folders), so a
Make or Meson project can build unikernels against it."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import ConfigError
from ..paths import RUNTIME
from ..targets import Target, get_target
from . import variables
from .context import compiler_include, host_context, target_context
from .objects import base_sources, build_tender
from .packages import build_packages, every_package, objects_with


def _drivers(target: Target) -> list[Path]:
    """Every target-independent driver and every driver the target supplies."""
    own = sorted(target.drivers.glob("*.c")) if target.drivers is not None else []
    return sorted((RUNTIME / "drivers").rglob("*.c")) + own


def headers(folders: list[Path]) -> dict[str, Path]:
    """Every header of the include folders, by its path relative to its folder, merged
    into one folder; two headers of one name would hide each other, so that is an error."""
    found: dict[str, Path] = {}
    for folder in folders:
        for header in sorted(folder.rglob("*.h")):
            rel = header.relative_to(folder).as_posix()
            if rel in found:
                raise ConfigError(f"runtime: {header} and {found[rel]} would both install as {rel}",
                                  hint="rename one of them")
            found[rel] = header
    return found


def _flags(ctx: Any) -> list[str]:
    """The target's compiler flags a user's files need: no warnings, no build-folder
    mapping, and not the compiler's own include folder (found at use time, see the .pc)."""
    flags = ctx.subst("$CCFLAGS", raw=1).split()
    cc_include = compiler_include(ctx.subst("$CC"))
    kept = []
    for i, flag in enumerate(flags):
        if flag.startswith(("-W", "$", "-ffile-prefix-map")) or flag == cc_include:
            continue
        if flag == "-isystem" and i + 1 < len(flags) and flags[i + 1] == cc_include:
            continue
        kept.append(flag)
    return kept


def pc_text(target: Target, ctx: Any, prefix: Path) -> str:
    defines = [f"-D{d[0]}={d[1]}" if isinstance(d, tuple) else f"-D{d}" for d in ctx["CPPDEFINES"]]
    links = [f for f in ctx["LINKFLAGS"] if not f.startswith("-Wl,-T,")]
    script = target.linker_script
    name = f"mirage-runtime-{target.name}"
    lines = [
        f"# {name}: Cflags and Libs for {target.name} unikernels built by Make, Meson, ...",
        *(["# A freestanding target: add the compiler's own headers (stddef.h, stdint.h) yourself,",
           "#   CFLAGS += -isystem $(shell $(CC) -print-file-name=include)",
           "# so the compiler used today is the one asked (see docs/make.md)."] if target.freestanding else []),
        f"prefix={prefix}", "libdir=${prefix}/lib", "bindir=${prefix}/bin",
        f"includedir=${{prefix}}/include/{name}", f"target={target.name}", f"suffix={target.suffix}",
        f"freestanding={'1' if target.freestanding else '0'}",
        f"linker_script={'${libdir}/' + name + '/' + script.name if script else ''}",
        f"tender={'${bindir}/' + target.tender.name if target.tender is not None else ''}", "",
        f"Name: {name}",
        f"Description: mirage-tools C runtime, libc and drivers for {target.name} unikernels",
        f"Version: {__version__}",
        f"Cflags: {' '.join([*_flags(ctx), *defines, '-I${includedir}'])}",
        "Libs: " + " ".join([*links, *(["-Wl,-T,${linker_script}"] if script else []), "-L${libdir}",
                             "-Wl,--whole-archive", f"-l{name}", "-Wl,--no-whole-archive",
                             *(f"-l{lib}" for lib in ctx["LIBS"])])]
    return "\n".join(lines).replace("$", "$$") + "\n"  # Textfile substitutes $VAR


def runtime_package(env: Any, prefix: str) -> list[Any]:
    """Install under prefix: lib/libmirage-runtime-<target>.a, include/mirage-runtime-<target>/,
    lib/mirage-runtime-<target>/<linker script>, bin/<tender> and lib/pkgconfig/*.pc.
    Objects stay in this SCons run's own build folder (#build/<target>/)."""
    opts = variables.common(env)
    target = get_target(opts.target)
    root = Path(prefix).resolve()
    name = f"mirage-runtime-{target.name}"
    ctx = target_context(env, target, opts)
    # Third-party packages (lwIP) go into the library too, with our code built on them.
    built = build_packages(ctx, every_package())
    objs = objects_with(ctx, built, base_sources(target) + _drivers(target)) + built.objects
    lib = ctx.StaticLibrary(f"$MIRAGE_BUILD/lib/{name}", objs)
    nodes = list(ctx.Install(str(root / "lib"), lib))
    for rel, header in headers([Path(ctx.Dir(str(d)).abspath) for d in ctx["CPPPATH"]]).items():
        nodes += ctx.InstallAs(str(root / "include" / name / rel), str(header))
    if target.linker_script:
        nodes += ctx.InstallAs(str(root / "lib" / name / target.linker_script.name), str(target.linker_script))
    if target.tender is not None:
        host_context(env, target, opts)
        nodes += ctx.InstallAs(str(root / "bin" / target.tender.name), build_tender(env, target, opts))
    nodes += ctx.Textfile(str(root / "lib" / "pkgconfig" / f"{name}.pc"), [pc_text(target, ctx, root)])
    ctx.Default(nodes)
    return nodes
