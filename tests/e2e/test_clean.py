"""`scons -c` cleans what the current target built; `scons -c target=all` every target."""
from __future__ import annotations

from pathlib import Path

from tests.sconsrun import copy_example, scons


def files(folder: Path, target: str) -> list[Path]:
    return [p for p in (folder / "build" / target).rglob("*") if p.is_file()]


def test_clean_the_current_target_then_all(tmp_path: Path) -> None:
    folder = copy_example("hello", tmp_path)
    scons(folder, "target=unix")
    scons(folder, "target=spt")
    scons(folder, "-c")  # the current target: spt, the last one built
    assert files(folder, "spt") == [] and (folder / "build/unix/hello").is_file()
    scons(folder, "target=spt")
    scons(folder, "-c", "target=all")
    assert not (folder / "build/unix").exists() and not (folder / "build/spt").exists()
    assert (folder / "build/last.conf").is_file()  # the configuration is remembered still


def test_target_all_is_only_for_cleaning(tmp_path: Path) -> None:
    out = scons(copy_example("hello", tmp_path), "target=all", check=False)
    assert out.returncode == 2 and "scons -c target=all" in out.stderr
