"""Module types (`typ`) and functor types (`a @ b @ job`)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import ConfigError, Location

_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class Typ:
    """A module type: the C face of a device family (`struct mirage_<name>` in `mirage/<name>.h`)."""

    name: str
    c_type: str = ""
    header: str = ""
    # For a MirageOS module type with no C face yet: what will provide it. Using such a
    # type is refused when config.py is read, not left to fail in the C build.
    coming: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ConfigError(f"invalid module type name {self.name!r}",
                              hint="use a C identifier in lower case, e.g. typ('my_store')")

    @property
    def is_job(self) -> bool:
        return self.name == "job"

    def __matmul__(self, other: object) -> FunctorTyp:
        return FunctorTyp((self,), _as_typ(other))

    def __rmatmul__(self, other: object) -> FunctorTyp:
        return FunctorTyp((_as_typ(other),), self)

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class FunctorTyp:
    """`params[0] -> params[1] -> ... -> result`. `@` is left-associative in Python, so
    `console @ block @ job` appends: the previous result becomes a parameter."""

    params: tuple[Typ, ...]
    result: Typ

    def __matmul__(self, other: object) -> FunctorTyp:
        return FunctorTyp((*self.params, self.result), _as_typ(other))

    def __rmatmul__(self, other: object) -> FunctorTyp:
        raise ConfigError(f"a functor type cannot be a parameter: {_describe(other)} @ ({self})",
                          hint="parameters of a functor are module types such as console or block")

    def __str__(self) -> str:
        return " -> ".join(str(p) for p in (*self.params, self.result))


AnyTyp = Typ | FunctorTyp


def _describe(value: object) -> str:
    return repr(value) if isinstance(value, str) else type(value).__name__


def _as_typ(value: object) -> Typ:
    if isinstance(value, Typ):
        return value
    if isinstance(value, FunctorTyp):
        raise ConfigError(f"a functor type cannot be a parameter: ({value})",
                          hint="write the parameters one after the other: a @ b @ job")
    raise ConfigError(f"unknown module type {_describe(value)}", hint=_known_hint(value))


def _known_hint(value: object) -> str:
    names = ", ".join(sorted(BUILTIN))
    if isinstance(value, str) and value in BUILTIN:
        return f"use the value {value} (no quotes), imported from mirage_tools"
    return f"use one of {names}, or declare your own with typ('name')"


def check_typ(value: object, what: str = "module type", location: Location | None = None) -> AnyTyp:
    """Validate a user-supplied module or functor type: known, and with a C face."""
    if not isinstance(value, (Typ, FunctorTyp)):
        raise ConfigError(f"unknown {what} {_describe(value)}", location, _known_hint(value))
    for t in (*value.params, value.result) if isinstance(value, FunctorTyp) else (value,):
        if t.coming:
            raise ConfigError(f"module type {t.name} has no C interface yet ({t.header} does not exist)", location,
                              f"it comes with {t.coming}; until then no device can be of this type")
    return value


_C_TYPE = re.compile(r"^((struct|union|enum) )?[A-Za-z_][A-Za-z0-9_]*$")
_HEADER = re.compile(r"^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-][A-Za-z0-9_.+-]*)*\.h$|^[A-Za-z0-9_+-][A-Za-z0-9_.+-]*\.h$")


def typ(name: str, c_type: str | None = None, header: str | None = None) -> Typ:
    """Declare a module type. Built-in names return the built-in type.

    A new module type `typ("store")` is the C type `struct store`, declared in the header
    `store.h`, which sits next to config.py (the build puts that folder on the include path).
    `c_type` and `header` name others (`typ("store", header="lib/store.h")`)."""
    if not isinstance(name, str):
        raise ConfigError(f"a module type's name must be a string, not {type(name).__name__}",
                          hint="e.g. typ('my_store')")
    if name in BUILTIN and c_type is None and header is None:
        return BUILTIN[name]
    if c_type is not None and (not isinstance(c_type, str) or not _C_TYPE.match(c_type)):
        raise ConfigError(f"module type {name!r}: c_type {c_type!r} is not a C type name",
                          hint="e.g. 'struct my_store' or 'my_store_t'")
    if header is not None and (not isinstance(header, str) or not _HEADER.match(header)):
        raise ConfigError(f"module type {name!r}: header {header!r} is not a relative path to a .h file",
                          hint="e.g. 'my_store.h' or 'include/my_store.h' (relative to config.py's folder)")
    return Typ(name, c_type if c_type is not None else f"struct {name}", header if header is not None else f"{name}.h")


def _builtin(name: str, header: str | None = None) -> Typ:
    return Typ(name, f"struct mirage_{name}", f"mirage/{header or name}.h")


job = Typ("job")
console = _builtin("console")
time = _builtin("time")
pclock = _builtin("pclock", "clock")
mclock = _builtin("mclock", "clock")
random = _builtin("random")
block = _builtin("block")
kv_ro = _builtin("kv_ro")
kv_rw = _builtin("kv_rw")
network = _builtin("network")
ethernet = _builtin("ethernet")
arpv4 = Typ("arpv4", "struct mirage_arp", "mirage/arp.h")
ipv4 = Typ("ipv4", "struct mirage_ip", "mirage/ip.h")
ipv6 = Typ("ipv6", "struct mirage_ip", "mirage/ip.h")
ipv4v6 = Typ("ipv4v6", "struct mirage_ip", "mirage/ip.h")
udpv4 = Typ("udpv4", "struct mirage_udp", "mirage/udp.h")
udpv6 = Typ("udpv6", "struct mirage_udp", "mirage/udp.h")
udpv4v6 = Typ("udpv4v6", "struct mirage_udp", "mirage/udp.h")
tcpv4 = Typ("tcpv4", "struct mirage_tcp", "mirage/tcp.h")
tcpv6 = Typ("tcpv6", "struct mirage_tcp", "mirage/tcp.h")
tcpv4v6 = Typ("tcpv4v6", "struct mirage_tcp", "mirage/tcp.h")
stackv4 = Typ("stackv4", "struct mirage_stack", "mirage/stack.h")
stackv6 = Typ("stackv6", "struct mirage_stack", "mirage/stack.h")
stackv4v6 = Typ("stackv4v6", "struct mirage_stack", "mirage/stack.h")
http = Typ("http", "struct mirage_http", "mirage/http.h", coming="the HTTP devices (cohttp_server, httpaf_server)")
argv = _builtin("argv")
reporter = _builtin("reporter")
info = _builtin("info")

BUILTIN: dict[str, Typ] = {t.name: t for t in (
    job, console, time, pclock, mclock, random, block, kv_ro, kv_rw, network, ethernet, arpv4, ipv4, ipv6,
    ipv4v6, udpv4, udpv6, udpv4v6, tcpv4, tcpv6, tcpv4v6, stackv4, stackv6, stackv4v6, http, argv, reporter,
    info)}
