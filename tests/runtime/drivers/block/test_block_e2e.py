"""examples/block built with scons and booted on unix and spt: the round trip works and the
data lands in the host file; `scons run` creates a missing disk.img and never touches an
existing one; a missing file without a size and a wrong device name are clean errors;
generic_block with block=ramdisk builds and boots."""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.machine import missing
from tests.sconsrun import boot, copy_example, scons

TARGETS = ["unix", "spt", "hvt", "virtio"]
MiB = 1 << 20
REGION = 64  # sectors the example writes at each end of the disk


def pattern_base(off: int) -> int:
    """The example's pattern before the generation is added (see examples/block/unikernel.c)."""
    x = ((off >> 2) * 2654435761 & 0xFFFFFFFF) ^ ((off >> 32) & 0xFFFFFFFF)
    x ^= x >> 15
    return (x >> (8 * (off & 3))) & 0xFF


def pattern(start: int, length: int, gen: int) -> bytes:
    return bytes((pattern_base(o) + gen) & 0xFF for o in range(start, start + length))


def generation(stdout: str) -> int:
    m = re.search(r"^block: pattern generation (\d+)$", stdout, re.M)
    assert m, stdout
    return int(m.group(1))


def commit_sector(gen: int, sector_size: int = 512) -> bytes:
    """The example's commit sector for generation gen (see examples/block/unikernel.c)."""
    head = b"MIRBLKG1" + gen.to_bytes(4, "little")
    h = 2166136261
    for byte in head:
        h = ((h ^ byte) * 16777619) & 0xFFFFFFFF
    return (head + h.to_bytes(4, "little")).ljust(sector_size, b"\0")


def check_disk(data: bytes, gen: int, sector_size: int = 512) -> None:
    """The example's pattern at both ends of the disk image, the commit sector after the
    head; zeros in between."""
    region = REGION * sector_size
    tail = len(data) - region
    assert data[:region] == pattern(0, region, gen)
    assert data[tail:] == pattern(tail, region, gen)
    assert data[region:region + sector_size] == commit_sector(gen, sector_size)
    assert data[region + sector_size:tail] == bytes(tail - region - sector_size)


class Examples:
    """Copies of examples/block, built once per target per session. Variant tests rewrite
    config.py in that same folder and put it back afterwards (scons then rebuilds only
    main.c, the drivers that change and the link: much faster than another copy)."""

    def __init__(self, tmp: pytest.TempPathFactory) -> None:
        self.tmp = tmp
        self.folders: dict[str, Path] = {}

    def get(self, target: str) -> Path:
        why = missing(target)
        if why:
            pytest.skip(f"{target} images cannot boot here: {why}")
        if target not in self.folders:
            folder = copy_example("block", self.tmp.mktemp(target))
            (folder / "disk.img").unlink(missing_ok=True)
            scons(folder, f"target={target}", "-j2")
            self.folders[target] = folder
        return self.folders[target]

    @contextlib.contextmanager
    def variant(self, target: str, config: str) -> Iterator[Path]:
        """The folder of target with the example's disk replaced by `config` in config.py."""
        folder = self.get(target)
        original = (folder / "config.py").read_text()
        old = 'block_of_file("disk", size="1MiB")'
        assert old in original, "examples/block/config.py changed: update this test"
        (folder / "config.py").write_text(original.replace(old, config))
        (folder / "disk.img").unlink(missing_ok=True)
        try:
            yield folder
        finally:
            (folder / "config.py").write_text(original)
            (folder / "disk.img").unlink(missing_ok=True)
            scons(folder, f"target={target}", "-j2")


@pytest.fixture(scope="session")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Examples:
    return Examples(tmp_path_factory)


@pytest.fixture(params=TARGETS)
def built(request: pytest.FixtureRequest, examples: Examples) -> tuple[str, Path]:
    return request.param, examples.get(request.param)


def _boot(target: str, folder: Path, disk: Path, sync: bool = True) -> subprocess.CompletedProcess[str]:
    """Booted as `scons run` would; on spt and hvt with our tender's --block-sync unless
    sync is False (then the example says once that it cannot flush)."""
    extra = (("block-sync", "disk", ""),) if sync and target in ("spt", "hvt") else ()
    return boot(folder, target, "block", devices=(("block", "disk", str(disk)), *extra))


