"""pkg-config: a Makefile-only project builds and boots an spt unikernel using nothing but
pkg-config, `mirage-tools runtime` (library, tender, .pc) and `mirage-tools configure`."""
import os
import shutil
import subprocess
import sys

import pytest

from tests.sconsrun import copy_example

MAKEFILE = """\
# A unikernel built by Make alone: pkg-config gives the flags, mirage-tools the generated C.
TARGET ?= spt
PKG := mirage-runtime-$(TARGET)
CFLAGS := $(shell pkg-config --cflags $(PKG))
LIBS := $(shell pkg-config --libs $(PKG))
SUFFIX := $(shell pkg-config --variable=suffix $(PKG))
GEN := build/$(TARGET)/gen

hello-key$(SUFFIX): $(GEN)/main.o $(GEN)/manifest.o unikernel.o
\t$(CC) -o $@ $^ $(LIBS)

$(GEN)/main.c $(GEN)/manifest.c $(GEN)/mirage_app.h: config.py
\t$(MIRAGE_TOOLS) configure -t $(TARGET)

%.o: %.c $(GEN)/mirage_app.h
\t$(CC) $(CFLAGS) -I$(GEN) -c -o $@ $<
"""


def test_makefile_project_builds_and_boots_with_pkg_config(tmp_path):
    for tool in ("make", "pkg-config"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed on this machine")
    prefix = tmp_path / "prefix"
    subprocess.run([sys.executable, "-m", "mirage_tools.cli", "runtime", "-t", "spt", "--prefix", str(prefix)],
                   check=True, capture_output=True, timeout=600)
    project = copy_example("hello-key", tmp_path)
    (project / "SConstruct").unlink()
    (project / "Makefile").write_text(MAKEFILE)
    env = dict(os.environ, PKG_CONFIG_PATH=str(prefix / "lib" / "pkgconfig"))
    subprocess.run(["make", f"MIRAGE_TOOLS={sys.executable} -m mirage_tools.cli"], cwd=project, env=env,
                   check=True, capture_output=True, timeout=600)
    tender = subprocess.run(["pkg-config", "--variable=tender", "mirage-runtime-spt"], env=env, check=True,
                            capture_output=True, text=True).stdout.strip()
    out = subprocess.run([tender, str(project / "hello-key.spt"), "--hello=Make"], capture_output=True,
                         text=True, timeout=60)
    assert (out.returncode, out.stdout) == (0, "Make\n" * 4)
