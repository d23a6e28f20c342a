"""The log facility's additions (runtime_c/core/log.c) and the console reporter
(reporter.c): per-source thresholds and Mirage's --logs syntax (against a Python
model), wall-clock and monotonic stamps, the ring of recent lines."""
from __future__ import annotations

import datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.runtime.drivers.random.randlib import (
    DEBUG,
    ERROR,
    INFO,
    QUIET,
    STAMP_MONOTONIC,
    STAMP_WALL,
    WARN,
    Args,
    console,
    lib,
    reset,
)

LEVELS = {"quiet": QUIET, "error": ERROR, "warning": WARN, "warn": WARN, "info": INFO, "debug": DEBUG}
MAX_SOURCES = 16


@pytest.fixture(autouse=True)
def fresh() -> Any:
    reset()
    yield
    reset()


def log(level: int, src: str | None, msg: str) -> None:
    ffi, c = lib()
    c.mirage_log(level, src.encode() if src is not None else ffi.NULL, b"%s", ffi.new("char[]", msg.encode()))


def level_of(src: str) -> int:
    _, c = lib()
    return int(c.mirage_log_source_level(src.encode()))


def test_per_source_thresholds_filter_messages() -> None:
    _, c = lib()
    assert c.mirage_log_set_source_level(b"tcp", DEBUG) == 0
    assert c.mirage_log_set_source_level(b"arp", QUIET) == 0
    log(DEBUG, "tcp", "seen")
    log(DEBUG, "ip", "hidden")
    log(ERROR, "arp", "hidden too")
    log(INFO, None, "global")
    assert console() == "DEBUG [tcp] seen\nINFO [-] global\n"
    assert (level_of("tcp"), level_of("arp"), level_of("ip")) == (DEBUG, QUIET, INFO)
    assert c.mirage_log_set_source_level(b"", DEBUG) == c.MIRAGE_EINVAL
    assert c.mirage_log_set_source_level(b"x" * 32, DEBUG) == c.MIRAGE_EINVAL
    assert c.mirage_log_set_source_level(b"x" * 31, DEBUG) == 0
    assert c.mirage_log_set_source_level(b"tcp", 4) == c.MIRAGE_EINVAL


def test_source_table_is_bounded() -> None:
    _, c = lib()
    for i in range(MAX_SOURCES):
        assert c.mirage_log_set_source_level(f"s{i}".encode(), DEBUG) == 0
    assert c.mirage_log_set_source_level(b"one-more", DEBUG) == c.MIRAGE_ENOSPC
    assert c.mirage_log_set_source_level(b"s3", ERROR) == 0  # replacing is fine
    assert c.mirage_log_configure(b"one-more:debug") == c.MIRAGE_ENOSPC


def model_configure(spec: str, glob: int, sources: dict[str, int]) -> tuple[int, dict[str, int]] | None:
    """Mirage's --logs: LEVEL or SRC:LEVEL items; None for a rejected spec."""
    if spec == "":
        return glob, sources
    sources = dict(sources)
    for item in spec.split(","):
        src, colon, text = item.partition(":")
        if not colon:
            src, text = "*", item
        if text not in LEVELS:
            return None
        if src == "*":
            glob = LEVELS[text]
        elif not 0 < len(src) <= 31:
            return None
        else:
            if src not in sources and len(sources) == MAX_SOURCES:
                return None
            sources[src] = LEVELS[text]
    return glob, sources


ITEM = st.one_of(
    st.sampled_from([*LEVELS, "Info", "verbose", "", "app"]),
    st.builds(lambda s, lv: f"{s}:{lv}", st.sampled_from(["*", "tcp", "ip", "a:b", "", "x" * 32, "dns"]),
              st.sampled_from([*LEVELS, "nope", ""])),
)


@given(st.lists(st.lists(ITEM, max_size=5).map(",".join), min_size=1, max_size=4))
def test_configure_matches_the_model(specs: list[str]) -> None:
    _, c = lib()
    reset()
    glob, sources = INFO, {}
    for spec in specs:
        expected = model_configure(spec, glob, sources)
        rc = c.mirage_log_configure(spec.encode())
        assert (rc == 0) == (expected is not None), spec
        if expected is not None:
            glob, sources = expected
        assert c.mirage_log_get_level() == glob
        for name in ("tcp", "ip", "dns", "a", "zzz"):
            assert level_of(name) == sources.get(name, glob), (spec, name)


def test_configure_examples() -> None:
    _, c = lib()
    assert c.mirage_log_configure(b"*:info,tcp:debug") == 0
    assert (c.mirage_log_get_level(), level_of("tcp"), level_of("udp")) == (INFO, DEBUG, INFO)
    assert c.mirage_log_configure(b"warning") == 0
    assert (c.mirage_log_get_level(), level_of("tcp")) == (WARN, DEBUG)
    for bad in (b"info,", b",info", b"tcp:", b"tcp:loud", b"loud", b"tcp:debug,,"):
        assert c.mirage_log_configure(bad) == c.MIRAGE_EINVAL, bad
    assert (c.mirage_log_get_level(), level_of("tcp")) == (WARN, DEBUG)  # all or nothing


