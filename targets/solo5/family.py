"""The Solo5 family: images that speak the Solo5 ABI (a manifest of devices, the
bindings in bindings/, the drivers in drivers/) and, for spt and hvt, a tender that
shares tender/. spt, hvt and virtio extend this with their own differences."""
from mirage_tools.targets import tender_command as run  # noqa: F401  (how a tender boots an image)

solo5 = True
freestanding = True
drivers = "drivers"
cflags = ["-O2", "-g", "-mno-red-zone", "-fno-pie", "-fno-pic", "-fstack-protector-strong",
          "-mstack-protector-guard=global"]
sources = ["bindings/*.c", "abi_note.c"]
include = ["include", "bindings"]
tender = {"sources": ["tender/*.c"], "include": ["include", "tender"]}
