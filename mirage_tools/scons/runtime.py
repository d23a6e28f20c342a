"""`mirage-tools runtime`: the runtime of one target as a static library, its tender, and a
pkg-config file, so a Make or Meson project can build unikernels against it."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import __version__
from ..paths import RUNTIME
from ..targets import Target, get_target
from . import variables
from .context import host_context, target_context
from .objects import base_sources, build_tender, object_of


def _drivers(target: Target) -> list[Path]:
    """Every target-independent driver and every driver the target supplies."""
    own = sorted(target.drivers.glob("*.c")) if target.drivers is not None else []
    return sorted((RUNTIME / "drivers").rglob("*.c")) + own


def _pc(target: Target, ctx: Any, prefix: Path, tender: Any) -> str:
    cflags = [f for f in ctx.subst("$CCFLAGS", raw=1).split()
              if not f.startswith(("-W", "$", "-ffile-prefix-map"))]
    defines = [f"-D{d[0]}={d[1]}" if isinstance(d, tuple) else f"-D{d}" for d in ctx["CPPDEFINES"]]
    includes = [f"-I{ctx.Dir(d).abspath if hasattr(d, 'abspath') else d}" for d in ctx["CPPPATH"]]
    links = [f for f in ctx["LINKFLAGS"] if not f.startswith("-Wl,-T,")]
    script = target.linker_script
    lines = [f"prefix={prefix}", "libdir=${prefix}/lib", "bindir=${prefix}/bin", f"target={target.name}",
             f"suffix={target.suffix}", f"linker_script={script or ''}",
             f"tender={'${bindir}/' + target.tender.name if target.tender is not None else ''}", "",
             f"Name: mirage-runtime-{target.name}",
             f"Description: mirage-tools C runtime, libc and drivers for {target.name} unikernels",
             f"Version: {__version__}",
             f"Cflags: {' '.join([*cflags, *defines, *includes])}",
             "Libs: " + " ".join([*links, *(["-Wl,-T,${linker_script}"] if script else []), "-L${libdir}",
                                  "-Wl,--whole-archive", f"-lmirage-runtime-{target.name}", "-Wl,--no-whole-archive",
                                  *(f"-l{lib}" for lib in ctx["LIBS"])])]
    return "\n".join(lines).replace("$", "$$") + "\n"  # Textfile substitutes $VAR


def runtime_package(env: Any, prefix: str) -> list[Any]:
    """Build lib/libmirage-runtime-<target>.a, bin/<tender> and lib/pkgconfig/*.pc under prefix."""
    opts = variables.common(env)
    target = get_target(opts.target)
    root = Path(prefix).resolve()
    ctx = target_context(env, target, opts)
    objs = [object_of(ctx, p) for p in base_sources(target) + _drivers(target)]
    lib = ctx.StaticLibrary(str(root / "lib" / f"mirage-runtime-{target.name}"), objs)
    nodes = list(lib)
    tender = None
    if target.tender is not None:
        host_context(env, target, opts)
        tender = build_tender(env, target, opts)
        nodes += ctx.InstallAs(str(root / "bin" / target.tender.name), tender)
    pc = ctx.Textfile(str(root / "lib" / "pkgconfig" / f"mirage-runtime-{target.name}.pc"),
                      [_pc(target, ctx, root, tender)])
    nodes += pc
    ctx.Default(nodes)
    return nodes
