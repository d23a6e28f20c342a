"""The unix target's platform, run for real as a process (targets/unix/platform.c
with the runtime core and a probe standing in for generated main.c)."""
from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.cbuild import ROOT
from tests.runtime.core.corelib import CORE_SOURCES

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    exe = tmp_path_factory.mktemp("unix") / "unix_probe"
    subprocess.run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-O1",
                    f"-I{ROOT / 'runtime_c' / 'include'}", f"-I{ROOT / 'targets' / 'unix' / 'include'}",
                    "-o", str(exe), *map(str, CORE_SOURCES), str(ROOT / "targets" / "unix" / "platform.c"),
                    str(HERE / "unix_probe.c")], check=True)
    return exe


def run(probe: Path, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([str(probe), *args], input=stdin, capture_output=True, timeout=20)


def test_exit_status_is_mirage_main_result(probe: Path) -> None:
    for status in (0, 3, 64):
        r = run(probe, "exit", str(status))
        assert (r.returncode, r.stdout) == (status, b"")


def test_long_console_output_is_complete(probe: Path) -> None:
    r = run(probe, "long")
    assert r.returncode == 0
    assert r.stdout == b"<" + b"a" * 100000 + b">\n"


def test_sleep_waits_and_timers_fire(probe: Path) -> None:
    before = time.time_ns()
    r = run(probe, "sleep")
    after = time.time_ns()
    assert r.returncode == 0
    lines = r.stdout.decode().splitlines()
    assert lines[:2] == ["timer 20ms", "slept enough"]
    wall = int(lines[2].split()[1])
    assert before <= wall <= after


def test_watched_fd_readiness_reaches_the_loop(probe: Path) -> None:
    r = run(probe, "stdin", stdin=b"hello")
    assert r.returncode == 0
    assert r.stdout == b"read 5: hello\neof\n"


def test_exit_and_abort(probe: Path) -> None:
    assert run(probe, "platform-exit").returncode == 9
    assert run(probe, "abort").returncode == -signal.SIGABRT
