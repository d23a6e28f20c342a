"""Objects shared by every unikernel of a build: the runtime, the target's bindings and
the tender, each compiled once per target whichever unikernel asks first."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..engine import Plan
from ..paths import RUNTIME, TARGETS
from ..targets import Target, expand
from . import variables
from .context import host_context

_objects: dict[str, Any] = {}
_tenders: dict[tuple[int, str], Any] = {}


def object_for(ctx: Any, obj: str, src: Path) -> Any:
    """One object per path for the whole run, whichever unikernel asks first."""
    if obj not in _objects:
        _objects[obj] = ctx.Object(target=obj, source=str(src))
    return _objects[obj]


def base_sources(target: Target) -> list[Path]:
    """What every image of the target links: the formatter, the core, our libc where the
    target has no host one, and the target's bindings."""
    parts = ["format", "core", "libc"] if target.freestanding else ["format", "core"]
    return [p for part in parts for p in sorted((RUNTIME / part).glob("*.c"))] + expand(target.sources)


def object_of(ctx: Any, src: Path) -> Any:
    """The object of a runtime or target source, under the context's build folder."""
    build = ctx.subst("$MIRAGE_BUILD")
    top, root = ("runtime_c", RUNTIME) if src.is_relative_to(RUNTIME) else ("targets", TARGETS)
    return object_for(ctx, f"{build}/{top}/{stem(src, root)}.o", src)


def runtime_sources(target: Target, plan: Plan) -> list[Path]:
    """The runtime, drivers and bindings an image links."""
    return base_sources(target) + [RUNTIME / rel for rel in plan.runtime_sources] + plan.driver_sources


def stem(path: Path, root: Path) -> str:
    return path.relative_to(root).with_suffix("").as_posix()


def build_tender(env: Any, target: Target, opts: variables.Common) -> Any:
    """The target's tender, built once per project in the host context."""
    assert target.tender is not None
    key = (id(env), target.name)
    if key not in _tenders:
        host = host_context(env, target, opts)
        build = host.subst("$MIRAGE_BUILD")
        objs = [object_for(host, f"{build}/tender/{stem(p, TARGETS)}.o", p) for p in expand(target.tender.sources)]
        _tenders[key] = host.Program(f"{build}/tender/{target.tender.name}", objs)[0]
    return _tenders[key]
