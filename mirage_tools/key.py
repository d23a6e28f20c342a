"""Configure keys (decided at build time, usable in if_impl/match_impl) and boot
arguments (parsed by the unikernel when it starts). Two separate concepts."""
from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .errors import ConfigError, Location, caller_location
from .paths import RUNTIME

BUILTIN = Location("<built-in>", 0)  # where mirage-tools' own keys are declared

# MirageOS keys such as "no-dhcp" are scons variables (`scons no-dhcp=true`), never C names.
_KEY_NAME = re.compile(r"^[a-z](?:[a-z0-9_-]*[a-z0-9_])?$")
_ARG_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

Env = Mapping[str, object]


class Value:
    """A configure-time value computed from keys; `eval` takes the keys' values by name."""

    def eval(self, env: Env) -> object:
        raise NotImplementedError

    def keys(self) -> tuple[Key, ...]:
        raise NotImplementedError

    def map(self, fn: Any, *more: Any, name: str | None = None) -> Value:
        """`v.map(f)`: f of v's value. Called on the class, `Value.map(f, a, b, ...)` is
        MirageOS's `Key.(pure f $ a $ b)`: f of several values (keys, values, constants)."""
        if not isinstance(self, Value):  # Value.map(f, a, b, ...): self is f
            return Combined(self, tuple(_as_value(v) for v in (fn, *more)),
                            name or str(getattr(self, "__name__", "fn")))
        if more:
            raise TypeError("v.map(f) takes one function; combine several values with Value.map(f, a, b)")
        return Mapped(self, fn, name or str(getattr(fn, "__name__", "fn")))

    @staticmethod
    def pure(value: object) -> Value:
        """A constant configure-time value (MirageOS's `Key.pure v`)."""
        return Pure(value)

    def eq(self, other: object) -> Value:
        return self.map(lambda v: v == other, name=f"== {other!r}")

    def one_of(self, *choices: object) -> Value:
        return self.map(lambda v: v in choices, name=f"in {list(choices)!r}")

    def __invert__(self) -> Value:
        return self.map(lambda v: not v, name="not")


@dataclass(frozen=True, eq=False)
class Mapped(Value):
    source: Value
    fn: Callable[[Any], object]
    label: str

    def eval(self, env: Env) -> object:
        return self.fn(self.source.eval(env))

    def keys(self) -> tuple[Key, ...]:
        return self.source.keys()

    def __str__(self) -> str:
        return f"{self.source} {self.label}" if not self.label.isidentifier() else f"{self.label}({self.source})"


@dataclass(frozen=True, eq=False)
class Pure(Value):
    value: object

    def eval(self, env: Env) -> object:
        return self.value

    def keys(self) -> tuple[Key, ...]:
        return ()

    def __str__(self) -> str:
        return repr(self.value)


@dataclass(frozen=True, eq=False)
class Combined(Value):
    fn: Callable[..., object]
    sources: tuple[Value, ...]
    label: str

    def eval(self, env: Env) -> object:
        return self.fn(*(s.eval(env) for s in self.sources))

    def keys(self) -> tuple[Key, ...]:
        return tuple(dict.fromkeys(k for s in self.sources for k in s.keys()))

    def __str__(self) -> str:
        return f"{self.label}({', '.join(map(str, self.sources))})"


def _as_value(value: object) -> Value:
    """A Value as it is; a plain constant as Value.pure(constant)."""
    return value if isinstance(value, Value) else Pure(value)


KEY_TYPES: dict[type, str] = {str: "string", bool: "bool", int: "int"}


