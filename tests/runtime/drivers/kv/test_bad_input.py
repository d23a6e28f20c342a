"""Store mistakes are clean configure-time errors: a missing crunch folder, a file name the
store cannot hold, an unknown kv_ro= value. (A block file of partial sectors is a boot-time
error: tests/runtime/drivers/block/.)"""
from pathlib import Path

from tests.sconsrun import copy_example, scons


def fails_cleanly(folder: Path, *args: str) -> str:
    out = scons(folder, "target=unix", *args, check=False)
    assert out.returncode == 2, out.stdout
    assert "Traceback" not in out.stderr
    return out.stderr


def test_missing_crunch_folder(tmp_path):
    folder = copy_example("kv_ro", tmp_path)
    (folder / "config.py").write_text((folder / "config.py").read_text().replace('"data"', '"nowhere"'))
    err = fails_cleanly(folder)
    assert err.startswith("config.py:") and "nowhere is not a folder" in err


def test_key_too_long_for_crunch(tmp_path):
    folder = copy_example("kv_ro", tmp_path)
    deep = folder / "data"
    for _ in range(5):
        deep = deep / ("d" * 240)
    deep.mkdir(parents=True)
    (deep / "file").write_text("x")
    err = fails_cleanly(folder, "kv_ro=crunch")
    assert "bytes long" in err and "at most 1023 bytes" in err


def test_name_too_long_for_an_archive(tmp_path):
    folder = copy_example("kv_ro", tmp_path)
    (folder / "data" / ("n" * 120)).write_text("x")
    err = fails_cleanly(folder, "kv_ro=archive")
    assert "too long for a ustar archive" in err and "use crunch" in err


def test_unknown_kv_ro_value(tmp_path):
    folder = copy_example("kv_ro", tmp_path)
    err = fails_cleanly(folder, "kv_ro=fat")
    assert "kv_ro=fat: expected one of crunch, direct, archive" in err
