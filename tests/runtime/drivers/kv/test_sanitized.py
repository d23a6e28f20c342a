"""The C tests of this folder again, with the drivers built with AddressSanitizer and UBSan
(kvlib's MIRAGE_KV_SANITIZE=1) in a child pytest whose LD_PRELOAD loads the sanitizer
runtimes first: any out-of-bounds access, use after free or undefined behaviour in the
tar reader or the stores, on any hypothesis example, fails this test with the report."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.runtime.drivers.kv.kvlib import HERE, sanitizer_runtimes
from tests.sconsrun import ROOT

C_TESTS = ["test_sha256.py", "test_tar.py", "test_archive.py", "test_stores.py"]


def test_c_tests_under_asan_and_ubsan() -> None:
    runtimes = sanitizer_runtimes()
    if not runtimes:
        pytest.skip("the C compiler has no AddressSanitizer/UBSan runtime (libasan.so, libubsan.so)")
    env = dict(os.environ, MIRAGE_KV_SANITIZE="1", LD_PRELOAD=" ".join(runtimes),
               ASAN_OPTIONS="detect_leaks=0:abort_on_error=1", UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1")
    tests = [str(HERE / name) for name in C_TESTS]
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200)
    assert out.returncode == 0, out.stdout[-6000:] + out.stderr[-6000:]
    assert " passed" in out.stdout