@dataclass(frozen=True, eq=False)
class Key(Value):
    """A configure key: `scons target=spt net=socket`. Declared in config.py, listed by `scons -h`."""

    name: str
    type: type = str
    default: object = None
    doc: str = ""
    choices: tuple[object, ...] | None = None
    location: Location = field(default_factory=caller_location, compare=False)

    target: ClassVar[Key]
    is_solo5: ClassVar[Value]
    is_unix: ClassVar[Value]

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _KEY_NAME.match(self.name):
            raise ConfigError(f"invalid key name {self.name!r}", self.location,
                              "key names are lower case: letters, digits, '_' and '-' inside, "
                              "e.g. Key('net') or Key('no-dhcp')")
        if self.type not in KEY_TYPES:
            raise ConfigError(f"key {self.name!r}: unsupported type {self.type!r}", self.location,
                              "configure keys are str, bool or int")
        if self.choices is not None:
            object.__setattr__(self, "choices", tuple(self.choices))
        if self.default is not None:
            self.check(self.default, self.location, what="default")

    def check(self, value: object, location: Location | None = None, what: str = "value") -> object:
        """Validate a Python value for this key."""
        if not isinstance(value, self.type) or (self.type is int and isinstance(value, bool)):
            raise ConfigError(f"key {self.name!r}: {what} {value!r} is not of type {self.type.__name__}",
                              location or self.location)
        if self.choices is not None and value not in self.choices:
            raise ConfigError(f"key {self.name!r}: {what} {value!r} is not one of "
                              f"{', '.join(map(str, self.choices))}", location or self.location)
        return value

    def parse(self, text: str) -> object:
        """Parse a command-line value (`net=socket`); raises ValueError with a clear message."""
        value: object
        if self.type is bool:
            lowered = text.lower()
            if lowered not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                raise ValueError(f"{self.name}={text}: expected a boolean (true/false)")
            value = lowered in ("1", "true", "yes", "on")
        elif self.type is int:
            try:
                value = int(text, 0)
            except ValueError:
                raise ValueError(f"{self.name}={text}: expected an integer") from None
        else:
            value = text
        if self.choices is not None and value not in self.choices:
            raise ValueError(f"{self.name}={text}: expected one of {', '.join(map(str, self.choices))}")
        return value

    def render(self, value: object) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def eval(self, env: Env) -> object:
        return env[self.name] if self.name in env else self.default

    def keys(self) -> tuple[Key, ...]:
        return (self,)

    def same_definition(self, other: Key) -> bool:
        return (self.name, self.type, self.default, self.choices) == (
            other.name, other.type, other.default, other.choices)

    def __str__(self) -> str:
        return self.name

    def __hash__(self) -> int:
        return hash(("key", self.name))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Key) and self.same_definition(other)


def _is_solo5(target: object) -> bool:
    from .targets import get_target

    return get_target(str(target)).solo5


Key.target = Key("target", str, "unix", "The platform to build for (scons target=list shows them).",
                 location=BUILTIN)
Key.is_solo5 = Key.target.map(_is_solo5, name="is_solo5")
Key.is_unix = Key.target.eq("unix")


# ---------------------------------------------------------------- boot arguments

ipv4_addr = ipaddress.IPv4Address
ipv4_prefix = ipaddress.IPv4Interface
ipv6_addr = ipaddress.IPv6Address
ipv6_prefix = ipaddress.IPv6Interface


@dataclass(frozen=True)
class ArgType:
    name: str       # shown in --help
    c_enum: str     # enum mirage_arg_type
    c_type: str     # storage and accessor type
    index: int      # the enum's value


_TABLE_ROW = re.compile(r'^\s*X\((\w+), "([^"]*)", ([^,]+), "[^"]*"\)', re.MULTILINE)


def arg_type_table() -> dict[str, ArgType]:
    """The boot-argument types of the C runtime's one table (MIRAGE_ARG_TYPES in
    mirage/argv.h), by enum suffix."""
    text = (RUNTIME / "include" / "mirage" / "argv.h").read_text()
    rows = _TABLE_ROW.findall(text)
    return {e: ArgType(name, f"MIRAGE_ARG_{e}", ctype.strip(), i) for i, (e, name, ctype) in enumerate(rows)}


# Which Python type in config.py stands for which row of the C table.
PY_ARG_TYPES: dict[object, str] = {
    str: "STRING", int: "INT", bool: "BOOL", list: "STRING_LIST", ipv4_addr: "IPV4",
    ipv4_prefix: "IPV4_PREFIX", ipv6_addr: "IPV6", ipv6_prefix: "IPV6_PREFIX",
}
_TABLE = arg_type_table()
ARG_TYPES: dict[object, ArgType] = {py: _TABLE[e] for py, e in PY_ARG_TYPES.items()}
_ARG_TYPE_NAMES = {"str": str, "string": str, "int": int, "bool": bool, "list": list,
                   "ipv4": ipv4_addr, "ipv4_prefix": ipv4_prefix, "ipv6": ipv6_addr,
                   "ipv6_prefix": ipv6_prefix}
_NO_DEFAULT = object()


