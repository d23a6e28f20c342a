"""Lint and types are part of the test suite: ruff on the Python tree, mypy (strict) on
mirage_tools/."""
import subprocess
import sys

from tests.sconsrun import ROOT


def test_ruff():
    out = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy():
    out = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
