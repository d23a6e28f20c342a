"""Error names, logging and the connect-failure report."""
from __future__ import annotations

from tests.runtime.core.corelib import console_output, core, reset


def test_strerror_names_every_code() -> None:
    ffi, lib = core()
    codes = sorted(int(getattr(lib, n)) for n in dir(lib) if n.startswith("MIRAGE_E") or n == "MIRAGE_OK")
    names = {code: ffi.string(lib.mirage_strerror(code)).decode() for code in codes}
    assert names[0] == "success"
    assert names[int(lib.MIRAGE_EINVAL)] == "invalid argument"
    assert names[int(lib.MIRAGE_ENOMEM)] == "out of memory"
    assert "unknown error" not in names.values()
    assert len(set(names.values())) == len(names)  # all distinct
    assert ffi.string(lib.mirage_strerror(codes[0] - 1)) == b"unknown error"
    assert ffi.string(lib.mirage_strerror(5)) == b"unknown error"


def test_log_levels_and_format() -> None:
    ffi, lib = core()
    reset()
    assert lib.mirage_log_get_level() == lib.MIRAGE_LOG_INFO
    lib.mirage_log(lib.MIRAGE_LOG_INFO, b"net", b"up on %s:%d", ffi.new("char[]", b"eth0"),
                   ffi.cast("int", 80))
    lib.mirage_log(lib.MIRAGE_LOG_DEBUG, b"net", b"hidden")
    lib.mirage_log(lib.MIRAGE_LOG_ERROR, ffi.NULL, b"no source")
    assert console_output() == b"INFO [net] up on eth0:80\nERROR [-] no source\n"
    assert lib.fake_console_writes() == 2  # one write per line
    try:
        lib.mirage_log_set_level(lib.MIRAGE_LOG_DEBUG)
        reset()
        lib.mirage_log(lib.MIRAGE_LOG_DEBUG, b"app", b"%s", ffi.new("char[]", b"x" * 600))
        lib.mirage_log(lib.MIRAGE_LOG_WARN, b"app", b"careful")
        assert console_output() == b"DEBUG [app] " + b"x" * 600 + b"\nWARN [app] careful\n"
        lib.mirage_log_set_level(lib.MIRAGE_LOG_ERROR)
        reset()
        lib.mirage_log(lib.MIRAGE_LOG_WARN, b"app", b"quiet")
        assert console_output() == b""
    finally:
        lib.mirage_log_set_level(lib.MIRAGE_LOG_INFO)


def test_connect_failed() -> None:
    _, lib = core()
    reset()
    status = lib.mirage_connect_failed(b"block0", b"block_of_file", b"config.py:12", lib.MIRAGE_ENOENT)
    assert status == 1
    assert console_output() == (
        b"mirage: cannot connect device block0 (block_of_file) at config.py:12: no such entry\n")
