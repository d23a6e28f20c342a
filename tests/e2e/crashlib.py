"""Shared by the crash tests: build tests/e2e/crash_app for a target, boot it with the
devices attached, and read its records back from the disk or the store."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from mirage_tools.targets import get_target
from tests.sconsrun import scons

APP = Path(__file__).resolve().parent / "crash_app"
REC = 512


def record(gen: int, i: int) -> bytes:
    """Record i of generation gen, as crash_app/unikernel.c writes it."""
    body = bytes((gen * 31 + i * 7 + k) & 0xFF for k in range(12, REC - 4))
    h = 2166136261
    for b in body:
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return b"REC1" + gen.to_bytes(4, "little") + i.to_bytes(4, "little") + body + h.to_bytes(4, "little")


def generation(data: bytes, i: int) -> int:
    """The generation a record slot holds: 0 for zeros (never written); AssertionError for
    anything else (a torn or misplaced record)."""
    if data == bytes(len(data)):
        return 0
    assert len(data) == REC and data[:4] == b"REC1", f"record {i}: not a record: {data[:16]!r}"
    gen = int.from_bytes(data[4:8], "little")
    assert data == record(gen, i), f"record {i}: torn (generation {gen} header, other bytes)"
    return gen


def build(folder: Path, target: str) -> Path:
    """A copy of crash_app in folder, built for target."""
    app = folder / "crash_app"
    if not app.exists():
        shutil.copytree(APP, app, ignore=shutil.ignore_patterns("build", ".sconsign.dblite"))
        (app / "store").mkdir()
    scons(app, f"target={target}", "-j2")
    return app


def command(app: Path, target: str, disk: Path, args: list[str], sync: bool = False) -> list[str]:
    desc = get_target(target)
    image = app / "build" / target / desc.image_name("crash")
    tender = str(app / "build" / target / "tender" / desc.tender.name) if desc.tender else None
    devices = [("block", "disk", str(disk))] + ([("block-sync", "disk", "")] if sync else [])
    return desc.command(str(image), args, tender, devices)


def acks(stdout: bytes) -> set[int]:
    return {int(line.split()[1]) for line in stdout.decode().splitlines() if line.startswith("ack ")}


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=60)
