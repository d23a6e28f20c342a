"""examples/kv_ro built and booted for real, with every backend the target has: crunch and
archive (the tar attached as a block device) on unix and spt, direct on unix. The unikernel
prints "<sha256> <size> <key>" for every file it reads through get_partial; the lines must
match hashlib over the source folder, including a 0-byte, a 1-byte and a 5 MiB file. Then
one data file changes: crunch rebuilds only that file's blob, the index and the link;
archive repacks only the tar; direct rebuilds nothing."""
from __future__ import annotations

import hashlib
import random
import shutil
from pathlib import Path

import pytest

from tests.machine import missing
from tests.sconsrun import boot, built_lines, copy_example, scons

BACKENDS = [("unix", "crunch"), ("unix", "direct"), ("unix", "archive"), ("spt", "crunch"), ("spt", "archive"),
            ("virtio", "crunch"), ("virtio", "archive")]


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = copy_example("kv_ro", tmp_path_factory.mktemp("kv"))
    big = folder / "data" / "big" / "five-mib.bin"
    big.parent.mkdir()
    big.write_bytes(random.Random(5).randbytes(5 << 20))
    return folder


def expected(folder: Path) -> dict[str, tuple[str, int]]:
    files = sorted(p for p in (folder / "data").rglob("*") if p.is_file())
    return {p.relative_to(folder / "data").as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_size)
            for p in files}


def run(folder: Path, target: str, backend: str) -> dict[str, tuple[str, int]]:
    devices = (("block", "data", str(folder / "build" / "data.tar")),) if backend == "archive" else ()
    out = boot(folder, target, "kv_ro", devices=devices, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    want = expected(folder)
    assert lines[-1] == f"kv_ro: {len(want)} files, {sum(size for _, size in want.values())} bytes: OK"
    found = {}
    for line in lines[:-1]:
        digest, size, key = line.split(" ", 2)
        found[key] = (digest, int(size))
    return found


@pytest.mark.parametrize("target, backend", BACKENDS)
def test_digests_match_the_source_folder(example: Path, target: str, backend: str) -> None:
    why = missing(target)
    if why:
        pytest.skip(f"{target} images cannot boot here: {why}")
    scons(example, f"target={target}", f"kv_ro={backend}", "-j2")
    want = expected(example)
    assert {"empty.txt", "one.txt", "big/five-mib.bin"} <= set(want)
    assert want["empty.txt"][1] == 0 and want["one.txt"][1] == 1 and want["big/five-mib.bin"][1] == 5 << 20
    assert run(example, target, backend) == want


@pytest.mark.parametrize("backend", ["crunch", "archive"])
def test_hvt_digests_of_the_shipped_files(tmp_path: Path, backend: str) -> None:
    """hvt guests are emulated here (nested PVM): the example's own small files only."""
    why = missing("hvt")
    if why:
        pytest.skip(f"hvt images cannot boot here: {why}")
    folder = copy_example("kv_ro", tmp_path)
    scons(folder, "target=hvt", f"kv_ro={backend}", "-j2")
    assert run(folder, "hvt", backend) == expected(folder)


def test_changing_one_file_rebuilds_only_its_blob_the_index_and_the_link(tmp_path: Path) -> None:
    folder = copy_example("kv_ro", tmp_path)
    (folder / "data" / "large.bin").write_bytes(bytes(100_000))  # large files get a blob of their own
    scons(folder, "target=unix", "kv_ro=crunch")
    gen = "build/unix/gen"
    (folder / "data" / "large.bin").write_bytes(b"z" * 100_000)
    new = hashlib.sha256(b"z" * 100_000).hexdigest()[:24]
    out = scons(folder, "target=unix", "kv_ro=crunch")
    assert sorted(built_lines(out.stdout)) == sorted([
        f"GEN {gen}/crunch_0_index.c", f"CC {gen}/crunch_0_index.o", f"GEN {gen}/mirage_blob_{new}.s",
        f"AS {gen}/mirage_blob_{new}.o", "LINK build/unix/kv_ro"])
    (folder / "data" / "one.txt").write_text("y")  # small files share one assembler file
    out = scons(folder, "target=unix", "kv_ro=crunch")
    assert sorted(built_lines(out.stdout)) == sorted([
        f"GEN {gen}/crunch_0_index.c", f"CC {gen}/crunch_0_index.o", f"GEN {gen}/mirage_blobs_small.s",
        f"AS {gen}/mirage_blobs_small.o", "LINK build/unix/kv_ro"])
    assert run(folder, "unix", "crunch") == expected(folder)
    assert scons(folder, "-q", "target=unix", "kv_ro=crunch", check=False).returncode == 0  # up to date

    scons(folder, "target=unix", "kv_ro=archive")
    (folder / "data" / "nested" / "hello-copy.txt").write_text("changed\n")
    out = scons(folder, "target=unix", "kv_ro=archive")
    assert built_lines(out.stdout) == [] and "TAR build/data.tar" in out.stdout
    assert run(folder, "unix", "archive") == expected(folder)

    scons(folder, "target=unix", "kv_ro=direct")
    (folder / "data" / "hello.txt").write_text("read at run time\n")
    assert scons(folder, "-q", "target=unix", "kv_ro=direct", check=False).returncode == 0
    assert run(folder, "unix", "direct") == expected(folder)


@pytest.mark.parametrize("target", ["unix", "spt"])
def test_kv_rw_round_trip(tmp_path: Path, target: str) -> None:
    """direct_kv_rw on unix (in the folder store/), kv_rw_mem on spt, through one config.py."""
    folder = tmp_path / "rw_app"
    shutil.copytree(Path(__file__).parent / "rw_app", folder)
    (folder / "store").mkdir()
    scons(folder, f"target={target}", "-j2")
    out = boot(folder, target, "kv_rw")
    digest = hashlib.sha256(b"hello, world").hexdigest()
    assert (out.returncode, out.stdout) == (0, f"archive/\narchive/2024/today\nhello, world {digest}\nkv_rw: OK\n")
    assert list((folder / "store").iterdir()) == []
