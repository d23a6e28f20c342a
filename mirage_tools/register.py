"""`register`: the single call in config.py that names the unikernel and its jobs."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .devices import default_argv, default_reporter
from .errors import ConfigError, Location, caller_location
from .impl import Impl, Package
from .key import Key
from .typ import argv as argv_typ
from .typ import job as job_typ
from .typ import reporter as reporter_typ

# MirageOS accepts names such as "noop-functor.v0": the name is a file name (the image) and a
# C string (MIRAGE_APP_NAME), never a C identifier, so '.' is fine inside it.
_APP_NAME = re.compile(r"^[A-Za-z](?:[A-Za-z0-9_-]|\.(?=[A-Za-z0-9_-]))*$")


@dataclass(frozen=True)
class Registration:
    name: str
    jobs: tuple[Impl, ...]
    argv: Impl
    reporter: Impl
    keys: tuple[Key, ...]
    packages: tuple[Package, ...]
    src: str | tuple[str, ...] | None  # "auto", None, or explicit files
    location: Location


class _Registry:
    """Holds the registration made while one config.py is evaluated."""

    def __init__(self) -> None:
        self.current: Registration | None = None
        self.active = False


REGISTRY = _Registry()


def register(name: str, jobs: Sequence[Impl], *, argv: Impl | None = None, reporter: Impl | None = None,
             keys: Sequence[Key] = (), packages: Sequence[Package] = (),
             src: str | Sequence[str] | None = "auto") -> None:
    """Register the unikernel `name` running `jobs` (each of module type job).

    `src`: "auto" compiles every *.c next to config.py, None compiles none, or a list of files."""
    loc = caller_location()
    if REGISTRY.current is not None:
        raise ConfigError("register() is called a second time", loc,
                          f"the first call is at {REGISTRY.current.location}; a config.py registers one unikernel")
    if not isinstance(name, str) or not _APP_NAME.match(name):
        raise ConfigError(f"invalid unikernel name {name!r}", loc,
                          "it names the image file: use letters, digits, '-', '_' and single '.' inside, "
                          "starting with a letter (e.g. 'noop-functor.v0')")
    if isinstance(jobs, Impl) or not isinstance(jobs, Sequence):
        raise ConfigError("register's jobs must be a list of devices of module type job", loc,
                          f"write register({name!r}, [my_job])")
    if not jobs:
        raise ConfigError("register() needs at least one job", loc)
    for i, j in enumerate(jobs, 1):
        if not isinstance(j, Impl):
            raise ConfigError(f"job {i} is {type(j).__name__} {j!r}, not a device", loc)
        if j.typ != job_typ:
            raise ConfigError(f"job {i} ({j.label()}) has module type {j.typ}, not job", loc,
                              "apply the functor to all its arguments, e.g. main(...)(default_console)")
    argv_impl = argv if argv is not None else default_argv
    if not isinstance(argv_impl, Impl) or argv_impl.typ != argv_typ:
        raise ConfigError("register's argv must be a device of module type argv (default_argv or no_argv)", loc)
    reporter_impl = reporter if reporter is not None else default_reporter()
    if not isinstance(reporter_impl, Impl) or reporter_impl.typ != reporter_typ:
        raise ConfigError("register's reporter must be a device of module type reporter", loc)
    for k in keys:
        if not isinstance(k, Key):
            raise ConfigError(f"register's keys must be Key values, not {k!r}", loc)
    source: str | tuple[str, ...] | None
    if src is None or src == "auto":
        source = src
    elif isinstance(src, str):
        source = (src,)
    else:
        source = tuple(src)
        if not all(isinstance(s, str) for s in source):
            raise ConfigError("register's src must be 'auto', None or a list of file names", loc)
    REGISTRY.current = Registration(name, tuple(jobs), argv_impl, reporter_impl, tuple(keys),
                                    tuple(packages), source, loc)

