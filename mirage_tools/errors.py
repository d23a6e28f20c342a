"""User-facing errors: every mistake in config.py is reported at the user's line."""
from __future__ import annotations

import inspect
import os
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

_PACKAGE_DIR = str(Path(__file__).resolve().parent) + os.sep


def _installed_dirs() -> tuple[str, ...]:
    """Where installed code lives (the standard library, site-packages, entry scripts):
    never the user's file, so never where a mistake is reported."""
    paths = sysconfig.get_paths()
    dirs = {paths.get(k, "") for k in ("stdlib", "platstdlib", "purelib", "platlib", "scripts")}
    dirs.add(os.path.dirname(os.path.abspath(sys.executable)))
    return tuple(os.path.abspath(d) + os.sep for d in dirs if d)


_INSTALLED = _installed_dirs()


def is_user_frame(filename: str, module: object) -> bool:
    """Whether a stack frame is the user's code (config.py, its helpers, an SConstruct):
    not mirage_tools, not generated code, not SCons, not an installed library or script."""
    if filename.startswith("<") or in_package(filename):
        return False
    if isinstance(module, str) and (module == "SCons" or module.startswith("SCons.")):
        return False
    return not os.path.abspath(filename).startswith(_INSTALLED)


@dataclass(frozen=True, order=True)
class Location:
    """A place in the user's config.py (or wherever an eDSL object was made)."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line > 0 else self.file

    def short(self) -> str:
        name = os.path.basename(self.file)
        return f"{name}:{self.line}" if self.line > 0 else name


UNKNOWN = Location("<unknown>", 0)


def in_package(filename: str) -> bool:
    """Whether code in `filename` is mirage_tools' own."""
    return not filename.startswith("<") and os.path.abspath(filename).startswith(_PACKAGE_DIR)


def caller_location() -> Location:
    """The first stack frame outside mirage_tools: the user's line that made an object."""
    frame = inspect.currentframe()
    try:
        while frame is not None:
            # "<string>" frames are generated code (dataclass __init__), not the user's.
            if is_user_frame(frame.f_code.co_filename, frame.f_globals.get("__name__")):
                return Location(frame.f_code.co_filename, frame.f_lineno)
            frame = frame.f_back
        return UNKNOWN
    finally:
        del frame


class ConfigError(Exception):
    """A mistake in the user's configuration, with where it is and what to do."""

    def __init__(self, message: str, location: Location | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.location = location if location is not None else caller_location()
        self.hint = hint

    def render(self) -> str:
        where = "" if self.location is UNKNOWN else f"{self.location}: "
        text = f"{where}error: {self.message}"
        line = source_line(self.location)
        if line:
            text += f"\n    {line}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def __str__(self) -> str:
        return self.render()


def describe_value(value: object) -> str:
    """A short description of a value for a message (never a long dataclass repr)."""
    from .key import Key, RuntimeArg

    if isinstance(value, RuntimeArg):
        return f"the boot argument --{value.name}"
    if isinstance(value, Key):
        return f"the configure key {value.name!r}"
    if isinstance(value, (str, int, float, bool)) or value is None:
        text = repr(value)
        return text if len(text) <= 60 else text[:57] + "..."
    label = getattr(value, "label", None)
    if callable(label):
        try:
            return f"{type(value).__name__} {label()}"
        except Exception:  # noqa: BLE001 - a description must never fail
            pass
    return f"a {type(value).__name__}"


def source_line(location: Location) -> str:
    """The stripped text of the line at `location`, or "" when it cannot be read."""
    if location.line <= 0:
        return ""
    try:
        with open(location.file, encoding="utf-8", errors="replace") as f:
            for number, text in enumerate(f, 1):
                if number == location.line:
                    return text.strip()
    except OSError:
        pass
    return ""
