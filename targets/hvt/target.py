"""A Solo5 hvt image: runs in a KVM virtual machine under the hvt tender (ours or solo5-hvt)."""
from mirage_tools.targets import tender_command as run  # noqa: F401  (how to boot an image)

suffix = ".hvt"
solo5 = True
freestanding = True
drivers = "solo5"
urunc_hypervisor = "hvt"
cflags = ["-O2", "-g", "-mno-red-zone", "-fno-pie", "-fno-pic", "-fstack-protector-strong",
          "-mstack-protector-guard=global"]
cppdefines = ["SOLO5_ABI_TARGET=1", "SOLO5_ABI_VERSION=2"]
sources = ["bindings/*.c", "../solo5/bindings/*.c", "../solo5/bindings/x86_64/*.c", "../solo5/abi_note.c"]
include = ["../solo5/include"]
linker_script = "hvt.ld"
tender = {
    "name": "mirage-hvt",
    "sources": ["tender/*.c", "../solo5/tender/*.c"],
    "include": ["../solo5/include"],
}

