"""pkg-config: a Makefile-only project builds and boots an spt unikernel using nothing but
pkg-config, `mirage-tools runtime` (headers, library, linker script, tender, .pc) and
`mirage-tools configure`; the installed prefix stands on its own once the checkout that
built it is gone. The Makefile is docs/make.md's, so that page cannot drift."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mirage_tools.scons.context import compiler_include
from tests.sconsrun import ROOT, copy_example


def makefile() -> str:
    """The Makefile of docs/make.md (its only ```make block)."""
    text = (ROOT / "docs" / "make.md").read_text()
    blocks = re.findall(r"^```make\n(.*?)^```$", text, re.S | re.M)
    assert len(blocks) == 1, "docs/make.md should hold exactly one ```make block"
    return blocks[0]


def test_makefile_project_builds_and_boots_with_pkg_config(tmp_path: Path) -> None:
    for tool in ("make", "pkg-config"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed on this machine")
    # A throwaway copy of the checkout installs the runtime, and is removed before use.
    checkout = tmp_path / "checkout"
    for part in ("mirage_tools", "runtime_c", "targets", "site_scons", "third_party"):
        shutil.copytree(ROOT / part, checkout / part, ignore=shutil.ignore_patterns("__pycache__", "build"))
    prefix = tmp_path / "prefix"
    env = dict(os.environ, PYTHONPATH=str(checkout))
    env.pop("SCONSFLAGS", None)
    out = subprocess.run([sys.executable, "-m", "mirage_tools.cli", "runtime", "-t", "spt", "--prefix", str(prefix)],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    shutil.rmtree(checkout)
    installed = sorted(p.relative_to(prefix).as_posix() for p in prefix.rglob("*") if p.is_file())
    assert not [p for p in installed if p.endswith((".o", ".dblite"))], installed  # no build leftovers
    assert {"lib/libmirage-runtime-spt.a", "bin/mirage-spt", "lib/mirage-runtime-spt/spt.ld",
            "lib/pkgconfig/mirage-runtime-spt.pc", "include/mirage-runtime-spt/mirage/console.h"} <= set(installed)
    for rel in installed:  # nothing points back at a checkout; no flag names one compiler's own headers
        data = (prefix / rel).read_bytes()
        for where in (str(checkout), str(ROOT), *([compiler_include("cc")] if rel.endswith((".pc", ".h")) else [])):
            assert where.encode() not in data, f"{rel} mentions {where}"

    project = copy_example("hello-key", tmp_path)
    (project / "SConstruct").unlink()
    (project / "Makefile").write_text(makefile())
    env = dict(os.environ, PKG_CONFIG_PATH=str(prefix / "lib" / "pkgconfig"))
    made = subprocess.run(["make", f"MIRAGE_TOOLS={sys.executable} -m mirage_tools.cli"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=600)
    assert made.returncode == 0, made.stdout + made.stderr
    tender = subprocess.run(["pkg-config", "--variable=tender", "mirage-runtime-spt"], env=env, check=True,
                            capture_output=True, text=True).stdout.strip()
    assert tender == str(prefix / "bin" / "mirage-spt")
    booted = subprocess.run([tender, str(project / "hello-key.spt"), "--hello=Make"], capture_output=True,
                            text=True, timeout=60)
    assert (booted.returncode, booted.stdout) == (0, "Make\n" * 4)
