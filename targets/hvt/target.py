"""A Solo5 hvt image: runs in a KVM virtual machine under the hvt tender (ours or solo5-hvt)."""

family = "solo5"
suffix = ".hvt"
urunc_hypervisor = "hvt"
cppdefines = ["SOLO5_ABI_TARGET=1", "SOLO5_ABI_VERSION=2"]
sources = ["bindings/*.c"]
family_sources = ["bindings/x86_64/*.c"]  # the x86-64 VM code hvt and virtio share
linker_script = "hvt.ld"
tender = {"name": "mirage-hvt", "sources": ["tender/*.c"]}
