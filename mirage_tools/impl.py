"""Implementations: devices, functor application, conditionals. Immutable values. A device
is equal only to itself (each constructor call makes one); applications and conditionals are
equal when their parts are, so the engine shares an application made twice."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .cargs import BootArg, CArg, CLiteral, Embedded
from .errors import ConfigError, Location, caller_location, describe_value
from .key import Key, RuntimeArg, Value
from .typ import AnyTyp, FunctorTyp, Typ, check_typ, job

_C_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Package:
    """A third-party dependency (name and optional version bounds)."""

    name: str
    min: str | None = None
    max: str | None = None

    def __str__(self) -> str:
        bounds = [f">={self.min}" if self.min else "", f"<{self.max}" if self.max else ""]
        return self.name + "".join(b for b in bounds if b)


_PACKAGE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_+.-]*$")  # opam's package names
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_+.~-]*$")


def package(name: str, min: str | None = None, max: str | None = None) -> Package:  # noqa: A002
    """A package the unikernel needs, with optional bounds: version >= min and < max.
    Bounds on one package from several devices are merged (the tightest of each)."""
    loc = caller_location()
    if not isinstance(name, str) or not _PACKAGE.match(name):
        raise ConfigError(f"invalid package name {name!r}", loc,
                          "letters, digits, '_', '+', '.' and '-', starting with a letter or digit")
    for bound in (min, max):
        if bound is not None and (not isinstance(bound, str) or not _VERSION.match(bound)):
            raise ConfigError(f"package {name!r}: invalid version {bound!r}", loc, 'e.g. min="2.1.3"')
    if min is not None and max is not None and version_key(min) >= version_key(max):
        raise ConfigError(f"package {name!r}: no version is >= {min} and < {max}", loc)
    return Package(name, min, max)


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Orders versions as opam and Debian do: digit runs by value, other runs by text."""
    runs = re.findall(r"\d+|[^\d]+", version)
    return tuple((0, int(r)) if r.isdigit() else (1, r) for r in runs)


@dataclass(frozen=True)
class HostDevice:
    """A platform device an implementation needs: a Solo5 manifest entry on Solo5 targets,
    and what `run` attaches to it. `host` is a file (block, relative to config.py's folder)
    or a tap interface (net); `size` > 0 lets `run` create a missing block file of that
    many bytes (an existing one is never touched); `tar_of` names a folder (relative to
    config.py) that the build packs into the block file `host` (a tar image, rebuilt when
    a file in it changes, e.g. "build/data.tar"). `durable` (block) makes `run` ask our
    Solo5 tenders to sync every write (--block-sync:NAME)."""

    kind: str  # "block" or "net"
    name: str
    host: str
    size: int = 0
    tar_of: str = ""
    durable: bool = False


class Impl:
    """Base class of every implementation. Subclasses define `typ` and `ident()`."""

    typ: AnyTyp
    location: Location

    def ident(self) -> tuple[object, ...]:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Impl) and type(self) is type(other) and self.ident() == other.ident()

    def __hash__(self) -> int:
        # Cached: a deep graph hashes each object once (bottom-up, as it is built), never
        # by a recursion through the whole graph.
        cached: int | None = self.__dict__.get("_hash")
        if cached is None:
            cached = hash(self.ident())
            object.__setattr__(self, "_hash", cached)
        return cached

    def __call__(self, *args: Impl) -> Impl:
        """Functor application: `m(a, b)` is Functoria's `m $ a $ b`."""
        loc = caller_location()
        if not isinstance(self.typ, FunctorTyp):
            raise ConfigError(f"{self.label()} has module type {self.typ} and is not a functor; "
                              f"it cannot be applied to {len(args)} argument(s)", loc)
        params = self.typ.params
        if len(args) > len(params):
            raise ConfigError(f"too many arguments: {self.label()} : {self.typ} takes {len(params)}, "
                              f"given {len(args)}", loc)
        for i, (arg, param) in enumerate(zip(args, params, strict=False), 1):
            if not isinstance(arg, Impl):
                raise ConfigError(f"argument {i} of {self.label()} must be a device of module type "
                                  f"{param}, not {type(arg).__name__} {arg!r}", loc)
            if arg.typ != param:
                raise ConfigError(f"argument {i} of {self.label()} has the wrong module type: "
                                  f"expected {param}, got {arg.label()} : {arg.typ}", loc)
        rest = params[len(args):]
        result: AnyTyp = FunctorTyp(rest, self.typ.result) if rest else self.typ.result
        base, prior = (self.func, self.args) if isinstance(self, App) else (self, ())
        return App(base, (*prior, *args), result, loc)

    def label(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True, eq=False)
