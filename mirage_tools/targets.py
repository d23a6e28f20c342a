"""Target descriptors: one folder per target under targets/, each with a target.py of plain
data (flags, sources, suffix) and a run() function. Targets of one platform family (spt,
hvt and virtio are Solo5's) name it with `family = "solo5"`: targets/solo5/family.py holds
what they share, and each target.py states only its differences. Paths in a descriptor are
relative to the file that names them. Adding a target means adding a folder."""
from __future__ import annotations

import glob
import importlib.util
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import FunctionType, ModuleType
from typing import Any

from .cmdline import solo5_cmdline
from .errors import ConfigError
from .paths import TARGETS

RunFn = Callable[..., list[str]]


@dataclass(frozen=True)
class RunOptions:
    """What `scons run` adds to a target's command: guest memory in MiB (None: the
    target's default), taps by network device name ("" for the only one), and extra
    tender arguments."""
    mem_mib: int | None = None
    taps: Mapping[str, str] = field(default_factory=dict)
    tender_args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tender:
    """A host program that boots the target's images (built in the host context)."""

    name: str
    sources: tuple[str, ...] = ()  # absolute glob patterns
    include: tuple[str, ...] = ()  # absolute folders
    packages: tuple[str, ...] = ()  # pkg-config packages it links against


@dataclass(frozen=True)
class Target:
    name: str
    doc: str
    folder: Path
    family: str = ""               # the family folder whose family.py this target extends
    solo5: bool = False            # image speaks the Solo5 ABI (manifest, tender)
    suffix: str = ""               # image file suffix (".spt"); "" for unix
    freestanding: bool = False     # our libc instead of the host's
    drivers: Path | None = None    # the folder of this target's drivers (<name>.c each)
    urunc_hypervisor: str = ""     # urunc's name for the monitor (oci=1), "" if urunc cannot run it
    cflags: tuple[str, ...] = ()
    cppdefines: tuple[str, ...] = ()
    linkflags: tuple[str, ...] = ()
    libs: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()  # platform bindings: absolute glob patterns
    include: tuple[str, ...] = ()  # absolute folders
    linker_script: Path | None = None  # freestanding images only
    tender: Tender | None = None
    run: RunFn | None = None       # run(image, args, tender, devices, options) -> command line
    status: Callable[[int], int] | None = None  # the guest's exit status from the command's
    driver_names: tuple[str, ...] = field(default=(), compare=False)

    def image_name(self, app: str) -> str:
        return app + self.suffix

    def command(self, image: str, args: Sequence[str], tender: str | None,
                devices: Sequence[tuple[str, str, str]], options: RunOptions | None = None) -> list[str]:
        """The command that boots `image` the way `scons run` does: boot arguments `args`,
        devices (kind, manifest name, host file or tap) attached, `options` applied."""
        assert self.run is not None
        return self.run(image, list(args), tender, list(devices), options or RunOptions())

    def driver(self, name: str) -> Path | None:
        """The source of this target's implementation `name` (drivers/<name>.c), or None."""
        path = self.drivers / f"{name}.c" if self.drivers is not None else None
        return path if path is not None and path.is_file() else None


def tender_command(image: str, args: list[str], tender: str, devices: list[tuple[str, str, str]],
                   options: RunOptions) -> list[str]:
    """How a Solo5 tender boots an image: `TENDER --mem=MiB --block:NAME=FILE --net:NAME=TAP
    [TENDER_ARGS] IMAGE CMDLINE` (the same command line for ours and Solo5's; the Solo5 family
    uses it as `run`).
    The tender joins its ARGS with spaces, so `args` go as one quoted command line.
    ("block-sync", NAME, "") becomes our tenders' flag --block-sync:NAME."""
    attach = [f"--{kind}:{name}={host}" if host else f"--{kind}:{name}" for kind, name, host in devices]
    mem = [f"--mem={options.mem_mib}"] if options.mem_mib is not None else []
    return [tender, *mem, *attach, *options.tender_args, image, *([solo5_cmdline(args)] if args else [])]


# What a descriptor may set, and how: "paths" and "path" are resolved against the
# descriptor's folder, "list" fields add to the family's, the rest replace it.
_FIELDS: dict[str, str] = {
    "family": "str", "solo5": "bool", "suffix": "str", "freestanding": "bool", "drivers": "path",
    "urunc_hypervisor": "str", "cflags": "list", "cppdefines": "list", "linkflags": "list", "libs": "list",
    "sources": "paths", "family_sources": "family paths", "include": "paths", "linker_script": "path",
    "tender": "tender", "run": "fn", "status": "fn",
}
_TENDER_FIELDS = {"name": "str", "sources": "paths", "include": "paths", "packages": "list"}


def _fail(path: Path, message: str, hint: str = "") -> ConfigError:
    return ConfigError(f"target descriptor {path}: {message}", hint=hint)


