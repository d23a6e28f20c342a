"""Log reporters: Mirage's `default_reporter ?clock ?ring_size ?level ()` and
`no_reporter`. Every reporter but no_reporter declares the `--logs` boot argument."""
from __future__ import annotations

from ..cargs import BootArg
from ..errors import ConfigError, caller_location
from ..impl import Device, Impl
from ..key import RuntimeArg
from ..typ import pclock, reporter
from .catalog import CATALOG, catalog_device

LOG_LEVELS = ("error", "warn", "info", "debug")
RING_MAX = 65536  # MIRAGE_LOG_RING_MAX in runtime_c/include/mirage/log.h
_DOC = ("The console reporter: lines \"LEVEL [src] message\" stamped with the UTC time of `clock` "
        "(a pclock), else with the seconds since boot; `ring_size` keeps that many recent lines, "
        "of every level, in memory, dumped when the unikernel aborts.")

no_reporter = catalog_device("no_reporter", reporter, None, "Keep the runtime's default log threshold (info).")


def logs_arg(level: str) -> RuntimeArg:
    """`--logs`, Mirage's syntax: the thresholds as LEVEL or SRC:LEVEL items (default *:level)."""
    return RuntimeArg("logs", str, f"*:{level}",
                      "Log thresholds, e.g. *:info,tcp:debug: LEVEL or SRC:LEVEL items, comma separated "
                      "(quiet, error, warning, info, debug; at most 16 sources).", CATALOG, short="l")


def default_reporter(clock: Impl | None = None, ring_size: int | None = None, level: str = "info") -> Impl:
    """Log messages at `level` and above ("error", "warn", "info", "debug") to the console,
    stamped with `clock`'s UTC time if given (a pclock such as default_posix_clock), else with
    the seconds since boot. `ring_size` lines, of every level, are kept in memory and printed
    if the unikernel aborts (assert, abort, out of memory): the debug context of a crash.
    The `--logs=*:info,tcp:debug` boot argument overrides the levels at boot."""
    loc = caller_location()
    if level not in LOG_LEVELS:
        raise ConfigError(f"default_reporter: unknown level {level!r}", loc,
                          f"use one of {', '.join(LOG_LEVELS)}")
    ring = 0 if ring_size is None else ring_size
    if isinstance(ring, bool) or not isinstance(ring, int) or not 0 <= ring <= RING_MAX:
        raise ConfigError(f"default_reporter: ring_size {ring_size!r} is not a number of lines "
                          f"from 0 to {RING_MAX}", loc)
    if clock is not None and (not isinstance(clock, Impl) or clock.typ != pclock):
        what = f"{clock.label()} : {clock.typ}" if isinstance(clock, Impl) else repr(clock)
        raise ConfigError(f"default_reporter's clock must be a device of module type pclock, not {what}", loc,
                          "e.g. default_reporter(clock=default_posix_clock)")
    c_args = (LOG_LEVELS.index(level), ring, BootArg(logs_arg(level)))
    if clock is None:
        return Device(name="default_reporter", typ=reporter, connect="default_reporter_connect", c_args=c_args,
                      doc=_DOC, location=CATALOG)
    stamped = Device(name="default_reporter", typ=pclock @ reporter, connect="default_reporter_clock_connect",
                     c_args=c_args, doc=_DOC, location=CATALOG)
    return stamped(clock)
