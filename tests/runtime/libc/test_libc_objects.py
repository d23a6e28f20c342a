"""The libc builds for the images: freestanding, -Werror, and without any SSE (with
the runtime's printf engine, runtime_c/format/format.c, which its snprintf wraps)."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.runtime.libc.libc_build import CORE_INCLUDE, CORE_SOURCES, FREESTANDING, LIBC, LIBC_SOURCES

TARGET_FLAGS = [*FREESTANDING, "-fno-pie", "-fstack-protector-strong", "-mstack-protector-guard=global",
                "-mno-red-zone", "-std=c11", "-Wall", "-Wextra", "-Werror", "-O2"]
HEADERS = sorted(p.relative_to(LIBC / "include").as_posix() for p in (LIBC / "include").rglob("*.h"))
VECTOR_REG = re.compile(r"%[xyz]mm\d+")


def compile_all(tmp_path, extra):
    objs = []
    for src in [*LIBC_SOURCES, *CORE_SOURCES]:
        obj = tmp_path / (src.stem + ".o")
        subprocess.run(["cc", *TARGET_FLAGS, f"-I{CORE_INCLUDE}", *extra, "-c", str(src), "-o", str(obj)],
                       check=True)
        objs.append(obj)
    return objs


def test_compiles_with_the_image_flags(tmp_path):
    assert len(compile_all(tmp_path, [])) == len(LIBC_SOURCES) + len(CORE_SOURCES)


def test_general_regs_only_objects_have_no_vector_code(tmp_path):
    objs = compile_all(tmp_path, ["-mgeneral-regs-only"])
    if shutil.which("objdump") is None:
        pytest.skip("objdump is missing: cannot disassemble the objects to look for xmm/ymm use")
    for obj in objs:
        dis = subprocess.run(["objdump", "-d", str(obj)], check=True, capture_output=True, text=True).stdout
        hits = [line for line in dis.splitlines() if VECTOR_REG.search(line)]
        assert not hits, f"{obj.name} uses vector registers:\n" + "\n".join(hits[:10])


@pytest.mark.parametrize("header", HEADERS)
def test_header_stands_alone(tmp_path, header):
    src = tmp_path / "h.c"
    src.write_text(f"#include <{header}>\n#include <{header}>\nint dummy;\n")
    subprocess.run(["cc", *TARGET_FLAGS, "-mgeneral-regs-only", "-pedantic", "-c", str(src),
                    "-o", str(tmp_path / "h.o")], check=True)


def test_limits_h_is_complete(tmp_path):
    # gcc's limits.h defers to ours with #include_next; both orders must work.
    src = tmp_path / "l.c"
    src.write_text("#include <limits.h>\n#include <stdint.h>\n"
                   "_Static_assert(INT_MAX == 2147483647 && LONG_MAX == INT64_MAX, \"\");\n"
                   "_Static_assert(ULLONG_MAX == UINT64_MAX && CHAR_BIT == 8 && SSIZE_MAX > 0, \"\");\n")
    subprocess.run(["cc", *TARGET_FLAGS, "-c", str(src), "-o", str(tmp_path / "l.o")], check=True)
    swapped = ["-ffreestanding", "-nostdinc", "-isystem", str(LIBC / "include"),
               "-isystem", FREESTANDING[3]]
    subprocess.run(["cc", *swapped, "-std=c11", "-Werror", "-c", str(src), "-o", str(tmp_path / "m.o")],
                   check=True)