class Device(Impl):
    """A concrete implementation: a C module with a connect (or, for jobs, a start) function.

    `connect` is the C function called as `connect(&self, &arg1, ..., c_args...)`; for a
    job it is `<name>_start(&arg1, ...)`; c_args are connect arguments (cargs.CArg).
    `sources` are C files (relative to runtime_c/ for catalog devices, to config.py's
    folder for user devices); `drivers` name implementations each target supplies from
    its drivers folder (a target without one cannot build the device)."""

    name: str
    typ: AnyTyp
    connect: str | None = None
    c_args: tuple[CArg, ...] = ()
    sources: tuple[str, ...] = ()
    drivers: tuple[str, ...] = ()
    headers: tuple[str, ...] = ()
    keys: tuple[Key, ...] = ()
    runtime_args: tuple[RuntimeArg, ...] = ()
    packages: tuple[Package, ...] = ()
    extra_deps: tuple[Impl, ...] = ()
    manifest: tuple[HostDevice, ...] = ()
    user: bool = False  # sources relative to config.py; prototypes generated
    doc: str = ""
    location: Location = field(default_factory=caller_location)

    # Functoria's rule: a device made by a constructor call is a device of its own (two
    # kv_rw_mem() are two stores, two impl("x", ...) two jobs), equal only to itself; a
    # catalog constant (default_console) is one value, shared wherever it is used. Only
    # applications are shared structurally: the same device applied to the same arguments.
    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    def label(self) -> str:
        return self.name

    @property
    def result_typ(self) -> Typ:
        return self.typ.result if isinstance(self.typ, FunctorTyp) else self.typ

    @property
    def boot_args(self) -> tuple[RuntimeArg, ...]:
        """The boot arguments it declares: its runtime_args and those its connect receives."""
        passed = tuple(a.arg for a in self.c_args if isinstance(a, BootArg))
        return (*self.runtime_args, *(a for a in passed if a not in self.runtime_args))

    @property
    def embeds(self) -> tuple[str, ...]:
        """Folders embedded in the image for its connect."""
        return tuple(a.folder for a in self.c_args if isinstance(a, Embedded))


@dataclass(frozen=True, eq=False)
class App(Impl):
    """A functor applied to arguments (possibly partially)."""

    func: Impl
    args: tuple[Impl, ...]
    typ: AnyTyp
    location: Location

    def __post_init__(self) -> None:
        hash(self)  # its parts are hashed already: O(1) here, never a deep recursion later

    def ident(self) -> tuple[object, ...]:
        return ("app", self.func, self.args)

    def label(self, depth: int = 3) -> str:
        if depth <= 0:
            return "..."
        return f"{_label(self.func, depth - 1)}({', '.join(_label(a, depth - 1) for a in self.args)})"


def _label(impl: Impl, depth: int) -> str:
    return impl.label(depth) if isinstance(impl, App) else impl.label()


@dataclass(frozen=True, eq=False)
class If(Impl):
    cond: Value
    then: Impl
    otherwise: Impl
    typ: AnyTyp
    location: Location

    def ident(self) -> tuple[object, ...]:
        return ("if", id(self.cond), self.then, self.otherwise)

    def label(self) -> str:
        return f"if {self.cond} then {self.then.label()} else {self.otherwise.label()}"


@dataclass(frozen=True, eq=False)
class Match(Impl):
    value: Value
    cases: tuple[tuple[object, Impl], ...]
    default: Impl
    typ: AnyTyp
    location: Location

    def ident(self) -> tuple[object, ...]:
        return ("match", id(self.value), self.cases, self.default)

    def label(self) -> str:
        return f"match {self.value}"


def _check_impl(value: object, what: str, loc: Location) -> Impl:
    if not isinstance(value, Impl):
        raise ConfigError(f"{what} must be a device, not {describe_value(value)}", loc)
    return value


def _check_value(value: object, loc: Location) -> Value:
    if not isinstance(value, Value):
        raise ConfigError(f"expected a configure key or value (e.g. Key.is_solo5), not {describe_value(value)}", loc,
                          "boot arguments (runtime_arg) are decided at boot and cannot choose devices")
    return value


def if_impl(cond: Value, then: Impl, otherwise: Impl) -> Impl:
    """`then` if the configure-time `cond` is true, `otherwise` if not."""
    loc = caller_location()
    cond = _check_value(cond, loc)
    then = _check_impl(then, "if_impl's second argument", loc)
    otherwise = _check_impl(otherwise, "if_impl's third argument", loc)
    if then.typ != otherwise.typ:
        raise ConfigError(f"if_impl branches have different module types: {then.typ} and {otherwise.typ}",
                          loc)
    return If(cond, then, otherwise, then.typ, loc)


