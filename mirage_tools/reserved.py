"""Names the build itself uses on the command line (`scons NAME=value`): a configure key
of config.py may not take one, or `scons NAME=...` would set both."""
from __future__ import annotations

SCONS_VARIABLES: tuple[str, ...] = (
    "target", "prefix", "VERBOSE", "args", "compiledb", "cache", "cache_size", "oci", "cpu",
    "mem", "tap", "tender_args",
)


def clash(name: str) -> str | None:
    """The build variable a key named `name` would collide with (case does not help on a
    command line read by people), or None."""
    return next((v for v in SCONS_VARIABLES if v.lower() == name.lower()), None)
