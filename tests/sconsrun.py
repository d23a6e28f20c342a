"""Run scons and built images the way a user would, in temporary copies of examples."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
# This machine's KVM is nested PVM: guests die on any SIMD instruction.
TARGET_FLAGS = {"hvt": ("cpu=nosimd",)}


def copy_example(name: str, dest: Path) -> Path:
    folder = dest / name
    shutil.copytree(EXAMPLES / name, folder, ignore=shutil.ignore_patterns("build", ".sconsign.dblite"))
    return folder


def scons(folder: Path, *args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """`scons -Q ARGS` in folder with this interpreter's SCons (plus the flags this machine
    needs for the target, unless ARGS set cpu=); output captured as text."""
    env = dict(os.environ)
    env.pop("SCONSFLAGS", None)
    target = next((a.split("=", 1)[1] for a in args if a.startswith("target=")), "")
    if not any(a.startswith("cpu=") for a in args):
        args = (*args, *TARGET_FLAGS.get(target, ()))
    result = subprocess.run([sys.executable, "-m", "SCons", "-Q", *args], cwd=folder, env=env,
                            capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"scons {' '.join(args)} failed ({result.returncode}):\n"
                             f"{result.stdout}\n{result.stderr}")
    return result


def built_lines(output: str) -> list[str]:
    """The short build lines (CC/LINK/GEN ...) of a scons run."""
    return [line for line in output.splitlines() if line.split(" ", 1)[0] in ("CC", "LINK", "GEN", "AS")]


def boot(folder: Path, target: str, name: str, *args: str, timeout: float = 60,
         devices: tuple[tuple[str, str, str], ...] = ()) -> subprocess.CompletedProcess[str]:
    """Boot the image built in folder for target, the way `scons run` does; devices are
    (kind, name, host) to attach."""
    from mirage_tools.targets import get_target

    desc = get_target(target)
    image = folder / "build" / target / desc.image_name(name)
    tender = str(folder / "build" / target / "tender" / desc.tender.name) if desc.tender else None
    cmd = desc.command(str(image), args, tender, devices)
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=folder)
    if desc.status:
        result.returncode = desc.status(result.returncode)
    return result
