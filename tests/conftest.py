"""Fixtures every test folder may use, and one check on every test: no run of scons or
mirage-tools prints a Python traceback (a user's mistake is a message, issue 11)."""
import subprocess

import pytest

from tests.netns import netns  # noqa: F401  (the private network namespace fixture)

_real_run = subprocess.run
_TOOLS = ("SCons", "scons", "mirage_tools.cli", "mirage-tools")


def _is_tool(args: object) -> bool:
    words = [str(a) for a in args] if isinstance(args, (list, tuple)) else str(args).split()
    return any(w.endswith(_TOOLS) for w in words[:4])


def _checked_run(*popenargs, **kwargs):
    result = _real_run(*popenargs, **kwargs)
    args = popenargs[0] if popenargs else kwargs.get("args", ())
    if _is_tool(args):
        for stream in (result.stdout, result.stderr):
            text = stream.decode(errors="replace") if isinstance(stream, bytes) else stream
            if text and "Traceback (most recent call last)" in text:
                pytest.fail(f"{args} printed a Python traceback:\n{text[-3000:]}", pytrace=False)
    return result


@pytest.fixture(autouse=True)
def _no_traceback_from_the_tools(monkeypatch):
    monkeypatch.setattr(subprocess, "run", _checked_run)