def test_monotonic_stamp_counts_from_when_it_is_set() -> None:
    _, c = lib()
    c.fake_set_time(7_000_000_000)
    c.mirage_log_set_stamp(STAMP_MONOTONIC)
    log(INFO, "a", "start")
    c.fake_set_time(7_000_000_000 + 61_234_567_891)
    log(WARN, "a", "later")
    assert console() == "0.000000 INFO [a] start\n61.234567 WARN [a] later\n"


def test_wall_stamp_example() -> None:
    _, c = lib()
    c.mirage_log_set_stamp(STAMP_WALL)
    c.fake_set_wall(1_795_737_600_123_456_789)  # 2026-11-27T00:00:00.123456789Z
    log(INFO, "app", "msg")
    assert console() == "2026-11-27T00:00:00.123Z INFO [app] msg\n"


@given(st.integers(0, 2**64 - 1))
def test_wall_stamp_matches_python(ns: int) -> None:
    _, c = lib()
    reset()
    c.mirage_log_set_stamp(STAMP_WALL)
    c.fake_set_wall(ns)
    log(ERROR, "t", "x")
    secs, rest = divmod(ns, 10**9)
    when = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=secs)
    assert console() == f"{when:%Y-%m-%dT%H:%M:%S}.{rest // 10**6:03d}Z ERROR [t] x\n"


def dump() -> str:
    _, c = lib()
    c.fake_reset()
    c.mirage_log_dump_ring()
    return console()


def test_ring_keeps_the_last_lines_of_every_level() -> None:
    _, c = lib()
    assert c.mirage_log_set_ring(3) == 0
    for i, level in enumerate([INFO, DEBUG, ERROR, DEBUG, WARN]):
        log(level, "r", f"line {i}")
    assert console() == "INFO [r] line 0\nERROR [r] line 2\nWARN [r] line 4\n"
    assert c.fake_console_writes() == 3  # still one write per shown line
    assert dump() == ("--- the last 3 log lines, oldest first ---\n"
                      "ERROR [r] line 2\nDEBUG [r] line 3\nWARN [r] line 4\n"
                      "--- end of the log ring ---\n")
    assert dump() == ""  # a dump empties it
    log(DEBUG, "r", "y" * 500)
    line = dump().splitlines()[1]
    assert len(line) == 160 - 2 and line == "DEBUG [r] " + "y" * (160 - 5 - 10) + "..."


def test_ring_limits_and_off() -> None:
    _, c = lib()
    assert c.mirage_log_set_ring(65537) == c.MIRAGE_EINVAL
    assert c.mirage_log_set_ring(1) == 0
    log(DEBUG, "r", "a")
    log(DEBUG, "r", "b")
    assert dump().splitlines()[1:2] == ["DEBUG [r] b"]
    assert c.mirage_log_set_ring(0) == 0
    log(INFO, "r", "c")
    assert dump() == ""


def reporter(words: list[str], *, clock: bool = False, level: int = INFO, ring: int = 0) -> tuple[int, Any]:
    ffi, c = lib()
    args = Args({"logs": "*:info"}, words)
    assert args.status == 0
    out = ffi.new("struct mirage_reporter *")
    if clock:
        rc = c.default_reporter_clock_connect(out, ffi.new("struct mirage_pclock *"), level, ring, args.value("logs"))
    else:
        rc = c.default_reporter_connect(out, level, ring, args.value("logs"))
    return rc, out


def test_reporter_applies_level_then_logs_argument() -> None:
    _, c = lib()
    c.mirage_log_set_source_level(b"stale", DEBUG)
    rc, out = reporter(["--logs=*:warning,net:debug"], level=DEBUG, ring=4)
    assert rc == 0 and (out.level, out.stamp, out.ring_size) == (WARN, STAMP_MONOTONIC, 4)
    assert (level_of("net"), level_of("stale"), level_of("other")) == (DEBUG, WARN, WARN)
    c.fake_set_time(2_500_000_000)
    log(INFO, "other", "hidden")
    log(DEBUG, "net", "shown")
    assert console() == "2.500000 DEBUG [net] shown\n"
    assert "INFO [other] hidden" in dump()


def test_reporter_with_a_clock_stamps_wall_time() -> None:
    _, c = lib()
    rc, out = reporter([], clock=True, level=ERROR)
    assert rc == 0 and (out.level, out.stamp) == (INFO, STAMP_WALL)  # the --logs default *:info
    c.fake_set_wall(86_400 * 10**9 + 5 * 10**6)
    log(INFO, "app", "up")
    assert console() == "1970-01-02T00:00:00.005Z INFO [app] up\n"


def test_reporter_rejects_bad_configuration() -> None:
    _, c = lib()
    assert reporter([], level=4)[0] == c.MIRAGE_EINVAL
    assert reporter([], level=-2)[0] == c.MIRAGE_EINVAL
    assert reporter([], ring=-1)[0] == c.MIRAGE_EINVAL
    assert reporter([], ring=65537)[0] == c.MIRAGE_EINVAL
    assert reporter([], level=QUIET)[0] == 0