def match_impl(value: Value, cases: Mapping[Any, Impl] | Iterable[tuple[Any, Impl]],
               default: Impl) -> Impl:
    """Choose among `cases` by the configure-time `value`; `default` when none matches."""
    loc = caller_location()
    value = _check_value(value, loc)
    pairs = tuple(cases.items()) if isinstance(cases, Mapping) else tuple(cases)
    default = _check_impl(default, "match_impl's default", loc)
    for choice, impl in pairs:
        _check_impl(impl, f"match_impl case {choice!r}", loc)
        if impl.typ != default.typ:
            raise ConfigError(f"match_impl case {choice!r} has module type {impl.typ}, "
                              f"but the default has {default.typ}", loc)
    for key in value.keys():
        if key.choices is not None and value is key:
            for choice, _ in pairs:
                if choice not in key.choices:
                    raise ConfigError(f"match_impl case {choice!r} is not a value of key {key.name!r} "
                                      f"({', '.join(map(str, key.choices))})", loc)
    return Match(value, pairs, default, default.typ, loc)


def dep(impl: Impl) -> Impl:
    """A build-time dependency on `impl` (connected before the device that lists it)."""
    return _check_impl(impl, "dep's argument", caller_location())


def _tuple(values: Sequence[Any] | None, kind: type, what: str, loc: Location) -> tuple[Any, ...]:
    if values is not None and (isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, set, frozenset))):
        raise ConfigError(f"{what} must be a list of {kind.__name__} values, not {describe_value(values)}", loc,
                          f"write {what}=[...], e.g. {what}=[x] for one")
    items = tuple(values or ())
    for item in items:
        if not isinstance(item, kind):
            raise ConfigError(f"{what} must contain {kind.__name__} values, not {describe_value(item)}", loc)
    return items


def impl(name: str, typ: AnyTyp, *, connect: str | None = None, c_args: Sequence[CLiteral | RuntimeArg] = (),
         sources: Sequence[str] = (), headers: Sequence[str] = (), keys: Sequence[Key] = (),
         runtime_args: Sequence[RuntimeArg] = (), packages: Sequence[Package] = (),
         extra_deps: Sequence[Impl] = (), doc: str = "") -> Device:
    """A user-defined device: `connect` (default `<name>_connect`) is a C function in `sources`
    (paths relative to config.py) called as `connect(&dev, &args..., c_args...)`."""
    loc = caller_location()
    typ = check_typ(typ, location=loc)
    if not isinstance(name, str) or not _C_IDENT.match(name):
        raise ConfigError(f"device name {name!r} is not a C identifier", loc)
    result = typ.result if isinstance(typ, FunctorTyp) else typ
    default_fn = f"{name}_start" if result is job else f"{name}_connect"
    fn = connect or default_fn
    if not _C_IDENT.match(fn):
        raise ConfigError(f"connect function {fn!r} is not a C identifier", loc)
    for value in c_args:
        if not isinstance(value, (str, int, bool, RuntimeArg)):
            raise ConfigError(f"c_args of {name!r} must be str, int or bool values or boot arguments, "
                              f"not {value!r}", loc)
    return Device(
        name=name, typ=typ, connect=fn, c_args=tuple(BootArg(v) if isinstance(v, RuntimeArg) else v for v in c_args),
        sources=_tuple(sources, str, "sources", loc), headers=_tuple(headers, str, "headers", loc),
        keys=_tuple(keys, Key, "keys", loc), runtime_args=_tuple(runtime_args, RuntimeArg, "runtime_args", loc),
        packages=_tuple(packages, Package, "packages", loc),
        extra_deps=_tuple(extra_deps, Impl, "extra_deps", loc), user=True, doc=doc, location=loc)


def main(name: str, typ: AnyTyp, *, packages: Sequence[Package] = (), keys: Sequence[Key] = (),
         runtime_args: Sequence[RuntimeArg] = (), extra_deps: Sequence[Impl] = (),
         deps: Sequence[Impl] = ()) -> Device:
    """The unikernel's own module: the generated entry point calls `<name>_start(...)` with a
    typed pointer for each functor argument. Its C lives in register's `src`."""
    loc = caller_location()
    typ = check_typ(typ, location=loc)
    if not isinstance(name, str) or not _C_IDENT.match(name):
        raise ConfigError(f"main name {name!r} is not a C identifier",
                          loc, "the C start function is <name>_start, e.g. main('unikernel', ...)")
    return Device(
        name=name, typ=typ, connect=f"{name}_start",
        keys=_tuple(keys, Key, "keys", loc), runtime_args=_tuple(runtime_args, RuntimeArg, "runtime_args", loc),
        packages=_tuple(packages, Package, "packages", loc),
        extra_deps=_tuple(tuple(extra_deps) + tuple(deps), Impl, "extra_deps", loc), user=True, location=loc)


foreign = main
