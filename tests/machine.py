"""What this machine can run: tests skip only for a missing capability, and say which."""
from __future__ import annotations

import errno
import fcntl
import os
import shutil

KVM_GET_API_VERSION, KVM_CREATE_VM = 0xAE00, 0xAE01


def kvm_unusable() -> str | None:
    """Why hvt guests cannot run on this machine, or None if they can."""
    try:
        fd = os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return "no /dev/kvm on this machine"
    except OSError as e:
        return f"/dev/kvm cannot be opened: {os.strerror(e.errno or errno.EIO)}"
    try:
        if fcntl.ioctl(fd, KVM_GET_API_VERSION, 0) != 12:
            return "/dev/kvm speaks another KVM API version than 12"
        vm = fcntl.ioctl(fd, KVM_CREATE_VM, 0)
        os.close(vm)
    except OSError as e:
        return f"KVM_CREATE_VM fails on /dev/kvm: {os.strerror(e.errno or errno.EIO)}"
    finally:
        os.close(fd)
    return None


def qemu_missing() -> str | None:
    """Why virtio images cannot boot here, or None."""
    return None if shutil.which("qemu-system-x86_64") else "qemu-system-x86_64 is not installed"


def missing(target: str) -> str | None:
    """Why images of `target` cannot boot here, or None."""
    return {"hvt": kvm_unusable, "virtio": qemu_missing}.get(target, lambda: None)()
