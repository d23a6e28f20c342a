"""Target descriptors: one folder per target under targets/, each with a target.py that
holds plain data (flags, sources, suffix) and a run() function. Adding a target means
adding a folder."""
from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from .cmdline import solo5_cmdline
from .errors import ConfigError
from .paths import TARGETS

RunFn = Callable[..., list[str]]


@dataclass(frozen=True)
class Tender:
    """A host program that boots the target's images (built in the host context)."""

    name: str
    sources: tuple[str, ...]       # globs relative to the target folder
    include: tuple[str, ...] = ()  # include dirs relative to the target folder
    packages: tuple[str, ...] = () # pkg-config packages it links against


@dataclass(frozen=True)
class Target:
    name: str
    doc: str
    folder: Path
    solo5: bool = False            # image speaks the Solo5 ABI (manifest, tender)
    suffix: str = ""               # image file suffix (".spt"); "" for unix
    freestanding: bool = False     # our libc instead of the host's
    drivers: str = "unix"          # driver family: {drivers} in a device's sources
    urunc_hypervisor: str = ""     # urunc's name for the monitor (oci=1), "" if urunc cannot run it
    cflags: tuple[str, ...] = ()
    cppdefines: tuple[str, ...] = ()
    linkflags: tuple[str, ...] = ()
    libs: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()  # platform bindings, relative to folder (globs allowed)
    include: tuple[str, ...] = ()  # include dirs, relative to folder
    linker_script: str = ""        # relative to folder; freestanding images only
    tender: Tender | None = None
    run: RunFn | None = None       # run(image, args, tender, devices) -> command line
    status: Callable[[int], int] | None = None  # the guest's exit status from the command's

    def image_name(self, app: str) -> str:
        return app + self.suffix


def tender_command(image: str, args: list[str], tender: str, devices: list[tuple[str, str, str]]) -> list[str]:
    """How a Solo5 tender boots an image: `TENDER --block:NAME=FILE --net:NAME=TAP IMAGE CMDLINE`
    (the same command line for ours and Solo5's; spt and hvt descriptors use it as `run`).
    The tender joins its ARGS with spaces, so `args` go as one quoted command line."""
    attach = [f"--{kind}:{name}={host}" for kind, name, host in devices]
    return [tender, *attach, image, *([solo5_cmdline(args)] if args else [])]


def _load(folder: Path) -> Target:
    spec = importlib.util.spec_from_file_location(f"mirage_target_{folder.name}", folder / "target.py")
    assert spec is not None and spec.loader is not None
    module: ModuleType = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    attrs: dict[str, Any] = {}
    for field in Target.__dataclass_fields__:
        if field in ("name", "folder") or not hasattr(module, field):
            continue
        value = getattr(module, field)
        if field == "tender" and isinstance(value, dict):
            fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in value.items()}
            value = Tender(**fields)
        attrs[field] = tuple(value) if isinstance(value, (list, tuple)) else value
    doc = (module.__doc__ or "").strip().splitlines()
    attrs["doc"] = doc[0] if doc else folder.name
    return Target(name=folder.name, folder=folder, **attrs)


@cache
def all_targets() -> dict[str, Target]:
    folders = sorted(p.parent for p in TARGETS.glob("*/target.py"))
    return {f.name: _load(f) for f in folders}


def target_names() -> Sequence[str]:
    return tuple(all_targets())


def get_target(name: str) -> Target:
    targets = all_targets()
    if name not in targets:
        raise ConfigError(f"unknown target {name!r}", hint=f"choose one of: {', '.join(targets)}")
    return targets[name]