def _value(path: Path, name: str, kind: str, value: object, family: Path | None) -> object:
    folder = path.parent
    if kind == "family paths":
        if family is None:
            raise _fail(path, f"{name} needs a family")
        folder, kind = family, "paths"
    if kind in ("list", "paths"):
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise _fail(path, f"{name} must be a list of strings, not {value!r}")
        return tuple(str(folder / v) if kind == "paths" else v for v in value)
    if kind == "path":
        if not isinstance(value, str):
            raise _fail(path, f"{name} must be a path (a string), not {value!r}")
        return (folder / value).resolve()
    if kind == "fn":
        if not callable(value):
            raise _fail(path, f"{name} must be a function")
        return value
    expected = {"str": str, "bool": bool}[kind]
    if not isinstance(value, expected):
        raise _fail(path, f"{name} must be a {expected.__name__}, not {value!r}")
    return value


def _read(path: Path) -> tuple[str, dict[str, Any]]:
    """The docstring and the fields a descriptor file sets (checked, paths resolved;
    family_sources against the folder of the family it names)."""
    spec = importlib.util.spec_from_file_location(f"mirage_target_{path.parent.name}_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module: ModuleType = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fields: dict[str, Any] = {}
    family_name = vars(module).get("family")
    family = TARGETS / family_name if isinstance(family_name, str) else None
    for name, value in vars(module).items():
        if name.startswith("_") or isinstance(value, ModuleType) or name == "annotations":
            continue
        if isinstance(value, FunctionType) and value.__module__ == module.__name__ and name not in _FIELDS:
            continue  # a helper of its own, like a private one
        if name not in _FIELDS:
            raise _fail(path, f"unknown field {name!r}", f"known fields: {', '.join(sorted(_FIELDS))}")
        if _FIELDS[name] == "tender":
            if not isinstance(value, dict):
                raise _fail(path, f"tender must be a dict, not {value!r}")
            unknown = sorted(set(value) - set(_TENDER_FIELDS))
            if unknown:
                raise _fail(path, f"unknown tender field {unknown[0]!r}",
                            f"known tender fields: {', '.join(sorted(_TENDER_FIELDS))}")
            fields[name] = {k: _value(path, f"tender {k}", _TENDER_FIELDS[k], v, family) for k, v in value.items()}
        else:
            fields[name] = _value(path, name, _FIELDS[name], value, family)
    return (module.__doc__ or "").strip(), fields


def _merge(base: dict[str, Any], own: dict[str, Any], kinds: dict[str, str]) -> dict[str, Any]:
    merged = dict(base)
    for name, value in own.items():
        if name == "tender" and isinstance(base.get(name), dict):
            merged[name] = _merge(base[name], value, _TENDER_FIELDS)
        elif kinds.get(name) in ("list", "paths", "family paths") and name in base:
            merged[name] = (*base[name], *value)
        else:
            merged[name] = value
    return merged


def _load(folder: Path) -> Target:
    path = folder / "target.py"
    doc, fields = _read(path)
    family = fields.get("family")
    if family is not None:
        family_file = TARGETS / str(family) / "family.py"
        if not family_file.is_file():
            raise _fail(path, f"family {family!r} has no {family_file}")
        _, shared = _read(family_file)
        if "tender" not in fields:
            shared.pop("tender", None)  # the family's tender parts serve targets that have one
        fields = _merge(shared, fields, _FIELDS)
    if not doc:
        raise _fail(path, "no docstring", "its first line is what `scons target=list` shows")
    if "run" not in fields:
        raise _fail(path, "no run function", "run(image, args, tender, devices) returns the command line")
    if fields.get("freestanding") and "linker_script" not in fields:
        raise _fail(path, "a freestanding target needs a linker_script")
    fields["sources"] = (*fields.get("sources", ()), *fields.pop("family_sources", ()))
    tender = fields.pop("tender", None)
    if tender is not None:
        if "name" not in tender:
            raise _fail(path, "the tender has no name")
        fields["tender"] = Tender(**tender)
    drivers = fields.get("drivers")
    names = tuple(sorted(p.stem for p in drivers.glob("*.c"))) if isinstance(drivers, Path) else ()
    return Target(name=folder.name, doc=doc.splitlines()[0], folder=folder, driver_names=names, **fields)


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


def expand(patterns: Sequence[str]) -> list[Path]:
    """Sorted real paths of a descriptor's source globs; a glob that matches nothing is an error."""
    found: list[Path] = []
    for pattern in patterns:
        matches = sorted(Path(p).resolve() for p in glob.glob(pattern))
        if not matches:
            raise ConfigError(f"no target source matches {pattern}")
        found += [m for m in matches if m not in found]
    return found


def targets_with_driver(name: str) -> list[str]:
    """The targets that supply the implementation `name`."""
    return [t.name for t in all_targets().values() if name in t.driver_names]
