"""Pinned third-party C sources: the lock, the verified cache, fetching (a user's archive, the
cache's downloads/, apt-get source), patches, verify, concurrent fetches, the offline message,
the CLI, the real lwIP entry, and the deb-src editing of scripts/setup.sh.

apt-get is replaced by a small script on PATH in most tests (it copies a test archive, like
`apt-get source --download-only` does); only the real lwIP test reaches Debian's archive."""
from __future__ import annotations

import fcntl
import importlib.util
import io
import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from mirage_tools import sources
from mirage_tools.errors import ConfigError
from mirage_tools.paths import THIRD_PARTY
from tests.sconsrun import ROOT

A_C = "int a(void) { return 1; }\n"
PATCH_1 = """--- a/src/a.c
+++ b/src/a.c
@@ -1 +1 @@
-int a(void) { return 1; }
+int a(void) { return 2; }
"""
PATCH_2 = PATCH_1.replace("return 2", "return 3").replace("return 1", "return 2")
FAKE_APT = """#!/bin/sh
# apt-get source --download-only NAME=VERSION, for tests: copies $FAKE_APT_ARCHIVE here.
echo "$*" >> "$FAKE_APT_LOG"
if [ -n "$FAKE_APT_FAIL" ]; then
    echo "Reading package lists..."
    echo "E: You must put some 'deb-src' URIs in your sources.list" >&2
    exit 100
fi
echo "dsc" > demo_1.0-1.dsc
cp "$FAKE_APT_ARCHIVE" .
"""


def make_archive(folder: Path, files: dict[str, str] | None = None, top: str = "demo-1.0",
                 name: str = "demo_1.0.orig.tar.xz") -> Path:
    """A small .tar.xz holding top/ with files (default: src/a.c)."""
    folder.mkdir(parents=True, exist_ok=True)
    archive = folder / name
    with tarfile.open(archive, "w:xz") as tar:
        for rel, text in (files or {"src/a.c": A_C, "README": "demo\n"}).items():
            data = text.encode()
            info = tarfile.TarInfo(f"{top}/{rel}" if top else rel)
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    return archive


def write_lock(folder: Path, archive: Path, patches: tuple[str, ...] = (), debian: bool = True,
               extra: str = "", **fields: str) -> Path:
    values = {"version": "1.0", "archive": archive.name, "sha256": sources._sha256(archive), "top": "demo-1.0",
              **({"debian-package": "demo", "debian-version": "1.0-1"} if debian else {}), **fields}
    body = "".join(f'{k} = "{v}"\n' for k, v in values.items())
    lock = folder / "sources.lock"
    lock.write_text(f"[demo]\n{body}patches = {json.dumps(list(patches))}\n{extra}")
    return lock


def add_patches(folder: Path, *texts: str) -> tuple[str, ...]:
    names = []
    for i, text in enumerate(texts, 1):
        name = f"000{i}-step.patch"
        (folder / "patches" / "demo").mkdir(parents=True, exist_ok=True)
        (folder / "patches" / "demo" / name).write_text(text)
        names.append(name)
    return tuple(names)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("MIRAGE_SOURCES", str(folder))
    return folder