def test_round_trip_lands_in_the_host_file(built: tuple[str, Path]) -> None:
    target, folder = built
    disk = folder / "disk.img"
    disk.write_bytes(bytes(MiB))
    out = _boot(target, folder, disk)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout == ("block: 2048 sectors of 512 bytes, read-write\n"
                          "block: pattern generation 1\n"
                          "block: wrote and read back 64 KiB: OK\n")
    check_disk(disk.read_bytes(), 1)
    again = _boot(target, folder, disk)  # the next run reads generation 1 back and writes 2
    assert again.returncode == 0 and generation(again.stdout) == 2, again.stdout
    assert "block: previous run's pattern (generation 1) read back: OK\n" in again.stdout
    check_disk(disk.read_bytes(), 2)
    damaged = bytearray(disk.read_bytes())
    damaged[-1] ^= 0xFF  # the last sector of the previous run's pattern
    disk.write_bytes(bytes(damaged))
    broken = _boot(target, folder, disk)
    assert broken.returncode == 1 and "previous run's data damaged" in broken.stdout, broken.stdout


def test_scons_run_creates_a_missing_disk(built: tuple[str, Path]) -> None:
    target, folder = built
    disk = folder / "disk.img"
    disk.unlink(missing_ok=True)
    out = scons(folder, f"target={target}", "run")
    assert "block: 2048 sectors of 512 bytes, read-write" in out.stdout
    assert "block: wrote and read back 64 KiB: OK" in out.stdout
    assert disk.stat().st_size == MiB
    check_disk(disk.read_bytes(), 1)


def test_scons_run_keeps_an_existing_disk(built: tuple[str, Path]) -> None:
    target, folder = built
    disk = folder / "disk.img"
    marker = b"keep me" * 73
    content = bytearray(2 * MiB)
    content[MiB:MiB + len(marker)] = marker
    region = REGION * 512  # as if generation 41 had run: its pattern at both ends
    content[:region] = pattern(0, region, 41)
    content[-region:] = pattern(2 * MiB - region, region, 41)
    content[region:region + 512] = commit_sector(41)
    disk.write_bytes(content)
    out = scons(folder, f"target={target}", "run")
    assert "block: 4096 sectors of 512 bytes, read-write" in out.stdout
    assert "block: pattern generation 42" in out.stdout and ": OK" in out.stdout
    data = disk.read_bytes()
    assert len(data) == 2 * MiB and data[MiB:MiB + len(marker)] == marker
    assert data[:512] == pattern(0, 512, 42)


def test_too_small_a_disk_is_reported(built: tuple[str, Path]) -> None:
    target, folder = built
    disk = folder / "small.img"
    disk.write_bytes(bytes(64 * 512))
    if target == "unix":  # the unix image opens config.py's path itself
        disk = disk.replace(folder / "disk.img")
    out = _boot(target, folder, disk)
    assert out.returncode == 1
    assert "block: 64 sectors of 512 bytes" in out.stdout and "too small" in out.stdout
    assert disk.read_bytes() == bytes(64 * 512)


def test_unix_refuses_a_file_of_partial_sectors(examples: Examples) -> None:
    """As the Solo5 tenders do (see test_spt_refuses_...): a clean boot-time error."""
    target, folder = "unix", examples.get("unix")
    disk = folder / "disk.img"
    disk.write_bytes(bytes(MiB + 300))
    out = _boot(target, folder, disk)
    assert out.returncode == 1
    assert "disk.img is 1048876 bytes, not a whole number of 512-byte sectors" in out.stdout + out.stderr
    assert "block_of_file_0" in out.stdout + out.stderr and "block:" not in out.stdout.replace("[block]", "")
    assert disk.read_bytes() == bytes(MiB + 300)  # untouched


