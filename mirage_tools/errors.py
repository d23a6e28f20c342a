"""User-facing errors: every mistake in config.py is reported at the user's line."""
from __future__ import annotations

import inspect
import os
from dataclasses import dataclass
from pathlib import Path

_PACKAGE_DIR = str(Path(__file__).resolve().parent) + os.sep


@dataclass(frozen=True, order=True)
class Location:
    """A place in the user's config.py (or wherever an eDSL object was made)."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"

    def short(self) -> str:
        return f"{os.path.basename(self.file)}:{self.line}"


UNKNOWN = Location("<unknown>", 0)


def in_package(filename: str) -> bool:
    """Whether code in `filename` is mirage_tools' own."""
    return not filename.startswith("<") and os.path.abspath(filename).startswith(_PACKAGE_DIR)


def caller_location() -> Location:
    """The first stack frame outside mirage_tools: the user's line that made an object."""
    frame = inspect.currentframe()
    try:
        while frame is not None:
            filename = frame.f_code.co_filename
            # "<string>" frames are generated code (dataclass __init__), not the user's.
            if not filename.startswith("<") and not in_package(filename):
                return Location(filename, frame.f_lineno)
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


def source_line(location: Location) -> str:
    """The stripped text of the line at `location`, or "" when it cannot be read."""
    if location.line <= 0:
        return ""
    try:
        with open(location.file, encoding="utf-8") as f:
            for number, text in enumerate(f, 1):
                if number == location.line:
                    return text.strip()
    except OSError:
        pass
    return ""
