"""A normal Linux process built with the system compiler and libc (for development and tests)."""

cflags = ["-O2", "-g"]
sources = ["platform.c"]
include = ["include"]
drivers = "drivers"


def run(image, args, tender, devices, options):
    """The command that boots `image` with boot arguments `args`. The drivers open their
    devices themselves, by the names config.py gives, unless platform options before the
    boot arguments say otherwise (--net:NAME=TAP, as a Solo5 tender's): run passes the taps,
    then tender_args=."""
    if options.mem_mib is not None:
        raise ValueError("mem= sets a virtual machine's memory; a unix image is a process that "
                         "uses the host's (drop mem=, or build for target=spt, hvt or virtio)")
    attach = [f"--net:{name}={host}" for kind, name, host in devices if kind == "net"]
    return [image, *attach, *options.tender_args, *args]
