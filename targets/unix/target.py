"""A normal Linux process built with the system compiler and libc (for development and tests)."""

cflags = ["-O2", "-g"]
sources = ["platform.c"]
include = ["include"]
drivers = "drivers"


def run(image, args, tender, devices):
    """The command that boots `image` with boot arguments `args` (devices are opened by
    the drivers themselves, by the names config.py gives)."""
    return [image, *args]
