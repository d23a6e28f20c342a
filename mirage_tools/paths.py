"""Where the C runtime, the targets, the SCons tool and the third-party sources lock live: next
to this package when installed from a wheel, at the top of the repository in a checkout."""
from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data(name: str, repo_name: str) -> Path:
    installed = _PACKAGE / name
    return installed if installed.is_dir() else _PACKAGE.parent / repo_name


RUNTIME = _data("runtime_c", "runtime_c")
TARGETS = _data("targets", "targets")
TOOLPATH = _data("site_tools", "site_scons/site_tools")
THIRD_PARTY = _data("third_party", "third_party")  # sources.lock, patches/<name>/, and <name>/build.py
TEMPLATES = _PACKAGE / "templates"


def toolpath() -> str:
    """The folder to name in SCons' toolpath for `env.Tool("mirage")`."""
    return str(TOOLPATH)
