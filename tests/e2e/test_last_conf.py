"""`scons` alone builds the folder's last configuration (target and, per target, its keys),
from build/last.conf, and says so in one line; `scons target=...` switches."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.sconsrun import copy_example, scons

CONFIG = """from mirage_tools import *

flavour = Key("flavour", str, "plain", "Which greeting.", choices=["plain", "fancy"])
register("remember", [main("unikernel", console @ job, keys=[flavour])(default_console)])
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = copy_example("hello", tmp_path)
    (folder / "config.py").write_text(CONFIG)
    return folder


def keys_line(folder: Path, *args: str) -> tuple[str, str]:
    out = scons(folder, *args, "describe")
    keys = next(line for line in out.stdout.splitlines() if line.startswith("Keys"))
    return keys.split(None, 1)[1], out.stdout


def test_scons_alone_reuses_the_last_target_and_keys(folder: Path) -> None:
    assert keys_line(folder)[0] == "target=unix flavour=plain"  # nothing remembered yet: the defaults
    keys, out = keys_line(folder, "target=spt", "flavour=fancy")
    assert keys == "target=spt flavour=fancy" and "as last time" not in out
    keys, out = keys_line(folder)
    assert keys == "target=spt flavour=fancy"
    assert out.splitlines()[0] == "scons: as last time (build/last.conf): target=spt flavour=fancy"
    saved = json.loads((folder / "build" / "last.conf").read_text())
    assert saved == {"target": "spt", "keys": {"spt": {"flavour": "fancy"}, "unix": {}}}


def test_keys_stay_with_their_target(folder: Path) -> None:
    keys_line(folder, "target=spt", "flavour=fancy")
    assert keys_line(folder, "target=unix")[0] == "target=unix flavour=plain"  # unix has its own keys
    keys, out = keys_line(folder)
    assert keys == "target=unix flavour=plain" and "as last time (build/last.conf): target=unix\n" in out
    assert keys_line(folder, "target=spt")[0] == "target=spt flavour=fancy"  # spt's come back
    assert keys_line(folder, "flavour=plain")[0] == "target=spt flavour=plain"  # a given key wins, and sticks
    assert keys_line(folder)[0] == "target=spt flavour=plain"


def test_help_and_a_forgotten_key_do_not_break_the_memory(folder: Path) -> None:
    keys_line(folder, "target=spt", "flavour=fancy")
    assert "actual: spt" in scons(folder, "-h").stdout
    (folder / "config.py").write_text(CONFIG.replace("keys=[flavour]", "keys=[]"))  # the key is gone
    out = scons(folder, "describe")
    assert "target=spt" in out.stdout and "warning" not in out.stderr
