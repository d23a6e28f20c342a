"""abort, assert and the stack protector (mirage_platform_abort jumps back into
the test platform instead of ending the process)."""
from __future__ import annotations

import re
import subprocess

from tests.runtime.libc.libc_build import FREESTANDING


def test_abort_calls_the_platform(libc):
    before = libc.lib.t_aborts
    assert libc.lib.t_catch_abort(0) == 1
    assert libc.lib.t_aborts == before + 1


def test_failed_assert_prints_and_aborts(libc):
    libc.console()
    assert libc.lib.t_catch_abort(1) == 1
    out = libc.console().decode()
    assert re.fullmatch(r"assertion failed: x == 2 \(.*test_platform\.c:\d+\)\n", out), out


def test_passing_assert_is_silent(libc):
    libc.console()
    assert libc.lib.t_catch_abort(2) == 0
    assert libc.console() == b""


def test_stack_chk_fail(libc):
    libc.console()
    assert libc.lib.t_catch_abort(3) == 1
    assert libc.console() == b"mirage: stack smashing detected\n"


def test_stack_guard_seeding(libc):
    lib = libc.lib
    assert lib.t_stack_guard() & 0xFF == 0 and lib.t_stack_guard() != 0
    seen = set()
    for seed in (0, 1, 2, 0xFFFFFFFFFFFFFFFF, 12345):
        lib.mirage_libc_seed_stack_guard(seed)
        g = lib.t_stack_guard()
        assert g & 0xFF == 0 and g != 0
        seen.add(g)
    assert len(seen) == 5


def test_ndebug_removes_asserts(tmp_path):
    src = tmp_path / "nd.c"
    src.write_text("#define NDEBUG\n#include <assert.h>\nint f(int x) { assert(x++ == 1); return x; }\n"
                   "#undef NDEBUG\n#include <assert.h>\nint g(int x) { assert(x); return x; }\n"
                   "static_assert(sizeof(int) == 4, \"int\");\n")
    out = subprocess.run(["cc", *FREESTANDING, "-std=c11", "-Wall", "-Wextra", "-Werror", "-O2", "-S",
                          "-o", "-", str(src)], check=True, capture_output=True, text=True).stdout
    f_body = out.split("f:", 1)[1].split("g:", 1)[0]
    assert "__mirage_assert_fail" not in f_body  # NDEBUG: gone, side effect included
    assert "__mirage_assert_fail" in out.split("g:", 1)[1]
