"""The `Unikernel` pseudo-builder: evaluate config.py at read time, feed the generated
files to the build as Value-driven nodes, compile and link the image, add run/describe."""
from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from typing import Any

import SCons.Action
from SCons.Script import ARGUMENTS, Exit, GetOption

from ..codegen import generate
from ..describe import describe_text
from ..engine import collect_keys, resolve
from ..errors import UNKNOWN, ConfigError
from ..loader import load_config
from ..register import Registration
from ..targets import all_targets, get_target
from . import cache, variables
from .beside import describe_action, oci_layout, run_action, tar_images
from .context import target_context
from .last import Last
from .objects import build_tender, runtime_sources
from .packages import build_packages, objects_with

_contents: dict[str, bytes] = {}


def _write_generated(target: Any, source: Any, env: Any) -> int:
    """Write one generated file; the Value source is the content's digest, so an unchanged
    config.py leaves the file (and everything compiled from it) alone."""
    path = target[0].abspath
    tmp = f"{path}.tmp"
    with open(tmp, "wb") as f:
        f.write(_contents[path])
    os.replace(tmp, path)
    return 0


_GEN = SCons.Action.Action(_write_generated, "GEN $TARGET")


def _generated(ctx: Any, path: Any, content: str) -> Any:
    data = content.encode()
    _contents[path.abspath] = data
    return ctx.Command(path, ctx.Value(hashlib.sha256(data).hexdigest()), _GEN)


def _build_one(env: Any, reg: Registration, config: Any, opts: variables.Common,
               values: dict[str, object]) -> Any:
    target = get_target(opts.target)
    folder = Path(config.dir.abspath)
    plan = resolve(reg, target, values, config.path, folder)
    ctx = target_context(env, target, opts)
    build = config.dir.Dir(f"build/{target.name}")
    gen = build.Dir("gen")
    files = generate(plan, gen.path)
    for name, content in sorted(files.items()):
        _generated(ctx, gen.File(name), content)
    # config.py's folder: the headers of its own module types (typ("store") -> store.h) are found there.
    app = ctx.Clone(CPPPATH=[gen, config.dir, *ctx["CPPPATH"]])
    user_flags = [f for f in app["CCFLAGS"] if f != "-Werror"]  # the user's code: warnings, not errors
    objs = []
    for name in sorted(n for n in files if n.endswith((".c", ".s"))):  # every generated unit
        objs += app.Object(gen.File(name.rsplit(".", 1)[0] + ".o"), gen.File(name))
    for entries in plan.embedded.values():  # .incbin is invisible to SCons' scanners
        for f in entries:
            app.Depends(gen.File(f.unit[:-2] + ".o"), str(f.path))
    for src in plan.user_sources:
        rel = src.relative_to(folder) if src.is_relative_to(folder) else Path(src.name)
        objs += app.Object(build.File(rel.with_suffix(".o").as_posix()), str(src), CCFLAGS=user_flags)
    built = build_packages(ctx, plan.packages)
    objs += objects_with(ctx, built, runtime_sources(target, plan))
    image = app.Program(build.File(target.image_name(plan.name)), objs + built.libs)[0]
    if target.linker_script:
        app.Depends(image, str(target.linker_script))
    tender = build_tender(env, target, opts) if target.tender else None
    images = tar_images(app, plan, config.dir)
    run = env.Alias("run", [image, *images, *([tender] if tender is not None else [])],
                    run_action(plan, image, tender, opts))
    env.AlwaysBuild(run)
    if opts.oci:
        oci_layout(app, plan, image, build, images, opts)
    describe = env.Alias("describe", [], describe_action(describe_text(plan)))
    env.AlwaysBuild(describe)
    return image


def _without_missing(env: Any, nodes: list[Any]) -> list[Any]:
    """`scons -h` and `scons -c` work without a config.py: help lists the common variables,
    clean removes the build folder that is there. Any other build needs every config."""
    if not (GetOption("help") or GetOption("clean")):
        return nodes
    for node in (n for n in nodes if not os.path.isfile(n.abspath)):
        if GetOption("clean"):
            env.Clean(".", node.dir.Dir("build"))
        else:
            env.Help(f"(no {node.path} here: its configure keys are not listed)\n", append=True, local_only=True)
    return [n for n in nodes if os.path.isfile(n.abspath)]


def _clean_all(env: Any, nodes: list[Any]) -> list[Any]:
    """`scons -c target=all`: every target's build folder of each unikernel (build/last.conf,
    the remembered configuration, stays)."""
    for node in nodes:
        for name in all_targets():
            env.Clean(".", node.dir.Dir(f"build/{name}"))
    return []


def unikernel(env: Any, configs: Any = "config.py") -> list[Any]:
    """env.Unikernel("config.py") (or a list of them): build each unikernel for the target
    chosen with `scons target=...`; returns the image nodes."""
    nodes = [env.File(c) for c in env.Flatten([configs])]
    loaded = []
    try:
        last = Last.load(Path(env.Dir("#build").abspath) / "last.conf")
        if ARGUMENTS.get("target") == "all" and GetOption("clean"):
            return _clean_all(env, nodes)
        opts = variables.common(env, last.arguments(ARGUMENTS, ()))
        nodes = _without_missing(env, nodes)
        if opts.cache:
            cache.enable(env, opts.cache, opts.cache_size)
        regs = [(node, load_config(Path(node.abspath), node.path)) for node in nodes]
        names = {key.name for _, reg in regs for key in collect_keys(reg)} - {"target"}
        arguments = last.arguments(ARGUMENTS, names)
        for node, reg in regs:
            loaded.append((node, reg, variables.key_values(env, collect_keys(reg), arguments)))
        variables.warn_unknown()
        if not GetOption("help"):
            last.announce(os.path.relpath(last.path, env.Dir("#").abspath))
        if not (GetOption("help") or GetOption("clean")):
            last.save(opts.target, ARGUMENTS, names)
        return [_build_one(env, reg, node, opts, values) for node, reg, values in loaded]
    except ConfigError as e:
        sys.stderr.write(("scons: " if e.location is UNKNOWN else "") + e.render() + "\n")
        Exit(2)
        raise AssertionError("unreachable") from None
