"""Third-party C packages (third_party/<name>/build.py): fetched as pinned sources, built per
target as a static library with their own warning flags, linked into images whose device
graph needs them. Our code built on a package (its `port` folder) sees its headers."""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..impl import Package
from ..paths import RUNTIME, THIRD_PARTY
from ..sources import path as source_path
from .context import WARNINGS
from .objects import object_for, object_of


@dataclass(frozen=True)
class Recipe:
    name: str
    sources: tuple[str, ...]
    include: tuple[str, ...]
    port: Path
    warnings: tuple[str, ...]


@cache
def recipe(name: str) -> Recipe | None:
    """third_party/<name>/build.py, or None for a package with no C to build (e.g. a
    package a user names for information only)."""
    file = THIRD_PARTY / name / "build.py"
    if not file.is_file():
        return None
    spec = importlib.util.spec_from_file_location(f"mirage_recipe_{name}", file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    try:
        return Recipe(name, tuple(module.sources), tuple(module.include), RUNTIME.parent / module.port,
                      tuple(module.warnings))
    except AttributeError as e:
        raise ConfigError(f"{file}: {e}", hint="a recipe sets sources, include, port and warnings") from None


def _own_flags(ctx: Any, r: Recipe) -> list[str]:
    return [f for f in ctx["CCFLAGS"] if f not in WARNINGS and f != "-Werror"] + list(r.warnings)


@dataclass
class Built:
    """The packages of one image: include folders for our port code, libraries to link
    (and their objects, for a runtime library that holds them)."""
    include: list[str]
    libs: list[Any]
    ports: list[Path]
    objects: list[Any]


def every_package() -> list[Package]:
    """Every package with a recipe (what `mirage-tools runtime` installs)."""
    return [Package(d.name) for d in sorted(THIRD_PARTY.iterdir()) if (d / "build.py").is_file()]


_libs: dict[tuple[str, str], tuple[Any, list[Any]]] = {}


def build_packages(ctx: Any, packages: list[Package]) -> Built:
    out = Built([], [], [], [])
    for pkg in packages:
        r = recipe(pkg.name)
        if r is None:
            continue
        top = source_path(pkg.name)
        include = [str(top / i) for i in r.include] + [str(r.port / "include")]
        out.include += include
        out.ports.append(r.port)
        key = (ctx.subst("$MIRAGE_BUILD"), pkg.name)
        if key not in _libs:
            lib_ctx = ctx.Clone(CCFLAGS=_own_flags(ctx, r))
            lib_ctx.Prepend(CPPPATH=include)
            build = f"{ctx.subst('$MIRAGE_BUILD')}/third_party/{pkg.name}"
            objs = [object_for(lib_ctx, f"{build}/{src.relative_to(top).with_suffix('').as_posix()}.o", src)
                    for pattern in r.sources for src in sorted(top.glob(pattern))]
            if not objs:
                raise ConfigError(f"package {pkg.name}: no sources match {', '.join(r.sources)} in {top}",
                                  hint=f"mirage-tools sources verify {pkg.name}")
            _libs[key] = (lib_ctx.StaticLibrary(f"{build}/lib{pkg.name}", objs)[0], objs)
        lib, objs = _libs[key]
        out.libs.append(lib)
        out.objects += objs
    return out


def objects_with(ctx: Any, built: Built, sources: list[Path]) -> list[Any]:
    """Objects of runtime and target sources; those below a package's port folder compile
    with the package's headers."""
    port_ctx = ctx.Clone()
    port_ctx.Prepend(CPPPATH=built.include)
    return [object_of(port_ctx if any(p.is_relative_to(port) for port in built.ports) else ctx, p) for p in sources]
