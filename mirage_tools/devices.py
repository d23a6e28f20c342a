"""The device catalog: implementations users compose in config.py. Each device's `doc`
is its documentation. The runtime core (runtime_c/core) is linked into every image;
`sources` name the extra drivers a device needs, relative to runtime_c/."""
from __future__ import annotations

from .impl import Device
from .typ import argv, console, job, mclock, pclock, reporter, time

LOG_LEVELS = ("error", "warn", "info", "debug")


def _catalog(name: str, typ: object, connect: str | None, doc: str, **kw: object) -> Device:
    from .errors import Location

    return Device(name=name, typ=typ, connect=connect, doc=doc,  # type: ignore[arg-type]
                  location=Location("<catalog>", 0), **kw)  # type: ignore[arg-type]


default_console = _catalog(
    "default_console", console, "default_console_connect",
    "The platform console: stdout on unix, the tender's console on Solo5, COM1 on virtio.")

default_time = _catalog(
    "default_time", time, "default_time_connect",
    "Sleeping and timers on the event loop.")

default_monotonic_clock = _catalog(
    "default_monotonic_clock", mclock, "default_monotonic_clock_connect",
    "The platform's monotonic clock, in nanoseconds.")

default_posix_clock = _catalog(
    "default_posix_clock", pclock, "default_posix_clock_connect",
    "The platform's wall clock, in nanoseconds since the Unix epoch.")

noop = _catalog("noop", job, None, "A job that does nothing.")

default_argv = _catalog(
    "default_argv", argv, None,
    "Boot arguments from the platform's command line (argv on unix, the tender's on Solo5).")

no_argv = _catalog("no_argv", argv, None,
                   "Ignore the command line: every boot argument keeps its default.")

no_reporter = _catalog("no_reporter", reporter, None, "Keep the runtime's default log threshold (info).")


def default_reporter(level: str = "info") -> Device:
    """Log messages at `level` and above to the console ("error", "warn", "info", "debug")."""
    from .errors import ConfigError

    if level not in LOG_LEVELS:
        raise ConfigError(f"default_reporter: unknown level {level!r}",
                          hint=f"use one of {', '.join(LOG_LEVELS)}")
    return _catalog("default_reporter", reporter, "default_reporter_connect",
                    "Console log reporter.", c_args=(LOG_LEVELS.index(level),))
