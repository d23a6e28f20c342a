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
from .objects import build_tender, expand, object_for, stem


def _family_drivers(target: Target) -> list[Path]:
    """Every driver of the target's family: foo_unix.c only on unix, foo_solo5.c only on Solo5."""
    others = {"unix", "solo5"} - {target.drivers}
    return [p for p in sorted((RUNTIME / "drivers").rglob("*.c"))
            if not any(p.stem.endswith(f"_{o}") for o in others)]


def _pc(target: Target, ctx: Any, prefix: Path, tender: Any) -> str:
    cflags = [f for f in ctx.subst("$CCFLAGS", raw=1).split()
              if not f.startswith(("-W", "$", "-ffile-prefix-map"))]
    defines = [f"-D{d}" for d in ctx["CPPDEFINES"]]
    includes = [f"-I{ctx.Dir(d).abspath if hasattr(d, 'abspath') else d}" for d in ctx["CPPPATH"]]
    links = [f for f in ctx["LINKFLAGS"] if not f.startswith("-Wl,-T,")]
    script = target.folder / target.linker_script if target.linker_script else None
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
    parts = ["core", "libc"] if target.freestanding else ["core"]
    sources = [p for part in parts for p in sorted((RUNTIME / part).glob("*.c"))] + _family_drivers(target)
    objs = [object_for(ctx, f"{ctx.subst('$MIRAGE_BUILD')}/runtime_c/{stem(p, RUNTIME)}.o", p) for p in sources]
    objs += [object_for(ctx, f"{ctx.subst('$MIRAGE_BUILD')}/targets/{stem(p, target.folder.parent)}.o", p)
             for p in expand(target.folder, target.sources)]
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
