"""Evaluate a config.py and return its registration, turning every mistake into a
ConfigError that points at the user's line (never a traceback into our code)."""
from __future__ import annotations

import difflib
import sys
import traceback
from pathlib import Path

from .errors import ConfigError, Location
from .register import REGISTRY, Registration


def load_config(path: Path, display: str | None = None) -> Registration:
    """Run config.py at `path`; `display` is how its name appears in messages and #line."""
    name = display or str(path)
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"cannot read {name}: {e.strerror}", Location(name, 0),
                          "run scons in the unikernel's folder, or pass the path to config.py") from None
    try:
        code = compile(source, name, "exec")
    except SyntaxError as e:
        col = f", column {e.offset}" if e.offset else ""
        raise ConfigError(f"syntax error{col}: {e.msg}", Location(name, e.lineno or 0)) from None
    namespace: dict[str, object] = {"__file__": str(path), "__name__": "__mirage_config__"}
    folder = str(path.resolve().parent)
    REGISTRY.current = None
    sys.path.insert(0, folder)  # config.py may import helpers that sit next to it
    try:
        exec(code, namespace)
    except ConfigError:
        raise
    except Exception as e:  # the user's code failed: report it at the user's frame
        raise _user_exception(e, name, namespace) from None
    finally:
        sys.path.remove(folder)
        registration, REGISTRY.current = REGISTRY.current, None
    if registration is None:
        raise ConfigError(f"{name} never calls register(...)", Location(name, 0),
                          "end config.py with register('name', [job])")
    return registration


def _user_exception(e: Exception, name: str, namespace: dict[str, object]) -> ConfigError:
    frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename == name]
    line = frames[-1].lineno if frames else 0
    hint = None
    if isinstance(e, NameError) and e.name:
        import mirage_tools

        known = [n for n in (*namespace, *dir(mirage_tools)) if not n.startswith("_")]
        close = difflib.get_close_matches(e.name, known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else "is `from mirage_tools import *` missing?"
    return ConfigError(f"{type(e).__name__}: {e}", Location(name, line or 0), hint)
