"""Objects shared by every unikernel of a build: the runtime, the target's bindings and
the tender, each compiled once per target whichever unikernel asks first."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..engine import Plan
from ..errors import ConfigError
from ..paths import RUNTIME, TARGETS
from ..targets import Target
from . import variables
from .context import host_context

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


def runtime_objects(ctx: Any, target: Target, plan: Plan) -> list[Any]:
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
