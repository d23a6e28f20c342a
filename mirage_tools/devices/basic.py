"""Console, time, clocks, the no-op job and argv (log reporters are in logs.py)."""
from __future__ import annotations

from ..errors import ConfigError
from ..impl import Device
from ..typ import argv, console, job, mclock, pclock, time
from .catalog import catalog_device

default_console = catalog_device(
    "default_console", console, "default_console_connect",
    "The platform console: stdout on unix, the tender's console on Solo5, COM1 on virtio.")


def custom_console(name: str) -> Device:
    """A named console on the platform console: each line it writes starts with "[name] ",
    so several consoles can share one output and stay apart."""
    if not isinstance(name, str) or not name or "\n" in name:
        raise ConfigError(f"custom_console needs a one-line name, not {name!r}")
    return catalog_device("custom_console", console, "custom_console_connect", custom_console.__doc__ or "",
                          c_args=(name,))


default_time = catalog_device(
    "default_time", time, "default_time_connect",
    "Sleeping and timers on the event loop.")

default_monotonic_clock = catalog_device(
    "default_monotonic_clock", mclock, "default_monotonic_clock_connect",
    "The platform's monotonic clock, in nanoseconds.")

default_posix_clock = catalog_device(
    "default_posix_clock", pclock, "default_posix_clock_connect",
    "The platform's wall clock, in nanoseconds since the Unix epoch.")

noop = catalog_device("noop", job, None, "A job that does nothing.")

# An argv device's one connect argument says whether the generated main reads the command line.
default_argv = catalog_device(
    "default_argv", argv, None,
    "Boot arguments from the platform's command line (argv on unix, the tender's on Solo5).", c_args=(True,))

no_argv = catalog_device("no_argv", argv, None, "Ignore the command line: every boot argument keeps its default.",
                         c_args=(False,))
