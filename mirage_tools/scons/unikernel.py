"""The `Unikernel` pseudo-builder: evaluate config.py at read time, feed the generated
files to the build as Value-driven nodes, compile and link the image, add run/describe."""
from __future__ import annotations

import hashlib
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import SCons.Action
from SCons.Script import Exit

from ..codegen import generate
from ..describe import describe_text
from ..engine import Plan, collect_keys, resolve
from ..errors import ConfigError
from ..loader import load_config
from ..paths import RUNTIME
from ..register import Registration
from ..targets import Target, get_target
from . import variables
from .context import target_context

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


def _object(ctx: Any, cache: dict[str, Any], obj: str, src: str, **overrides: Any) -> Any:
    if obj not in cache:
        cache[obj] = ctx.Object(target=obj, source=src, **overrides)
    return cache[obj]


_objects: dict[str, Any] = {}


def _runtime_objects(ctx: Any, target: Target, plan: Plan) -> list[Any]:
    build = ctx.subst("$MIRAGE_BUILD")
    core = sorted(p.relative_to(RUNTIME).as_posix() for p in (RUNTIME / "core").glob("*.c"))
    objs = [_object(ctx, _objects, f"{build}/runtime_c/{rel[:-2]}.o", str(RUNTIME / rel))
            for rel in (*core, *plan.runtime_sources)]
    objs += [_object(ctx, _objects, f"{build}/targets/{target.name}/{rel.rsplit('.', 1)[0]}.o",
                     str(target.folder / rel)) for rel in target.sources]
    return objs


def _run_action(platform: Target, image: Any, args: str) -> Any:
    def run(target: Any, source: Any, env: Any) -> int:
        cmd = platform.run(image.abspath, shlex.split(args), []) if platform.run else [image.abspath]
        sys.stdout.flush()
        return subprocess.call(cmd)

    return SCons.Action.Action(run, f"RUN {image.path} {args}".rstrip())


def _describe_action(text: str) -> Any:
    def show(target: Any, source: Any, env: Any) -> int:
        sys.stdout.write(text)
        return 0

    return SCons.Action.Action(show, None)


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
    app = ctx.Clone(CPPPATH=[gen, *ctx["CPPPATH"]])
    user_flags = [f for f in app["CCFLAGS"] if f != "-Werror"]  # the user's code: warnings, not errors
    objs = [app.Object(gen.File("main.o"), gen.File("main.c"))]
    for src in plan.user_sources:
        rel = src.relative_to(folder) if src.is_relative_to(folder) else Path(src.name)
        objs += app.Object(build.File(rel.with_suffix(".o").as_posix()), str(src), CCFLAGS=user_flags)
    objs += _runtime_objects(ctx, target, plan)
    image = app.Program(build.File(target.image_name(plan.name)), objs)[0]
    run = env.Alias("run", [image], _run_action(target, image, opts.args))
    env.AlwaysBuild(run)
    describe = env.Alias("describe", [], _describe_action(describe_text(plan)))
    env.AlwaysBuild(describe)
    return image


def unikernel(env: Any, configs: Any = "config.py") -> list[Any]:
    """env.Unikernel("config.py") (or a list of them): build each unikernel for the target
    chosen with `scons target=...`; returns the image nodes."""
    opts = variables.common(env)
    nodes = [env.File(c) for c in env.Flatten([configs])]
    loaded = []
    try:
        for node in nodes:
            reg = load_config(Path(node.abspath), node.path)
            loaded.append((node, reg, variables.key_values(env, collect_keys(reg))))
        variables.warn_unknown()
        return [_build_one(env, reg, node, opts, values) for node, reg, values in loaded]
    except ConfigError as e:
        sys.stderr.write(e.render() + "\n")
        Exit(2)
        raise AssertionError("unreachable") from None
