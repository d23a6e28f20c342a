"""The kv devices in the eDSL and the engine: generic_kv_ro's key, archive_of_files' block
device and tar, the kv_rw devices, direct_kv_rw refused at configure time off unix (at its
config.py line), and the drivers compiled the way freestanding images compile them."""
from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest

from mirage_tools.codegen import generate
from mirage_tools.engine import Plan, resolve
from mirage_tools.errors import ConfigError
from mirage_tools.impl import HostDevice
from mirage_tools.loader import load_config
from mirage_tools.targets import get_target
from tests.sconsrun import ROOT

KV = ROOT / "runtime_c" / "drivers" / "kv"


def plan(tmp_path: Path, body: str, target: str = "unix", **values: object) -> Plan:
    config = tmp_path / "config.py"
    config.write_text("from mirage_tools import *\n" + textwrap.dedent(body))
    (tmp_path / "data" / "sub").mkdir(parents=True, exist_ok=True)
    (tmp_path / "data" / "sub" / "f").write_text("f")
    reg = load_config(config, str(config))
    return resolve(reg, get_target(target), dict(values), str(config), tmp_path)


STORE = """
main_job = main("unikernel", console @ kv_ro @ job)
register("app", [main_job(default_console, generic_kv_ro("data"))], src=None)
"""


@pytest.mark.parametrize("target, kind, devices", [
    ("unix", "crunch", ["crunch"]),
    ("unix", "direct", ["direct_kv_ro"]),
    ("spt", "direct", ["crunch"]),
    ("unix", "archive", ["block_of_file", "archive"]),
    ("spt", "archive", ["block_of_file", "archive"]),
])
def test_generic_kv_ro_key(tmp_path: Path, target: str, kind: str, devices: list[str]) -> None:
    p = plan(tmp_path, STORE, target, kv_ro=kind)
    kv_devices = [n.device.name for n in p.devices() if n.device.name in ("crunch", "direct_kv_ro",
                                                                          "block_of_file", "archive")]
    assert kv_devices == devices
    assert "drivers/kv/sha256.c" in p.runtime_sources and "drivers/kv/kv_ro.c" in p.runtime_sources
    if kind == "archive":
        assert p.manifest == [HostDevice("block", "data", "build/data.tar", 0, tar_of="data")]
        main_c = generate(p, "gen")["main.c"]
        assert "archive_connect(&archive_0, &block_of_file_0)" in main_c
        assert "block_of_file_connect(&block_of_file_0, \"data\", \"build/data.tar\", false)" in main_c


def test_generic_kv_ro_rejects_a_key_with_other_choices(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="generic_kv_ro's key must choose among crunch, direct, archive"):
        plan(tmp_path, """
            k = Key("store", str, "crunch", choices=["crunch", "fat"])
            register("app", [main("u", console @ kv_ro @ job)(default_console, generic_kv_ro("data", k))])
        """)


def test_archive_of_files_names_and_refusals(tmp_path: Path) -> None:
    p = plan(tmp_path, """
        main_job = main("unikernel", kv_ro @ kv_ro @ job)
        register("app", [main_job(archive_of_files("data/sub"), archive_of_files("data", name="disk2"))], src=None)
    """)
    assert p.manifest == [HostDevice("block", "datasub", "build/datasub.tar", 0, tar_of="data/sub"),
                          HostDevice("block", "disk2", "build/disk2.tar", 0, tar_of="data")]
    for folder in (".", "./", "build", "build/x", "..", "../elsewhere", "/abs"):
        with pytest.raises(ConfigError) as info:
            plan(tmp_path, f"""
                register("app", [main("u", kv_ro @ job)(archive_of_files({folder!r}))], src=None)
            """)
        assert info.value.location.line == 3, folder  # the user's line
        assert "archive_of_files cannot pack" in info.value.message


def test_archive_applied_to_any_block_device(tmp_path: Path) -> None:
    p = plan(tmp_path, """
        register("app", [main("u", kv_ro @ job)(archive(ramdisk("rd", "64K")))], src=None)
    """)
    assert [n.device.name for n in p.devices()][-2:] == ["ramdisk", "archive"]
    with pytest.raises(ConfigError, match="wrong module type"):
        plan(tmp_path, 'archive(default_console)\n')


def test_kv_rw_devices(tmp_path: Path) -> None:
    body = """
        main_job = main("unikernel", kv_rw @ kv_rw @ job)
        register("app", [main_job(kv_rw_mem(), if_impl(Key.is_unix, direct_kv_rw("data"), kv_rw_mem("other")))],
                 src=None)
    """
    unix = plan(tmp_path, body, "unix")
    main_c = generate(unix, "gen")["main.c"]
    assert "#include <mirage/kv_rw.h>" in main_c
    assert 'kv_rw_mem_connect(&kv_rw_mem_0, "mem")' in main_c
    assert 'direct_kv_rw_connect(&direct_kv_rw_0, "data")' in main_c
    assert ROOT / "targets" / "unix" / "drivers" / "kv_direct_rw.c" in unix.driver_sources
    spt = plan(tmp_path, body, "spt")
    assert 'kv_rw_mem_connect(&kv_rw_mem_1, "other")' in generate(spt, "gen")["main.c"]
    assert not spt.driver_sources


def test_direct_kv_rw_is_refused_off_unix_at_its_line(tmp_path: Path) -> None:
    body = """
        store = direct_kv_rw("data")

        register("app", [main("u", kv_rw @ job)(store)], src=None)
    """
    plan(tmp_path, body, "unix")
    with pytest.raises(ConfigError) as info:
        plan(tmp_path, body, "spt")
    err = info.value
    assert err.message == "direct_kv_rw is not available on target spt, only on unix"
    assert (err.location.file, err.location.line) == (str(tmp_path / "config.py"), 3)
    assert "if_impl(Key.is_unix" in (err.hint or "")
    assert 'store = direct_kv_rw("data")' in err.render()


def test_drivers_compile_freestanding_with_general_registers_only(tmp_path: Path) -> None:
    """The drivers Solo5 and virtio images get, as those images compile them (our libc, no
    floating point)."""
    include = subprocess.run(["cc", "-print-file-name=include"], capture_output=True, text=True,
                             check=True).stdout.strip()
    flags = ["-std=c11", "-Wall", "-Wextra", "-Werror", "-O2", "-ffreestanding", "-nostdinc", "-isystem", include,
             f"-I{ROOT / 'runtime_c' / 'libc' / 'include'}", f"-I{ROOT / 'runtime_c' / 'include'}",
             "-mgeneral-regs-only", "-mno-red-zone", "-fno-pic", "-fstack-protector-strong"]
    for name in ("sha256", "tar", "kv_index", "archive", "crunch", "kv_ro", "kv_rw", "kv_rw_mem"):
        out = subprocess.run(["cc", *flags, "-c", str(KV / f"{name}.c"), "-o", str(tmp_path / f"{name}.o")],
                             capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
