"""A Solo5 spt image: runs as a seccomp-sandboxed process under the spt tender (ours or solo5-spt)."""
from mirage_tools.targets import tender_command as run  # noqa: F401  (how to boot an image)

suffix = ".spt"
solo5 = True
freestanding = True
drivers = "solo5"
urunc_hypervisor = "spt"
cflags = ["-O2", "-g", "-mno-red-zone", "-fno-pie", "-fno-pic", "-fstack-protector-strong",
          "-mstack-protector-guard=global"]
cppdefines = ["SOLO5_ABI_TARGET=2", "SOLO5_ABI_VERSION=2"]
sources = ["bindings/*.c", "../solo5/bindings/*.c", "../solo5/abi_note.c"]
include = ["../solo5/include"]
linker_script = "spt.ld"
tender = {
    "name": "mirage-spt",
    "sources": ["tender/*.c", "../solo5/tender/*.c"],
    "include": ["../solo5/include"],
    "packages": ["libseccomp"],
}