@pytest.fixture
def fake_apt(tmp_path, monkeypatch):
    """apt-get on PATH that copies a test archive; returns (archive, log of calls)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "apt-get").write_text(FAKE_APT)
    (bin_dir / "apt-get").chmod(0o755)
    archive = make_archive(tmp_path / "mirror")
    log = tmp_path / "apt.log"
    log.touch()
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_APT_ARCHIVE", str(archive))
    monkeypatch.setenv("FAKE_APT_LOG", str(log))
    return archive, log


def no_temps(cache: Path) -> bool:
    return not list(cache.glob(".tmp-*"))


def cli(*args: str, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "mirage_tools.cli", "sources", *args], capture_output=True,
                            text=True, timeout=600, env=env, cwd=ROOT)
    if check:
        assert result.returncode == 0, result.stderr
    return result


# --- the lock ----------------------------------------------------------------------------------

def test_the_real_lock_pins_lwip():
    lwip = sources.load_lock()["lwip"]
    assert (lwip.version, lwip.apt_spec, lwip.archive, lwip.top) == (
        "2.1.3", "lwip=2.1.3+dfsg1-2", "lwip_2.1.3+dfsg1.orig.tar.xz", "lwip-2.1.3")
    assert lwip.sha256 == "0a8276d09fc4e97bbba2f953d74af2388fc2195ea156be9d7589e297a68fde24"
    assert lwip.upstream and lwip.upstream.startswith("lwip-2.1.3.zip")
    assert [p.name for p in lwip.patches] == sorted(p.name for p in (THIRD_PARTY / "patches" / "lwip").glob("*.patch"))
    assert "://" not in sources.LOCK.read_text()


@pytest.mark.parametrize("text, expected", [
    ("[demo\n", "not valid TOML"),
    ("demo = 3\n", "must be a table"),
    ('[demo]\nversion = "1"\narchive = "a.tar.xz"\nsha256 = "%s"\n' % ("0" * 64), "missing field 'top'"),
    ('[demo]\nversion = "1"\narchive = "a.tar.xz"\nsha256 = "%s"\ntop = "t"\nurl = "x"\n' % ("0" * 64),
     "unknown field 'url'"),
    ('[demo]\nversion = "1"\narchive = "a.tar.xz"\nsha256 = "abc"\ntop = "t"\n', "64 lowercase hex"),
    ('[demo]\nversion = 1\narchive = "a.tar.xz"\nsha256 = "%s"\ntop = "t"\n' % ("0" * 64), "version must be"),
    ('[demo]\nversion = "1"\narchive = "../a.tar.xz"\nsha256 = "%s"\ntop = "t"\n' % ("0" * 64), "without '/'"),
    ('[demo]\nversion = "1"\narchive = "a.tar.xz"\nsha256 = "%s"\ntop = "t"\ndebian-package = "d"\n' % ("0" * 64),
     "go together"),
    ('[demo]\nversion = "1"\narchive = "a.tar.xz"\nsha256 = "%s"\ntop = "t"\npatches = "p"\n' % ("0" * 64),
     "patches must be a list"),
    ('[demo]\nversion = "1"\narchive = "a.tar.xz"\nsha256 = "%s"\ntop = "t"\npatches = ["x.patch"]\n' % ("0" * 64),
     "no patch file"),
])
def test_a_malformed_lock_names_the_file_and_the_mistake(tmp_path, text, expected):
    lock = tmp_path / "sources.lock"
    lock.write_text(text)
    with pytest.raises(ConfigError) as e:
        sources.load_lock(lock)
    assert expected in e.value.message
    assert e.value.render().startswith(f"{lock}: error:")


def test_a_missing_lock_and_an_unknown_package(tmp_path):
    with pytest.raises(ConfigError, match="no such lock file"):
        sources.load_lock(tmp_path / "nope.lock")
    with pytest.raises(ConfigError) as e:
        sources.fetch("openssl")
    assert "unknown third-party package 'openssl'" in e.value.message and "lwip" in (e.value.hint or "")


# --- fetching ----------------------------------------------------------------------------------

def test_fetch_a_user_archive_and_apply_patches_in_order(tmp_path, cache, capsys):
    archive = make_archive(tmp_path / "mine")
    lock = write_lock(tmp_path, archive, add_patches(tmp_path, PATCH_1, PATCH_2), debian=False)
    tree = sources.fetch("demo", archive, lock)
    assert tree == cache / sources.source("demo", lock).folder and tree.name.startswith("demo-1.0-")
    assert (tree / "src" / "a.c").read_text() == "int a(void) { return 3; }\n"
    assert not list(tree.rglob("*.orig")) and not list(tree.rglob("*.rej"))
    assert archive.exists() and (cache / "downloads" / archive.name).read_bytes() == archive.read_bytes()
    stamp = json.loads((tree / sources.STAMP).read_text())
    assert stamp["sha256"] == sources._sha256(archive) and [p for p, _ in stamp["patches"]] == [
        "0001-step.patch", "0002-step.patch"]
    assert "PATCH demo 1.0 0001-step.patch" in capsys.readouterr().err
    assert sources.path("demo", lock) == tree and capsys.readouterr().err == ""  # cached: nothing done
    assert sources.status("demo", lock) == "cached" and no_temps(cache)


def test_fetch_from_downloads_works_offline(tmp_path, cache, monkeypatch):
    archive = make_archive(cache / "downloads")
    lock = write_lock(tmp_path, archive)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no apt-get, no patch
    assert sources.status("demo", lock) == "downloaded"
    assert (sources.path("demo", lock) / "src" / "a.c").read_text() == A_C


def test_fetch_with_apt_get(tmp_path, cache, fake_apt):
    archive, log = fake_apt
    lock = write_lock(tmp_path, archive)
    tree = sources.path("demo", lock)
    assert log.read_text() == "source --download-only demo=1.0-1\n"
    assert sorted(p.name for p in (cache / "downloads").iterdir()) == [archive.name]  # only the archive is kept
    assert (tree / "README").read_text() == "demo\n" and no_temps(cache)
    sources.path("demo", lock)
    assert len(log.read_text().splitlines()) == 1


def test_a_wrong_download_is_removed_and_refused(tmp_path, cache, fake_apt):
    archive, _ = fake_apt
    lock = write_lock(tmp_path, archive, sha256="1" * 64)
    with pytest.raises(ConfigError) as e:
        sources.fetch("demo", lock=lock)
    assert f"expected {'1' * 64}, got {sources._sha256(archive)}" in e.value.message
    assert not (cache / "downloads" / archive.name).exists() and no_temps(cache)
    assert not (cache / "demo-1.0").exists()


def test_a_wrong_user_archive_is_refused_and_kept(tmp_path, cache):
    archive = make_archive(tmp_path / "mine")
    lock = write_lock(tmp_path, archive, sha256="2" * 64, debian=False)
    with pytest.raises(ConfigError, match=f"expected {'2' * 64}, got {sources._sha256(archive)}"):
        sources.fetch("demo", archive, lock)
    assert archive.exists() and not (cache / "downloads" / archive.name).exists()


def test_a_corrupted_archive_in_downloads_is_fetched_again(tmp_path, cache, fake_apt):
    archive, log = fake_apt
    lock = write_lock(tmp_path, archive)
    (cache / "downloads").mkdir(parents=True)
    (cache / "downloads" / archive.name).write_bytes(b"not the archive")
    assert (sources.path("demo", lock) / "src" / "a.c").exists()
    assert len(log.read_text().splitlines()) == 1
    assert sources._sha256(cache / "downloads" / archive.name) == sources._sha256(archive)


def test_verify_finds_a_corrupted_archive_and_fetch_gets_it_again(tmp_path, cache, fake_apt):
    archive, log = fake_apt
    lock = write_lock(tmp_path, archive)
    sources.fetch("demo", lock=lock)
    assert "tree matches its stamp" in sources.verify("demo", lock)
    kept = cache / "downloads" / archive.name
    kept.write_bytes(kept.read_bytes()[:-10] + b"0123456789")
    bad = sources._sha256(kept)
    with pytest.raises(ConfigError) as e:
        sources.verify("demo", lock)
    assert f"sha256 expected {sources._sha256(archive)}, got {bad}" in e.value.message
    assert f"removed downloads/{archive.name} and demo-1.0/" in e.value.message
    assert not kept.exists() and not (cache / "demo-1.0").exists()
    assert "sources fetch demo" in (e.value.hint or "")
    sources.fetch("demo", lock=lock)
    assert len(log.read_text().splitlines()) == 2
    assert "tree matches its stamp" in sources.verify("demo", lock)


def test_verify_finds_a_changed_tree_and_fetch_unpacks_again_offline(tmp_path, cache, fake_apt, monkeypatch):
    archive, log = fake_apt
    lock = write_lock(tmp_path, archive)
    tree = sources.fetch("demo", lock=lock)
    (tree / "src" / "a.c").write_text("int a(void) { return 42; }\n")
    with pytest.raises(ConfigError, match="changed since it was unpacked"):
        sources.verify("demo", lock)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert (sources.fetch("demo", lock=lock) / "src" / "a.c").read_text() == A_C
    sources.verify("demo", lock)


def test_verify_of_nothing_fetched(tmp_path, cache):
    lock = write_lock(tmp_path, make_archive(tmp_path / "mine"))
    with pytest.raises(ConfigError, match="demo 1.0 is not fetched"):
        sources.verify("demo", lock)


def test_a_changed_patch_set_is_another_tree(tmp_path, cache):
    archive = make_archive(tmp_path / "mine")
    lock = write_lock(tmp_path, archive, add_patches(tmp_path, PATCH_1), debian=False)
    old = sources.fetch("demo", archive, lock)
    (tmp_path / "patches" / "demo" / "0001-step.patch").write_text(PATCH_1.replace("return 2", "return 7"))
    # A changed patch set is another tree (its folder names the set's digest); the old one
    # stays for checkouts whose lock still names it.
    assert sources.status("demo", lock) == "downloaded"
    assert (sources.path("demo", lock) / "src" / "a.c").read_text() == "int a(void) { return 7; }\n"
    assert sources.path("demo", lock) != old and old.is_dir()
    assert no_temps(cache)


def test_a_patch_that_does_not_apply_leaves_no_tree(tmp_path, cache):
    archive = make_archive(tmp_path / "mine")
    lock = write_lock(tmp_path, archive, add_patches(tmp_path, PATCH_2), debian=False)
    with pytest.raises(ConfigError, match="0001-step.patch does not apply to demo 1.0"):
        sources.fetch("demo", archive, lock)
    assert not (cache / "demo-1.0").exists() and no_temps(cache)


def test_a_wrong_top_folder_and_an_unsafe_archive_are_refused(tmp_path, cache):
    archive = make_archive(tmp_path / "a", top="other-1.0")
    with pytest.raises(ConfigError, match=r"does not unpack to demo-1.0/ \(found: other-1.0\)"):
        sources.fetch("demo", archive, write_lock(tmp_path, archive, debian=False))
    evil = make_archive(tmp_path / "b", {"demo-1.0/x": "", "../evil": "x"}, top="")
    with pytest.raises(ConfigError, match="cannot unpack"):
        sources.fetch("demo", evil, write_lock(tmp_path, evil, debian=False))
    assert not (tmp_path / "evil").exists() and not (cache / "evil").exists() and no_temps(cache)


def test_a_zip_archive(tmp_path, cache):
    archive = tmp_path / "demo-1.0.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("demo-1.0/src/a.c", A_C)
    lock = write_lock(tmp_path, archive, debian=False)
    assert (sources.fetch("demo", archive, lock) / "src" / "a.c").read_text() == A_C


def test_leftovers_of_a_killed_fetch_are_cleaned(tmp_path, cache):
    (cache / ".tmp-demo-dead" / "demo-1.0").mkdir(parents=True)
    archive = make_archive(tmp_path / "mine")
    sources.fetch("demo", archive, write_lock(tmp_path, archive, debian=False))
    assert no_temps(cache)


def test_two_concurrent_fetches_make_one_good_tree(tmp_path, cache, fake_apt):
    """Both processes are made to wait on the cache's lock (the test holds it until each says
    WAIT), so they really contend, without relying on timing."""
    archive, log = fake_apt
    lock = write_lock(tmp_path, archive)
    code = "import sys; from pathlib import Path; from mirage_tools import sources; " \
           "print(sources.path('demo', Path(sys.argv[1])))"
    cache.mkdir()
    with open(cache / ".lock", "ab") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        procs = [subprocess.Popen([sys.executable, "-c", code, str(lock)], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, cwd=ROOT) for _ in range(2)]
        for p in procs:
            assert p.stderr is not None and p.stderr.readline().startswith("WAIT another fetch holds")
        fcntl.flock(held, fcntl.LOCK_UN)
    results = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    assert [r[2] for r in results] == [0, 0], results
    assert {r[0].strip() for r in results} == {str(cache / "demo-1.0")}
    assert len(log.read_text().splitlines()) == 1  # the second found the tree the first made
    assert sum("UNPACK demo 1.0" in r[1] for r in results) == 1
    assert "tree matches its stamp" in sources.verify("demo", lock) and no_temps(cache)


# --- the messages without apt-get --------------------------------------------------------------

def test_without_apt_get_the_message_says_what_is_missing_and_how_to_get_it(tmp_path):
    env = {**os.environ, "MIRAGE_SOURCES": str(tmp_path / "cache"), "PATH": str(tmp_path / "empty")}
    out = cli("path", "lwip", env=env, check=False)
    assert out.returncode == 2 and out.stdout == ""
    assert "lwip 2.1.3 is not in the cache" in out.stderr
    assert "apt-get is not available to fetch Debian source package lwip=2.1.3+dfsg1-2" in out.stderr
    assert "put lwip_2.1.3+dfsg1.orig.tar.xz (sha256 0a8276d09fc4" in out.stderr
    assert f"into {tmp_path / 'cache' / 'downloads'}/" in out.stderr


def test_when_apt_get_fails_the_message_gives_its_error_and_the_setup_command(tmp_path, cache, fake_apt,
                                                                              monkeypatch):
    archive, _ = fake_apt
    monkeypatch.setenv("FAKE_APT_FAIL", "1")
    out = cli("fetch", "demo", "--lock", str(write_lock(tmp_path, archive)), check=False)
    assert out.returncode == 2
    assert "`apt-get source demo=1.0-1` failed: E: You must put some 'deb-src' URIs" in out.stderr
    assert "scripts/setup.sh" in out.stderr and "demo_1.0.orig.tar.xz" in out.stderr
    assert no_temps(cache)


def test_no_debian_package_and_no_archive(tmp_path, cache):
    lock = write_lock(tmp_path, make_archive(tmp_path / "mine"), debian=False)
    with pytest.raises(ConfigError, match="the lock names no Debian source package") as e:
        sources.fetch("demo", lock=lock)
    assert "--archive FILE" in (e.value.hint or "")


# --- the command line --------------------------------------------------------------------------

def test_cli_fetch_list_verify_path(tmp_path, cache, fake_apt):
    archive, _ = fake_apt
    lock = str(write_lock(tmp_path, archive))
    assert cli("list", "--lock", lock).stdout == "demo\t1.0\tnot fetched\n"
    assert cli("verify", "--lock", lock).stdout == "demo: not fetched\n"
    fetched = cli("fetch", "--all", "--lock", lock)
    assert fetched.stdout == f"demo: {cache / 'demo-1.0'}\n" and "FETCH demo 1.0" in fetched.stderr
    assert cli("list", "--lock", lock).stdout == "demo\t1.0\tcached\n"
    assert cli("path", "demo", "--lock", lock).stdout == f"{cache / 'demo-1.0'}\n"
    assert cli("verify", "demo", "--lock", lock).stdout.startswith("demo: ok (")
    (cache / "demo-1.0" / "README").unlink()
    bad = cli("verify", "--lock", lock, check=False)
    assert bad.returncode == 1 and "changed since it was unpacked" in bad.stderr


@pytest.mark.parametrize("args, expected", [
    (("fetch",), "name the packages to fetch, or give --all"),
    (("fetch", "lwip", "--all"), "name the packages to fetch, or give --all"),
    (("fetch", "nope"), "unknown third-party package 'nope'"),
    (("path", "nope"), "known packages: lwip"),
    (("fetch", "lwip", "lwip", "--archive", "x"), "--archive goes with exactly one package name"),
    (("fetch", "lwip", "--archive", "/nonexistent.tar.xz"), "no such archive file /nonexistent.tar.xz"),
    (("list", "--lock", "/nonexistent.lock"), "/nonexistent.lock: error: no such lock file"),
])
def test_cli_errors_are_messages(tmp_path, args, expected):
    out = cli(*args, env={**os.environ, "MIRAGE_SOURCES": str(tmp_path)}, check=False)
    assert out.returncode == 2 and expected in out.stderr, out.stderr


# --- the real lwIP -----------------------------------------------------------------------------

def test_the_real_lwip_tree():
    """Uses the user's cache (scripts/setup.sh fills it); fetches with apt-get when it is empty."""
    out = cli("path", "lwip")
    tree = Path(out.stdout.strip())
    assert tree.name.startswith("lwip-2.1.3-") and (tree / "src" / "core" / "tcp.c").is_file()
    assert (tree / "src" / "include" / "lwip" / "tcp.h").is_file()
    assert cli("verify", "lwip").stdout.startswith("lwip: ok (")


