"""A Solo5 spt image: runs as a seccomp-sandboxed process under the spt tender (ours or solo5-spt)."""

family = "solo5"
suffix = ".spt"
urunc_hypervisor = "spt"
cppdefines = ["SOLO5_ABI_TARGET=2", "SOLO5_ABI_VERSION=2"]
sources = ["bindings/*.c"]
linker_script = "spt.ld"
tender = {"name": "mirage-spt", "sources": ["tender/*.c"], "packages": ["libseccomp"]}
