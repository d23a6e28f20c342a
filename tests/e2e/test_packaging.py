"""`pip install .` (not editable) into a fresh virtualenv gives a working tool: the wheel
carries runtime_c/, targets/ and the SCons tool, and the mirage-tools script."""
import subprocess
import sys
import venv
import zipfile

import pytest

from tests.sconsrun import ROOT, copy_example


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pkg")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", tmp / "dist", ROOT],
                           check=True, timeout=300, capture_output=True, text=True)
    # Setup prints no deprecation warnings (project.license is an SPDX string, issue 11).
    assert "Deprecat" not in built.stdout + built.stderr, built.stdout[-3000:] + built.stderr[-3000:]
    wheel = next((tmp / "dist").glob("mirage_tools-*.whl"))
    venv.create(tmp / "venv", with_pip=True)
    subprocess.run([tmp / "venv/bin/python", "-m", "pip", "install", "-q", wheel], check=True, timeout=600)
    return tmp, wheel


def test_wheel_carries_runtime_targets_and_tool(installed):
    _, wheel = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in ("mirage_tools/runtime_c/core/loop.c", "mirage_tools/runtime_c/include/mirage/console.h",
                     "mirage_tools/targets/unix/target.py", "mirage_tools/targets/unix/platform.c",
                     "mirage_tools/site_tools/mirage/__init__.py", "mirage_tools/templates/main.c.j2",
                     "mirage_tools/third_party/sources.lock"):
        assert expected in names, expected


def test_installed_tool_builds_and_boots_hello(installed):
    tmp, _ = installed
    folder = copy_example("hello", tmp)
    out = subprocess.run([tmp / "venv/bin/scons", "-Q", "-C", str(folder), "target=unix", "run"],
                         capture_output=True, text=True, timeout=300, cwd=tmp)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines().count("hello") == 4
    assert str(ROOT) not in (folder / "build/unix/gen/main.c").read_text()
    describe = subprocess.run([tmp / "venv/bin/mirage-tools", "describe"], cwd=folder,
                              capture_output=True, text=True, timeout=60)
    assert describe.returncode == 0 and "Name       hello" in describe.stdout
    listed = subprocess.run([tmp / "venv/bin/mirage-tools", "sources", "list"], cwd=tmp,
                            capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0 and listed.stdout.startswith("lwip\t2.1.3\t"), listed.stderr
