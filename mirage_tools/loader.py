"""Evaluate a config.py and return its registration, turning every mistake into a
ConfigError that points at the user's line (never a traceback into our code)."""
from __future__ import annotations

import difflib
import importlib
import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from .errors import ConfigError, Location
from .register import REGISTRY, Registration


def load_config(path: Path, display: str | None = None) -> Registration:
    """Run config.py at `path`; `display` is how its name appears in messages and #line."""
    name = display or str(path)
    if path.is_dir():
        raise ConfigError(f"{name} is a folder, not a file", Location(name, 0),
                          "config.py is the Python file that describes the unikernel")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ConfigError(f"cannot read {name}: {e.strerror}", Location(name, 0),
                          "run scons in the unikernel's folder, or pass the path to config.py") from None
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise ConfigError(f"{name} is not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start})",
                          Location(name, line), "save config.py as UTF-8") from None
    try:
        code = compile(source, name, "exec")
    except SyntaxError as e:
        col = f", column {e.offset}" if e.offset else ""
        raise ConfigError(f"syntax error{col}: {e.msg}", Location(name, e.lineno or 0)) from None
    namespace: dict[str, object] = {"__file__": str(path), "__name__": "__mirage_config__"}
    folder = str(path.resolve().parent)
    REGISTRY.current = None
    try:
        with _own_imports(folder):
            exec(code, namespace)
    except ConfigError:
        raise
    except SystemExit as e:
        lines = [f.lineno or 0 for f in traceback.extract_tb(e.__traceback__) if f.filename == name]
        raise ConfigError(f"{name} calls sys.exit({'' if e.code is None else repr(e.code)})",
                          Location(name, lines[-1] if lines else 0),
                          "config.py must end by calling register(...); raise an exception to stop with "
                          "an error") from None
    except Exception as e:  # the user's code failed: report it at the user's frame
        raise _user_exception(e, name, namespace) from None
    finally:
        registration, REGISTRY.current = REGISTRY.current, None
    if registration is None:
        raise ConfigError(f"{name} never calls register(...)", Location(name, 0),
                          "end config.py with register('name', [job])")
    return registration


def _from(module: ModuleType, folder: str) -> bool:
    """Whether `module` was loaded from `folder` (a helper next to some config.py)."""
    file = getattr(module, "__file__", None)
    if not isinstance(file, str):
        paths = getattr(module, "__path__", None)
        file = next(iter(paths), None) if paths is not None else None
    return isinstance(file, str) and (os.path.dirname(os.path.abspath(file)) + os.sep).startswith(folder + os.sep)


@contextmanager
def _own_imports(folder: str) -> Iterator[None]:
    """Evaluate with `folder` first on sys.path and its own modules only: helpers another
    config.py imported (same name, other folder) are hidden while this one runs, and the
    ones this config.py imports are forgotten afterwards, so each config.py gets its own
    helpers, read afresh."""
    local = {p.stem for p in Path(folder).iterdir() if p.suffix == ".py" or (p / "__init__.py").is_file()}
    hidden = {n: m for n, m in sys.modules.items()
              if n.split(".")[0] in local and not n.startswith("mirage_tools")}
    for n in hidden:
        del sys.modules[n]
    before = set(sys.modules)
    sys.path.insert(0, folder)
    importlib.invalidate_caches()
    try:
        yield
    finally:
        sys.path.remove(folder)
        for n in set(sys.modules) - before:
            module = sys.modules[n]
            if n.split(".")[0] in local or _from(module, folder):
                del sys.modules[n]
        for n, m in hidden.items():
            sys.modules.setdefault(n, m)


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
