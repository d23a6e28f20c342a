"""What goes beside the image: block images packed at build time, the OCI layout for
urunc, and the `run` and `describe` actions (devices attached the way the target boots)."""
from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import SCons.Action

from ..engine import Plan
from ..errors import ConfigError
from ..oci import UnikernelImage, write_layout
from ..tarball import files_below, tar_bytes, unstorable
from . import variables


def _tar_action(target: Any, source: Any, env: Any) -> int:
    data = tar_bytes(Path(env["MIRAGE_TAR_FOLDER"]))
    path = target[0].abspath
    with open(f"{path}.tmp", "wb") as f:
        f.write(data)
    os.replace(f"{path}.tmp", path)
    return 0


def tar_images(app: Any, plan: Plan, config_dir: Any) -> list[Any]:
    """Block images the build packs from folders (archive_of_files); the same bytes on
    every target, at their host path relative to config.py's folder."""
    nodes = []
    for dev in plan.manifest:
        if dev.tar_of:
            packed = plan.folder / dev.tar_of
            if not packed.is_dir():
                raise ConfigError(f"block device {dev.name!r}: {packed} is not a folder")
            why = unstorable(packed)
            if why:
                raise ConfigError(f"archive {dev.name!r}: {why}", hint="rename it, or use crunch")
            nodes += app.Command(config_dir.File(dev.host), [str(p) for p in files_below(packed)],
                                 SCons.Action.Action(_tar_action, "TAR $TARGET"), MIRAGE_TAR_FOLDER=str(packed))
    return nodes


def oci_layout(app: Any, plan: Plan, image: Any, build: Any, images: list[Any], opts: variables.Common) -> None:
    """oci=1: an OCI image layout for urunc beside the image."""
    if not plan.target.urunc_hypervisor:
        raise ConfigError(f"oci=1: urunc cannot run {plan.target.name} images",
                          hint="build for target=hvt, spt or virtio")
    block = images[0] if images else None

    def write(target: Any, source: Any, env: Any) -> int:
        unikernel = UnikernelImage(Path(image.abspath), plan.target.urunc_hypervisor,
                                   tuple(shlex.split(opts.args)),
                                   Path(block.abspath) if block is not None else None)
        write_layout(unikernel, Path(target[0].abspath).parent)
        return 0

    layout = app.Command(build.File("oci/index.json"), [image, *images[:1]],
                         SCons.Action.Action(write, "OCI $TARGET"))
    app.Depends(layout, app.Value(f"{plan.target.urunc_hypervisor} {opts.args}"))


def _host_devices(plan: Plan, taps: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """What `run` attaches: (kind, manifest name, host file or tap), and ("block-sync", name,
    "") after a durable block device. `taps` (tap=) replace config.py's taps. A missing block
    file with a declared size is created; an existing one is never touched."""
    nets = [dev.name for dev in plan.manifest if dev.kind == "net"]
    if taps and not nets:
        raise ConfigError("tap=: this unikernel has no network device", hint="drop tap=")
    if "" in taps and len(nets) > 1:
        raise ConfigError(f"tap={taps['']}: this unikernel has {len(nets)} network devices ({', '.join(nets)})",
                          hint="name each: tap=NAME:TAP,NAME:TAP")
    unknown = sorted(set(taps) - set(nets) - {""})
    if unknown:
        raise ConfigError(f"tap=: no network device named {unknown[0]!r}", hint=f"its network devices: "
                          f"{', '.join(nets)}")
    devices = []
    for dev in plan.manifest:
        host = dev.host
        if dev.kind == "net":
            host = taps.get(dev.name, taps.get("", host))
        elif dev.tar_of:
            host = str(plan.folder / dev.host)
        elif dev.kind == "block":
            path = plan.folder / dev.host
            if not path.exists():
                if dev.size <= 0:
                    raise ConfigError(f"block device {dev.name!r}: its file {path} does not exist",
                                      hint="create it (e.g. truncate -s 1M FILE) or give the device a size")
                _create_block_file(path, dev.size, dev.name)
            host = str(path)
        devices.append((dev.kind, dev.name, host))
        if dev.durable:
            devices.append(("block-sync", dev.name, ""))
    return devices


def _create_block_file(path: Path, size: int, name: str) -> None:
    """A sparse file of `size` bytes at `path`, whole or not at all: it is made under a
    temporary name and renamed, so a failure never leaves a short file later runs accept."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "xb") as f:
            f.truncate(size)
        os.link(tmp, path)  # fails if someone made `path` meanwhile: an existing file is never replaced
    except (OSError, OverflowError, ValueError) as e:
        why = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise ConfigError(f"block device {name!r}: cannot create {path} of {size} bytes: {why}",
                          hint="give the device a size this file system can hold, or create the file "
                               "yourself") from None
    finally:
        tmp.unlink(missing_ok=True)


HELP_STATUS = 63  # a unikernel's exit status after --help: what `run args=--help` asked for


def run_action(plan: Plan, image: Any, tender: Any, opts: variables.Common) -> Any:
    platform, args, verbose = plan.target, opts.args, opts.verbose

    def run(target: Any, source: Any, env: Any) -> int:
        try:
            boot_args = shlex.split(args)
        except ValueError as e:
            sys.stderr.write(f"scons: error: args={args}: {e}\n")
            return 1
        try:
            devices = _host_devices(plan, opts.run.taps)
            # A descriptor's run() refuses an option its target has no use for with ValueError.
            cmd = platform.command(image.abspath, boot_args, tender.abspath if tender is not None else None, devices,
                               opts.run)
        except ConfigError as e:
            sys.stderr.write(e.render() + "\n")
            return 1
        except ValueError as e:
            sys.stderr.write(f"scons: error: {e}\n")
            return 1
        line = f"(cd {shlex.quote(str(plan.folder))} && {shlex.join(cmd)})"
        if verbose:
            print(line)
        sys.stdout.flush()
        returncode = subprocess.call(cmd, cwd=plan.folder)
        status = platform.status(returncode) if platform.status else returncode
        if status == HELP_STATUS and ("--help" in boot_args or "-h" in boot_args):
            return 0
        if status != 0 and not verbose:
            sys.stderr.write(f"scons: the unikernel exited with status {status}; the command was:\n  {line}\n")
        return status

    return SCons.Action.Action(run, f"RUN {image.path} {args}".rstrip())


def describe_action(text: str) -> Any:
    def show(target: Any, source: Any, env: Any) -> int:
        sys.stdout.write(text)
        return 0

    return SCons.Action.Action(show, None)