# --- scripts/apt_deb_src.py --------------------------------------------------------------------

def _deb_src_script():
    spec = importlib.util.spec_from_file_location("apt_deb_src", ROOT / "scripts" / "apt_deb_src.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


DEB822 = """Types: deb
# a comment stays
URIs: mirror-debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb deb-src
URIs: mirror-debian-security
Suites: bookworm-security
Components: main
"""
ONE_LINE = """deb mirror-debian bookworm main
# deb mirror-commented bookworm main
deb [arch=amd64 signed-by=/k.gpg] mirror-x stable main
deb mirror-y stable main
deb-src mirror-y stable main"""


def test_apt_deb_src_adds_what_is_missing_once(tmp_path):
    script = _deb_src_script()
    apt = tmp_path / "etc" / "apt"
    (apt / "sources.list.d").mkdir(parents=True)
    (apt / "sources.list").write_text(ONE_LINE)
    (apt / "sources.list.d" / "debian.sources").write_text(DEB822)
    (apt / "sources.list.d" / "other.sources.disabled").write_text("Types: deb\n")
    assert script.main(["--root", str(tmp_path), "--check"]) == 1
    assert (apt / "sources.list").read_text() == ONE_LINE  # --check changes nothing
    assert script.add_deb_src(tmp_path) == [apt / "sources.list", apt / "sources.list.d" / "debian.sources"]
    assert (apt / "sources.list").read_text() == (
        "deb mirror-debian bookworm main\n"
        "deb-src mirror-debian bookworm main\n"
        "# deb mirror-commented bookworm main\n"
        "deb [arch=amd64 signed-by=/k.gpg] mirror-x stable main\n"
        "deb-src [arch=amd64 signed-by=/k.gpg] mirror-x stable main\n"
        "deb mirror-y stable main\n"
        "deb-src mirror-y stable main\n")
    assert (apt / "sources.list.d" / "debian.sources").read_text() == DEB822.replace(
        "Types: deb\n", "Types: deb deb-src\n", 1)
    assert (apt / "sources.list.d" / "other.sources.disabled").read_text() == "Types: deb\n"
    assert script.add_deb_src(tmp_path) == []  # idempotent
    assert script.main(["--root", str(tmp_path), "--check"]) == 0