def _without_dac_override() -> list[str]:
    """A command prefix that makes file permissions apply to this user (root ignores them)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: cannot make a file read-only for the image")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]


def test_unix_read_only_file(examples: Examples) -> None:
    """(Solo5 tenders attach block devices read-write only.)"""
    folder = examples.get("unix")
    disk = folder / "disk.img"
    before = pattern(0, MiB, 7)
    disk.write_bytes(before)
    disk.chmod(0o444)
    try:
        cmd = [*_without_dac_override(), str(folder / "build" / "unix" / "block")]
        out = subprocess.run(cmd, cwd=folder, capture_output=True, text=True, timeout=60)
    finally:
        disk.chmod(0o644)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout == ("block: 2048 sectors of 512 bytes, read-only\n"
                          "block: read-only, read 64 KiB, wrote nothing: OK\n")
    assert disk.read_bytes() == before


def test_spt_other_sector_size(examples: Examples) -> None:
    folder = examples.get("spt")
    disk = folder / "disk.img"
    disk.write_bytes(bytes(MiB))
    tender = folder / "build" / "spt" / "tender" / "mirage-spt"
    cmd = [str(tender), "--block-sector-size:disk=4096", f"--block:disk={disk}", str(folder / "build/spt/block.spt")]
    out = subprocess.run(cmd, cwd=folder, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "block: 256 sectors of 4096 bytes, read-write" in out.stdout
    assert "block: wrote and read back 512 KiB: OK" in out.stdout
    check_disk(disk.read_bytes(), 1, 4096)


def test_spt_refuses_what_the_manifest_does_not_declare(examples: Examples) -> None:
    folder = examples.get("spt")
    disk = folder / "other.img"
    disk.write_bytes(bytes(MiB))
    out = boot(folder, "spt", "block", devices=(("block", "other", str(disk)),))
    assert out.returncode != 0
    assert "declares no device named 'other'" in out.stderr and "block:" not in out.stdout
    odd = folder / "odd.img"
    odd.write_bytes(bytes(MiB + 1))
    out = boot(folder, "spt", "block", devices=(("block", "disk", str(odd)),))
    assert out.returncode != 0 and "not a multiple of the block size" in out.stderr
    assert odd.read_bytes() == bytes(MiB + 1)


@pytest.mark.parametrize("target", TARGETS)
def test_missing_file_without_size(examples: Examples, target: str) -> None:
    with examples.variant(target, 'block_of_file("disk")') as folder:
        out = scons(folder, f"target={target}", "-j2", "run", check=False)
        assert out.returncode != 0
        assert "block device 'disk'" in out.stderr and "disk.img does not exist" in out.stderr
        assert "Traceback" not in out.stderr and not (folder / "disk.img").exists()
        if target == "unix":  # booted directly, the driver says what it could not open
            direct = boot(folder, target, "block")
            assert direct.returncode == 1
            assert "disk: cannot open disk.img: No such file or directory" in direct.stdout
            assert "cannot connect device" in direct.stdout


@pytest.mark.parametrize("target", TARGETS)
def test_generic_block_ramdisk(examples: Examples, target: str) -> None:
    with examples.variant(target, 'generic_block("disk", size="256K")') as folder:
        out = scons(folder, f"target={target}", "-j2", "block=ramdisk", "run")
        assert "block: 512 sectors of 512 bytes, read-write" in out.stdout
        assert "block: pattern generation 1" in out.stdout
        assert "block: wrote and read back 64 KiB: OK" in out.stdout
        assert not (folder / "disk.img").exists()  # nothing attached, nothing created


def test_a_run_stopped_before_its_commit_is_redone(built: tuple[str, Path]) -> None:
    """A crash between the data and the commit sector leaves a mix of generations 3 and 4
    under commit 3: the next boot accepts it and writes generation 4 again (the example
    before the commit sector called this damage and exited 1 at every later boot)."""
    target, folder = built
    disk = folder / "disk.img"
    region = REGION * 512
    content = bytearray(MiB)
    content[:region] = pattern(0, 10 * 512, 4) + pattern(10 * 512, region - 10 * 512, 3)
    content[-region:] = pattern(MiB - region, region, 3)
    content[region:region + 512] = commit_sector(3)
    disk.write_bytes(content)
    out = _boot(target, folder, disk)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "a run of generation 4 stopped before its commit: writing it again" in out.stdout
    check_disk(disk.read_bytes(), 4)
    content[MiB - 1] ^= 0xFF  # neither generation: damage, still refused
    disk.write_bytes(content)
    out = _boot(target, folder, disk)
    assert out.returncode == 1 and "previous run's data damaged at byte 1048575" in out.stdout, out.stdout


@pytest.mark.parametrize("target", ["spt", "hvt"])
def test_without_block_sync_the_example_says_it_cannot_flush(examples: Examples, target: str) -> None:
    folder = examples.get(target)
    disk = folder / "disk.img"
    disk.write_bytes(bytes(MiB))
    out = _boot(target, folder, disk, sync=False)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.count("block: this platform cannot flush") == 1
    check_disk(disk.read_bytes(), 1)


@pytest.mark.parametrize("target", ["unix", "spt", "virtio"])
def test_durable_block_of_file(examples: Examples, target: str) -> None:
    """durable=True: `scons run` asks our tender to sync; a tender that does not is refused
    at connect, naming the flag."""
    with examples.variant(target, 'block_of_file("disk", size="1MiB", durable=True)') as folder:
        out = scons(folder, f"target={target}", "-j2", "run")
        assert "block: wrote and read back 64 KiB: OK" in out.stdout
        assert "cannot flush" not in out.stdout
        check_disk((folder / "disk.img").read_bytes(), 1)
        if target == "spt":
            plain = _boot(target, folder, folder / "disk.img", sync=False)
            assert plain.returncode != 0
            assert "durable, but the host cannot make writes durable" in plain.stdout + plain.stderr
            assert "--block-sync:disk" in plain.stdout + plain.stderr
