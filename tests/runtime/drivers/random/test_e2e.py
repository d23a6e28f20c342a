"""End to end: examples/clock built with scons and booted on unix and spt (wall clock,
timers in deadline order, elapsed time, random bytes, --seed, --logs, stamped logs); a
unikernel using app_info; on unix, the log ring dumped when the unikernel aborts."""
from __future__ import annotations

import datetime
import hashlib
import re
import signal
import time
from pathlib import Path

import pytest

from tests.machine import missing
from tests.runtime.drivers.random.test_drbg import Model
from tests.sconsrun import boot, copy_example, scons

TARGETS = ["unix", "spt", "hvt", "virtio"]
CLOCK = re.compile(
    r"wall clock: (?P<iso>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) \((?P<secs>\d+) s since the epoch\)\n"
    r"timer 10 ms fired after (?P<t10>\d+) ms\n"
    r"timer 20 ms fired after (?P<t20>\d+) ms\n"
    r"timer 30 ms fired after (?P<t30>\d+) ms\n"
    r"slept 50 ms: (?P<slept>\d+) ms elapsed\n"
    r"random \((?P<source>[-a-z]+)\):(?P<bytes>( [0-9a-f]{2}){8})\n"
    r"(?P<log>(?:[^\n]*\n)?)")
LOG = re.compile(r"(?P<stamp>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})Z INFO \[clock\] done\n")
SOLO5_SOURCES = {"rdseed", "rdrand", "jitter"}
SOURCES = {"unix": {"getrandom"}, "spt": SOLO5_SOURCES, "hvt": SOLO5_SOURCES, "virtio": SOLO5_SOURCES}


@pytest.fixture(scope="module", params=TARGETS)
def clock(request, tmp_path_factory):
    why = missing(request.param)
    if why:
        pytest.skip(f"{request.param} images cannot boot here: {why}")
    folder = copy_example("clock", tmp_path_factory.mktemp(request.param))
    scons(folder, f"target={request.param}", "-j4")
    return request.param, folder


def run_clock(clock, *args: str) -> re.Match[str]:
    target, folder = clock
    out = boot(folder, target, "clock", *args)
    assert out.returncode == 0, out.stdout + out.stderr
    m = CLOCK.fullmatch(out.stdout)
    assert m, out.stdout
    return m


