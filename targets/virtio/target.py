"""A Solo5 virtio image: boots under QEMU (Multiboot, legacy virtio-pci devices; TCG when KVM is unusable)."""
import os

from mirage_tools.cmdline import solo5_cmdline as _cmdline

family = "solo5"
suffix = ".virtio"
urunc_hypervisor = "qemu"
cppdefines = ["SOLO5_ABI_TARGET=3", "SOLO5_ABI_VERSION=1"]
sources = ["bindings/*.c", "bindings/*.S"]
family_sources = ["bindings/x86_64/*.c"]  # the x86-64 VM code hvt and virtio share
linker_script = "virtio.ld"


def _accel():
    """kvm when QEMU can use hardware virtualisation here, tcg otherwise (detected, not
    assumed): /dev/kvm must be usable and the CPU must have VMX or SVM. A KVM without them
    (nested PVM, as on some cloud machines) emulates guests and kills them on SSE."""
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return "tcg"
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), [])
    except OSError:
        return "tcg"
    return "kvm" if "vmx" in flags or "svm" in flags else "tcg"


def run(image, args, tender, devices, options):
    """QEMU booting `image` with boot arguments `args`; devices attach in manifest order
    (the k-th device of a kind serves the k-th manifest entry of that kind). 128 MiB of
    memory unless mem= says otherwise; tender_args= go to QEMU."""
    cmd = ["qemu-system-x86_64", "-cpu", "Westmere", "-m", str(options.mem_mib or 128), "-nodefaults",
           "-no-user-config", "-machine", f"pc,accel={_accel()},acpi=off", "-display", "none", "-serial", "stdio",
           "-device", "isa-debug-exit", "-no-reboot", "-kernel", image]
    for i, (kind, _name, host) in enumerate(devices):
        if kind == "block":
            cmd += ["-drive", f"id=d{i},file={host},if=none,format=raw", "-device", f"virtio-blk,drive=d{i}"]
        elif kind == "block-sync":
            pass  # the guest flushes after each write itself
        else:
            cmd += ["-netdev", f"tap,id=n{i},ifname={host},script=no,downscript=no",
                    "-device", f"virtio-net,netdev=n{i}"]
    cmd += options.tender_args
    if args:
        cmd += ["-append", _cmdline(args)]
    return cmd


def status(returncode):
    """The guest's exit status: isa-debug-exit makes QEMU exit with (status << 1) | 1."""
    if returncode > 0 and returncode & 1:
        return 255 if returncode == 255 else returncode >> 1
    return 1
