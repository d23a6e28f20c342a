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
from ..oci import UnikernelImage, write_layout
from ..paths import RUNTIME, TARGETS
from ..register import Registration
from ..tarball import files_below, tar_bytes
from ..targets import Target, get_target
from . import cache, variables
from .context import host_context, target_context

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




_objects: dict[str, Any] = {}
_tenders: dict[tuple[int, str], Any] = {}


def object_for(ctx: Any, obj: str, src: Path) -> Any:
    """One object per path for the whole run, whichever unikernel asks first."""
    if obj not in _objects:
        _objects[obj] = ctx.Object(target=obj, source=str(src))
    return _objects[obj]


def expand(folder: Path, patterns: tuple[str, ...]) -> list[Path]:
    """Source globs of a target descriptor, relative to its folder, as sorted real paths."""
    found: list[Path] = []
    for pattern in patterns:
        matches = sorted(p.resolve() for p in folder.glob(pattern))
        if not matches:
            raise ConfigError(f"target {folder.name}: no source matches {pattern!r} in {folder}")
        found += [m for m in matches if m not in found]
    return found


def _runtime_objects(ctx: Any, target: Target, plan: Plan) -> list[Any]:
    build = ctx.subst("$MIRAGE_BUILD")
    parts = ["core", "libc"] if target.freestanding else ["core"]
    runtime = [p for part in parts for p in sorted((RUNTIME / part).glob("*.c"))]
    runtime += [RUNTIME / rel for rel in plan.runtime_sources]
    objs = [object_for(ctx, f"{build}/runtime_c/{stem(p, RUNTIME)}.o", p) for p in runtime]
    objs += [object_for(ctx, f"{build}/targets/{stem(p, TARGETS)}.o", p) for p in expand(target.folder, target.sources)]
    return objs


def stem(path: Path, root: Path) -> str:
    return path.relative_to(root).with_suffix("").as_posix()


def build_tender(env: Any, target: Target, opts: variables.Common) -> Any:
    """The target's tender, built once per project in the host context."""
    assert target.tender is not None
    key = (id(env), target.name)
    if key not in _tenders:
        host = host_context(env, target, opts)
        build = host.subst("$MIRAGE_BUILD")
        objs = [object_for(host, f"{build}/tender/{stem(p, TARGETS)}.o", p)
                for p in expand(target.folder, target.tender.sources)]
        _tenders[key] = host.Program(f"{build}/tender/{target.tender.name}", objs)[0]
    return _tenders[key]


def _tar_action(target: Any, source: Any, env: Any) -> int:
    data = tar_bytes(Path(env["MIRAGE_TAR_FOLDER"]))
    path = target[0].abspath
    with open(f"{path}.tmp", "wb") as f:
        f.write(data)
    os.replace(f"{path}.tmp", path)
    return 0


def _tar_images(app: Any, plan: Plan, config_dir: Any) -> list[Any]:
    """Block images the build packs from folders (archive_of_files); the same bytes on
    every target, at their host path relative to config.py's folder."""
    nodes = []
    for dev in plan.manifest:
        if dev.tar_of:
            packed = plan.folder / dev.tar_of
            if not packed.is_dir():
                raise ConfigError(f"block device {dev.name!r}: {packed} is not a folder")
            nodes += app.Command(config_dir.File(dev.host), [str(p) for p in files_below(packed)],
                                 SCons.Action.Action(_tar_action, "TAR $TARGET"), MIRAGE_TAR_FOLDER=str(packed))
    return nodes


def _oci(app: Any, plan: Plan, image: Any, build: Any, images: list[Any], opts: variables.Common) -> None:
    """oci=1: an OCI image layout for urunc beside the image."""
    if not plan.target.urunc_hypervisor:
        raise ConfigError(f"oci=1: urunc cannot run {plan.target.name} images",
                          hint="build for target=hvt, spt or virtio")
    block = images[0] if images else None

    def write(target: Any, source: Any, env: Any) -> int:
        unikernel = UnikernelImage(Path(image.abspath), plan.target.urunc_hypervisor, opts.args,
                                   Path(block.abspath) if block is not None else None)
        write_layout(unikernel, Path(target[0].abspath).parent)
        return 0

    layout = app.Command(build.File("oci/index.json"), [image, *images[:1]],
                         SCons.Action.Action(write, "OCI $TARGET"))
    app.Depends(layout, app.Value(f"{plan.target.urunc_hypervisor} {opts.args}"))