@dataclass(frozen=True, eq=False)
class RuntimeArg:
    """A boot argument: `--name=value` on the unikernel's command line."""

    name: str
    type: object
    default: object
    doc: str
    location: Location
    short: str = ""  # one letter: "-l VALUE" as well as "--logs=VALUE"
    optional: bool = False  # without a default and not required: the C value is zero when not given

    @property
    def arg_type(self) -> ArgType:
        return ARG_TYPES[self.type]

    @property
    def c_name(self) -> str:
        return self.name.replace("-", "_")

    @property
    def required(self) -> bool:
        """Declared without a default: the unikernel refuses to boot without it."""
        return self.default is None and not self.optional

    @property
    def default_text(self) -> str | None:
        value = self.default
        if value is None:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (list, tuple)):
            return ",".join(value)
        return str(value)

    def key(self) -> tuple[object, ...]:
        return (self.name, self.type, self.default_text, self.doc, self.short, self.required)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RuntimeArg) and self.key() == other.key()

    def __hash__(self) -> int:
        return hash(self.key())




def runtime_arg(name: str, type: object = str, default: object = _NO_DEFAULT,  # noqa: A002
                doc: str = "", short: str = "") -> RuntimeArg:
    """Declare a boot argument. Types: str, int, bool, list (of str: comma separated, and
    given several times it accumulates), ipv4_addr, ipv4_prefix, ipv6_addr, ipv6_prefix (or
    their names as strings). Without a default it is required (a bool is then a flag, false
    unless given). `short` is an optional one-letter alias ("-p 80")."""
    loc = caller_location()
    if short and (not isinstance(short, str) or len(short) != 1 or not short.isalpha() or short == "h"):
        raise ConfigError(f"boot argument {name!r}: short name {short!r} is not one letter", loc,
                          "e.g. short='p' for -p; 'h' is not available")
    if not isinstance(name, str) or not _ARG_NAME.match(name) or name == "help":
        raise ConfigError(f"invalid boot argument name {name!r}", loc,
                          "use lower-case letters and digits, words joined by one '-' (not at either end), "
                          "e.g. runtime_arg('hello') or runtime_arg('log-level'); "
                          "'help' is reserved")
    if isinstance(type, str):
        if type not in _ARG_TYPE_NAMES:
            raise ConfigError(f"boot argument {name!r}: unknown type {type!r}", loc,
                              f"use one of {', '.join(_ARG_TYPE_NAMES)}")
        type = _ARG_TYPE_NAMES[type]  # noqa: A001
    if type is ipaddress.IPv4Network:
        type = ipv4_prefix  # noqa: A001
    if type is ipaddress.IPv6Network:
        type = ipv6_prefix  # noqa: A001
    if type not in ARG_TYPES:
        raise ConfigError(f"boot argument {name!r}: unsupported type {type!r}", loc,
                          f"use one of {', '.join(_ARG_TYPE_NAMES)}")
    if default is _NO_DEFAULT or default is None:
        # As cmdliner's required options (Functoria's Key.required); a bool is a flag: false.
        default = False if type is bool else None
    if default is not None:
        default = _check_default(name, type, default, loc)
    arg = RuntimeArg(name, type, default, doc, loc, short)
    if arg.default_text is not None and type not in (str, bool):
        from .argcheck import c_parser_accepts

        if not c_parser_accepts(arg.arg_type.index, arg.default_text):
            raise ConfigError(f"boot argument {name!r}: default {arg.default_text!r} is refused by the "
                              f"unikernel's boot-argument parser", loc,
                              f"give a default of the form --{name}={arg.arg_type.name} takes at boot")
    return arg


def _check_default(name: str, type: object, default: object, loc: Location) -> object:
    def bad(expected: str) -> ConfigError:
        return ConfigError(f"boot argument {name!r}: default {default!r} is not {expected}", loc)

    if type is bool:
        if not isinstance(default, bool):
            raise bad("a bool")
    elif type is int:
        if not isinstance(default, int) or isinstance(default, bool):
            raise bad("an int")
        if not -(2**63) <= default < 2**63:
            raise bad("a 64-bit integer")
    elif type is str:
        if not isinstance(default, str) or "\0" in default:
            raise bad("a string")
    elif type is list:
        if not isinstance(default, Sequence) or isinstance(default, str) or not all(
                isinstance(s, str) and "," not in s and s for s in default):
            raise bad("a list of non-empty strings without commas")
        return tuple(default)
    else:
        assert callable(type)
        try:
            parsed = type(default)
        except (ValueError, TypeError):
            raise bad(f"a valid {ARG_TYPES[type].name} value") from None
        if type in (ipv4_prefix, ipv6_prefix) and isinstance(default, str) and "/" not in default:
            raise bad(f"a valid {ARG_TYPES[type].name} value (with /LEN)")
        return parsed
    return default