def test_clock_prints_time_timers_sleep_and_random_bytes(clock):
    before = time.time()
    m = run_clock(clock)
    after = time.time()
    secs = int(m["secs"])
    assert before - 2 <= secs <= after + 1
    assert m["iso"] == datetime.datetime.fromtimestamp(secs, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    fired = [int(m["t10"]), int(m["t20"]), int(m["t30"])]
    assert all(d <= t < d + 500 for d, t in zip((10, 20, 30), fired)), fired
    assert 50 <= int(m["slept"]) < 1000
    assert m["source"] in SOURCES[clock[0]]
    log = LOG.fullmatch(m["log"])
    assert log, m["log"]
    stamp = datetime.datetime.strptime(log["stamp"], "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=datetime.timezone.utc)
    assert before - 2 <= stamp.timestamp() <= after + 1


def test_random_bytes_differ_between_boots(clock):
    assert run_clock(clock)["bytes"] != run_clock(clock)["bytes"]


def test_seed_makes_the_bytes_reproducible_and_the_same_on_every_target(clock):
    expected = "".join(f" {b:02x}" for b in Model(bytes.fromhex("00ff")).generate(8))
    for args in (["--seed=00ff"], ["--seed", "00FF"]):
        m = run_clock(clock, *args)
        assert (m["source"], m["bytes"]) == ("--seed", expected)


def test_logs_argument_sets_thresholds(clock):
    assert run_clock(clock, "--logs=clock:warning")["log"] == ""
    assert run_clock(clock, "--logs=quiet,clock:info")["log"].endswith("INFO [clock] done\n")
    assert run_clock(clock, "--logs=warn")["log"] == ""


@pytest.mark.parametrize("args, message", [
    (["--seed=abc"], "clock: bad value 'abc' for --seed: expected an even number of hex digits"),
    (["--seed=zz"], "bad value 'zz' for --seed"),
    (["--seed=" + "00" * 65], "for --seed"),
    (["--logs=tcp:loud"], "clock: bad value 'tcp:loud' for --logs: expected LEVEL or SRC:LEVEL"),
    (["--logs=" + ",".join(f"s{i}:debug" for i in range(17))], "at most 16 sources"),
])
def test_bad_seed_or_logs_is_a_usage_error(clock, args, message):
    target, folder = clock
    out = boot(folder, target, "clock", *args)
    assert out.returncode == 64 and message in out.stdout
    assert "wall clock" not in out.stdout


def test_help_lists_seed_and_logs(clock):
    target, folder = clock
    out = boot(folder, target, "clock", "--help")
    assert out.returncode == 63
    assert "--seed=STRING" in out.stdout and "--logs=STRING" in out.stdout and "(default: *:info)" in out.stdout


INFO_CONFIG = """\
from mirage_tools import *
flavour = Key("flavour", str, "plain", "A configure key.")
m = main("unikernel", info @ console @ job, keys=[flavour], packages=[package("zlib", min="1.2")])
register("infoapp", [m(app_info, default_console)], reporter=no_reporter)
"""

INFO_C = """\
#include <mirage/console.h>
#include <mirage/info.h>

#include "mirage_app.h"

int unikernel_start(struct mirage_info *info, struct mirage_console *console)
{
    size_t len;
    const char *flavour = mirage_info_key(info, "flavour", &len);
    mirage_console_printf(console, "%s on %s, %zu keys, %zu packages: %s\\nflavour=%.*s\\nsha256 %s\\n",
                          info->name, info->target, info->nkeys, info->npackages, info->packages,
                          (int)len, flavour, info->config_sha256);
    return 0;
}
"""


@pytest.mark.parametrize("target", TARGETS)
def test_app_info_tells_the_unikernel_about_its_build(tmp_path, target):
    folder = tmp_path / "infoapp"
    folder.mkdir()
    (folder / "config.py").write_text(INFO_CONFIG)
    (folder / "unikernel.c").write_text(INFO_C)
    (folder / "SConstruct").write_text((Path(__file__).parents[4] / "examples/hello/SConstruct").read_text())
    scons(folder, f"target={target}", "flavour=spicy")
    out = boot(folder, target, "infoapp")
    sha = hashlib.sha256(INFO_CONFIG.encode()).hexdigest()
    assert (out.returncode, out.stdout) == (
        0, f"infoapp on {target}, 2 keys, 1 packages: zlib>=1.2\nflavour=spicy\nsha256 {sha}\n")


RING_CONFIG = """\
from mirage_tools import *
register("crash", [main("unikernel", job)], reporter=default_reporter(ring_size=3))
"""

RING_C = """\
#include <stdlib.h>

#include <mirage/log.h>

#include "mirage_app.h"

int unikernel_start(void)
{
    for (int i = 0; i < 5; i++)
        MIRAGE_LOG_DEBUG("crash", "step %d", i);
    MIRAGE_LOG_WARN("crash", "giving up");
    abort();
}
"""


def test_log_ring_is_dumped_when_a_unix_unikernel_aborts(tmp_path):
    folder = tmp_path / "crash"
    folder.mkdir()
    (folder / "config.py").write_text(RING_CONFIG)
    (folder / "unikernel.c").write_text(RING_C)
    (folder / "SConstruct").write_text((Path(__file__).parents[4] / "examples/hello/SConstruct").read_text())
    scons(folder, "target=unix")
    out = boot(folder, "unix", "crash")
    assert out.returncode == -signal.SIGABRT
    stamp = r"\d+\.\d{6}"
    assert re.fullmatch(
        rf"{stamp} WARN \[crash\] giving up\n"
        r"--- the last 3 log lines, oldest first ---\n"
        rf"{stamp} DEBUG \[crash\] step 3\n{stamp} DEBUG \[crash\] step 4\n{stamp} WARN \[crash\] giving up\n"
        r"--- end of the log ring ---\n", out.stdout), out.stdout