def _host_devices(plan: Plan) -> list[tuple[str, str, str]]:
    """What `run` attaches: (kind, manifest name, host file or tap). A missing block file
    with a declared size is created; an existing one is never touched."""
    devices = []
    for dev in plan.manifest:
        host = dev.host
        if dev.tar_of:
            host = str(plan.folder / dev.host)
        elif dev.kind == "block":
            path = plan.folder / dev.host
            if not path.exists():
                if dev.size <= 0:
                    raise ConfigError(f"block device {dev.name!r}: its file {path} does not exist",
                                      hint="create it (e.g. truncate -s 1M FILE) or give the device a size")
                with open(path, "xb") as f:
                    f.truncate(dev.size)
            host = str(path)
        devices.append((dev.kind, dev.name, host))
    return devices


def _run_action(plan: Plan, image: Any, tender: Any, args: str) -> Any:
    platform = plan.target

    def run(target: Any, source: Any, env: Any) -> int:
        try:
            devices = _host_devices(plan)
        except ConfigError as e:
            sys.stderr.write(e.render() + "\n")
            return 1
        tender_path = tender.abspath if tender is not None else None
        assert platform.run is not None
        cmd = platform.run(image.abspath, shlex.split(args), tender_path, devices)
        sys.stdout.flush()
        returncode = subprocess.call(cmd, cwd=plan.folder)
        return platform.status(returncode) if platform.status else returncode

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
    objs = []
    for name in sorted(n for n in files if n.endswith((".c", ".s"))):  # every generated unit
        objs += app.Object(gen.File(name.rsplit(".", 1)[0] + ".o"), gen.File(name))
    for entries in plan.embedded.values():  # .incbin is invisible to SCons' scanners
        for f in entries:
            app.Depends(gen.File(f"{f.symbol}.o"), str(f.path))
    for src in plan.user_sources:
        rel = src.relative_to(folder) if src.is_relative_to(folder) else Path(src.name)
        objs += app.Object(build.File(rel.with_suffix(".o").as_posix()), str(src), CCFLAGS=user_flags)
    objs += _runtime_objects(ctx, target, plan)
    image = app.Program(build.File(target.image_name(plan.name)), objs)[0]
    if target.linker_script:
        app.Depends(image, str(target.folder / target.linker_script))
    tender = build_tender(env, target, opts) if target.tender else None
    images = _tar_images(app, plan, config.dir)
    run = env.Alias("run", [image, *images, *([tender] if tender is not None else [])],
                    _run_action(plan, image, tender, opts.args))
    env.AlwaysBuild(run)
    if opts.oci:
        _oci(app, plan, image, build, images, opts)
    describe = env.Alias("describe", [], _describe_action(describe_text(plan)))
    env.AlwaysBuild(describe)
    return image


def unikernel(env: Any, configs: Any = "config.py") -> list[Any]:
    """env.Unikernel("config.py") (or a list of them): build each unikernel for the target
    chosen with `scons target=...`; returns the image nodes."""
    nodes = [env.File(c) for c in env.Flatten([configs])]
    loaded = []
    try:
        opts = variables.common(env)
        if opts.cache:
            cache.enable(env, opts.cache, opts.cache_size)
        for node in nodes:
            reg = load_config(Path(node.abspath), node.path)
            loaded.append((node, reg, variables.key_values(env, collect_keys(reg))))
        variables.warn_unknown()
        return [_build_one(env, reg, node, opts, values) for node, reg, values in loaded]
    except ConfigError as e:
        sys.stderr.write(e.render() + "\n")
        Exit(2)
        raise AssertionError("unreachable") from None
