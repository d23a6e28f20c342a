"""Pinned third-party C sources (lwIP, ...), never copied into the repository.

`third_party/sources.lock` names each package's archive, its sha256, the folder it unpacks to,
where to get it (a Debian source package) and our patches. `fetch` verifies the archive and keeps
it, unpacked and patched, in a cache outside the repository; `path` gives a build the tree.

The cache, `~/.cache/mirage-tools/sources` (or `$MIRAGE_SOURCES`):

    downloads/<archive>   archives, checked against their sha256 before use
    <name>-<version>/     the unpacked, patched tree; complete whenever it exists, because it is
                          renamed into place only after its stamp (archive sha256, patch hashes,
                          a digest of its files) is written inside it
    .lock                 flock'ed while anything is written, so two builds at once never clash
    .tmp-*                work folders of a fetch; a later fetch removes those a dead one left
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import lzma
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from .errors import UNKNOWN, ConfigError, Location
from .paths import THIRD_PARTY

LOCK = THIRD_PARTY / "sources.lock"
STAMP = ".mirage-tools-source.json"  # inside a tree: what it was made from, and its files' digest
_REQUIRED = ("version", "archive", "sha256", "top")
_OPTIONAL = ("debian-package", "debian-version", "upstream", "patches")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*\Z")
_SHA256 = re.compile(r"[0-9a-f]{64}\Z")
_APT_TIMEOUT = 900


@dataclass(frozen=True)
class Source:
    """One package of the lock."""

    name: str
    version: str
    archive: str  # the archive's file name, as kept in the cache's downloads/
    sha256: str
    top: str  # the folder the archive unpacks to
    debian_package: str | None
    debian_version: str | None
    upstream: str | None
    patches: tuple[Path, ...]  # absolute, in the order they are applied

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}"

    @property
    def folder(self) -> str:
        """The tree's folder in the cache: one per patch set, so checkouts whose locks patch
        a package differently share the cache without redoing each other's tree."""
        if not self.patches:
            return f"{self.name}-{self.version}"
        digest = hashlib.sha256()
        for patch in self.patches:
            digest.update(patch.name.encode() + b"\0" + (patch.read_bytes() if patch.is_file() else b"") + b"\0")
        return f"{self.name}-{self.version}-{digest.hexdigest()[:12]}"

    @property
    def apt_spec(self) -> str | None:
        """PACKAGE=VERSION for `apt-get source`, or None when the lock names no Debian package."""
        if self.debian_package is None or self.debian_version is None:
            return None
        return f"{self.debian_package}={self.debian_version}"


# ---------------------------------------------------------------------------------------------
# The lock file

def _lock_error(lock: Path, message: str, hint: str | None = None) -> ConfigError:
    return ConfigError(message, Location(str(lock), 0), hint)


def _plain_name(value: str) -> bool:
    return bool(value) and value not in (".", "..") and "/" not in value and "\0" not in value


def _parse_entry(lock: Path, name: str, table: Any) -> Source:
    where = f"[{name}]"
    if not isinstance(table, dict):
        raise _lock_error(lock, f"{name!r} must be a table ([{name}]) of the package's fields")
    if not _NAME.match(name):
        raise _lock_error(lock, f"{where}: a package name is letters, digits and . _ + - only")
    unknown = sorted(set(table) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise _lock_error(lock, f"{where}: unknown field {unknown[0]!r}",
                          f"fields: {', '.join(_REQUIRED + _OPTIONAL)}")
    missing = [f for f in _REQUIRED if f not in table]
    if missing:
        raise _lock_error(lock, f"{where}: missing field {missing[0]!r}")
    for field in _REQUIRED + _OPTIONAL[:3]:
        if field in table and not (isinstance(table[field], str) and table[field]):
            raise _lock_error(lock, f"{where}: {field} must be a non-empty string, got {table[field]!r}")
    if not _SHA256.match(table["sha256"]):
        raise _lock_error(lock, f"{where}: sha256 must be 64 lowercase hex digits, got {table['sha256']!r}")
    for field in ("archive", "top"):
        if not _plain_name(table[field]):
            raise _lock_error(lock, f"{where}: {field} must be a file name without '/', got {table[field]!r}")
    if ("debian-package" in table) != ("debian-version" in table):
        raise _lock_error(lock, f"{where}: debian-package and debian-version go together")
    patches = table.get("patches", [])
    if not isinstance(patches, list) or not all(isinstance(p, str) and _plain_name(p) for p in patches):
        raise _lock_error(lock, f"{where}: patches must be a list of file names in "
                                f"patches/{name}/ next to the lock, got {patches!r}")
    files = tuple((lock.parent / "patches" / name / p).resolve() for p in patches)
    for file in files:
        if not file.is_file():
            raise _lock_error(lock, f"{where}: no patch file {file}")
    return Source(name=name, version=table["version"], archive=table["archive"], sha256=table["sha256"],
                  top=table["top"], debian_package=table.get("debian-package"),
                  debian_version=table.get("debian-version"), upstream=table.get("upstream"), patches=files)


def load_lock(path: Path = LOCK) -> dict[str, Source]:
    """Every package of a lock file, by name; a malformed lock is a ConfigError naming the file."""
    lock = Path(path).resolve()
    try:
        data = tomllib.loads(lock.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _lock_error(lock, "no such lock file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise _lock_error(lock, f"cannot read the lock file: {e}") from None
    except tomllib.TOMLDecodeError as e:
        raise _lock_error(lock, f"not valid TOML: {e}") from None
    return {name: _parse_entry(lock, name, table) for name, table in data.items()}


def source(name: str, lock: Path = LOCK) -> Source:
    """The lock's entry for `name`; an unknown name is a ConfigError listing the known ones."""
    sources = load_lock(lock)
    if name not in sources:
        known = ", ".join(sorted(sources)) or "none"
        raise ConfigError(f"unknown third-party package {name!r}", UNKNOWN, f"known packages: {known} (in {lock})")
    return sources[name]


# ---------------------------------------------------------------------------------------------
# The cache

def cache_dir() -> Path:
    """$MIRAGE_SOURCES, or mirage-tools/sources in the user's cache folder."""
    override = os.environ.get("MIRAGE_SOURCES")
    if override:
        return Path(override).expanduser().resolve()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mirage-tools" / "sources"


def _say(verb: str, text: str) -> None:
    """A short progress line, in the build's style (`UNPACK lwip 2.1.3`)."""
    sys.stderr.write(f"{verb} {text}\n")
    sys.stderr.flush()


@contextmanager
def _locked(cache: Path) -> Iterator[None]:
    """Hold the cache's lock (one writer at a time, across processes)."""
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".lock", "ab") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            _say("WAIT", f"another fetch holds {cache / '.lock'}")
            fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _clean_temps(cache: Path) -> None:
    """Remove the work folders a killed fetch left (only called with the lock held)."""
    for leftover in cache.glob(".tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _remove_tree(tree: Path, cache: Path) -> None:
    """Take a tree out of place in one rename, then delete it."""
    if not tree.exists() and not tree.is_symlink():
        return
    trash = Path(tempfile.mkdtemp(dir=cache, prefix=".tmp-old-"))
    os.rename(tree, trash / "tree")
    shutil.rmtree(trash, ignore_errors=True)


def _sha256(file: Path) -> str:
    digest = hashlib.sha256()
    with open(file, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _tree_digest(top: Path) -> str:
    """A digest of every file, link and folder under top (names, contents, executable bits), but the stamp."""
    digest = hashlib.sha256()
    for folder, dirs, files in os.walk(top):
        dirs.sort()
        base = Path(folder)
        rel = base.relative_to(top).as_posix()
        digest.update(f"D {rel}\0".encode())
        for name in sorted(files + [d for d in dirs if (base / d).is_symlink()]):
            path = base / name
            entry = f"{rel}/{name}"
            if entry == f"./{STAMP}":
                continue
            if path.is_symlink():
                digest.update(f"L {entry} {os.readlink(path)}\0".encode())
            else:
                executable = os.stat(path).st_mode & 0o111 != 0
                digest.update(f"F {entry} {int(executable)} {_sha256(path)}\0".encode())
    return digest.hexdigest()


def _identity(src: Source) -> dict[str, Any]:
    """What a tree must have been made from to be this lock entry's tree."""
    return {"name": src.name, "version": src.version, "archive": src.archive, "sha256": src.sha256,
            "patches": [[p.name, _sha256(p)] for p in src.patches]}


def _read_stamp(tree: Path) -> dict[str, Any] | None:
    try:
        stamp = json.loads((tree / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stamp if isinstance(stamp, dict) else None


def _tree_current(tree: Path, src: Source) -> bool:
    stamp = _read_stamp(tree)
    return stamp is not None and {k: stamp.get(k) for k in _identity(src)} == _identity(src)


def status(name: str, lock: Path = LOCK) -> str:
    """`cached` (the tree is there), `downloaded` (only the archive: unpacked on first use, offline),
    `stale` (a tree made from what the lock no longer names) or `not fetched`."""
    src = source(name, lock)
    cache = cache_dir()
    tree = cache / src.folder
    if _tree_current(tree, src):
        return "cached"
    if tree.exists():
        return "stale"
    return "downloaded" if (cache / "downloads" / src.archive).is_file() else "not fetched"


# ---------------------------------------------------------------------------------------------
# Getting an archive

def _mismatch(what: str, src: Source, got: str) -> str:
    return f"{what} is not {src.label}'s archive: sha256 expected {src.sha256}, got {got}"


def _cached_archive(src: Source, cache: Path) -> Path | None:
    """downloads/<archive> when its sha256 matches; a mismatching one is removed."""
    file = cache / "downloads" / src.archive
    if not file.is_file():
        return None
    got = _sha256(file)
    if got == src.sha256:
        return file
    file.unlink()
    _say("REMOVE", f"{file}: {_mismatch('it', src, got)}")
    return None


def _manual_hint(src: Source, cache: Path) -> str:
    """How to hand the archive over without apt-get."""
    return (f"put {src.archive} (sha256 {src.sha256}) into {cache / 'downloads'}/, "
            f"or run: mirage-tools sources fetch {src.name} --archive FILE")


def _store(file: Path, src: Source, cache: Path, move: bool) -> Path:
    """Put a verified archive into downloads/ (atomically: a copy or move, then a rename)."""
    downloads = cache / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    dest = downloads / src.archive
    work = Path(tempfile.mkdtemp(dir=cache, prefix=".tmp-store-"))
    try:
        staged = work / src.archive
        if move:
            shutil.move(str(file), staged)
        else:
            shutil.copyfile(file, staged)
        os.replace(staged, dest)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return dest


def _apt_get(src: Source, cache: Path) -> Path:
    """Fetch the Debian source package with apt-get into a work folder; keep only the verified archive."""
    spec = src.apt_spec
    missing = f"{src.label} is not in the cache ({cache})"
    if spec is None:
        raise ConfigError(f"{missing}, and the lock names no Debian source package to fetch it from", UNKNOWN,
                          _manual_hint(src, cache))
    setup_hint = (f"add deb-src entries to apt's sources and run apt-get update (scripts/setup.sh does both), "
                  f"then: mirage-tools sources fetch {src.name}; offline: {_manual_hint(src, cache)}")
    apt = shutil.which("apt-get")
    if apt is None:
        raise ConfigError(f"{missing}, and apt-get is not available to fetch Debian source package {spec}",
                          UNKNOWN, _manual_hint(src, cache))
    _say("FETCH", f"{src.label} (apt-get source --download-only {spec})")
    work = Path(tempfile.mkdtemp(dir=cache, prefix=".tmp-apt-"))
    try:
        try:
            result = subprocess.run([apt, "source", "--download-only", spec], cwd=work, capture_output=True,
                                    text=True, timeout=_APT_TIMEOUT, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise ConfigError(f"{missing}, and apt-get source {spec} took more than {_APT_TIMEOUT} s",
                              UNKNOWN, setup_hint) from None
        if result.returncode != 0:
            output = (result.stderr + result.stdout).strip().splitlines()
            errors = [line for line in output if line.startswith("E:")]
            why = (errors or output or [f"exit status {result.returncode}"])[0 if errors else -1]
            raise ConfigError(f"{missing}, and `apt-get source {spec}` failed: {why}", UNKNOWN, setup_hint)
        got_file = work / src.archive
        if not got_file.is_file():
            gave = ", ".join(sorted(p.name for p in work.iterdir())) or "nothing"
            raise ConfigError(f"apt-get source {spec} did not give {src.archive} (it gave: {gave})", UNKNOWN,
                              f"check debian-version and archive of [{src.name}] in the lock")
        got = _sha256(got_file)
        if got != src.sha256:
            got_file.unlink()
            raise ConfigError(_mismatch(f"{src.archive} from apt-get source {spec}", src, got) + " (removed it)",
                              UNKNOWN, "the Debian archive changed the file, or the lock's sha256 is wrong")
        return _store(got_file, src, cache, move=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _user_archive(src: Source, file: Path, cache: Path) -> None:
    """Verify an archive the user supplied and keep a copy in downloads/ (their file stays)."""
    if not file.is_file():
        raise ConfigError(f"no such archive file {file}", UNKNOWN)
    got = _sha256(file)
    if got != src.sha256:
        raise ConfigError(_mismatch(str(file), src, got), UNKNOWN,
                          f"the lock wants {src.archive}" + (f"; upstream: {src.upstream}" if src.upstream else ""))
    if _cached_archive(src, cache) is None:
        _store(file, src, cache, move=False)


# ---------------------------------------------------------------------------------------------
# Unpacking and patching

def _extract(archive: Path, dest: Path, src: Source) -> None:
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as z:
                for member in z.namelist():
                    if member.startswith("/") or ".." in Path(member).parts:
                        raise ConfigError(f"{archive} holds an unsafe path {member!r}", UNKNOWN)
                z.extractall(dest)
            return
        with tarfile.open(archive) as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(dest, filter="data")  # no absolute paths, no links leaving dest, no devices
            else:  # pragma: no cover - a Python without extraction filters
                for m in tar.getmembers():
                    if m.name.startswith("/") or ".." in Path(m.name).parts or not (m.isfile() or m.isdir()):
                        raise ConfigError(f"{archive} holds an unsafe or unusual member {m.name!r}", UNKNOWN)
                tar.extractall(dest)
    except (tarfile.TarError, zipfile.BadZipFile, lzma.LZMAError, EOFError, OSError) as e:
        raise ConfigError(f"cannot unpack {archive} for {src.label}: {e}", UNKNOWN) from None


def _apply(patch: Path, top: Path, src: Source) -> None:
    tool = shutil.which("patch")
    if tool is None:
        raise ConfigError(f"applying {patch.name} to {src.label} needs the `patch` program", UNKNOWN,
                          "Debian: apt-get install patch")
    _say("PATCH", f"{src.label} {patch.name}")
    result = subprocess.run([tool, "-p1", "--batch", "--forward", "--fuzz=0", "--no-backup-if-mismatch",
                             "-i", str(patch)], cwd=top, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise ConfigError(f"{patch} does not apply to {src.label}:\n{(result.stdout + result.stderr).strip()}",
                          UNKNOWN)


def _unpack(src: Source, archive: Path, cache: Path) -> Path:
    """Unpack and patch in a work folder, stamp, then rename into place (with the lock held)."""
    _say("UNPACK", f"{src.label} ({archive.name})")
    work = Path(tempfile.mkdtemp(dir=cache, prefix=f".tmp-{src.name}-"))
    try:
        _extract(archive, work, src)
        top = work / src.top
        if not top.is_dir():
            found = ", ".join(sorted(p.name for p in work.iterdir())) or "nothing"
            raise ConfigError(f"{archive.name} does not unpack to {src.top}/ (found: {found})", UNKNOWN,
                              f"check top of [{src.name}] in the lock")
        for patch in src.patches:
            _apply(patch, top, src)
        stamp = {**_identity(src), "tree": _tree_digest(top)}
        (top / STAMP).write_text(json.dumps(stamp, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        tree = cache / src.folder
        _remove_tree(tree, cache)  # a stale tree, made from what the lock no longer names
        os.rename(top, tree)
        return tree
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# The interface

def fetch(name: str, archive: Path | None = None, lock: Path = LOCK) -> Path:
    """Make the cache hold `name`'s verified, patched tree and return its folder. Nothing is done
    when it is there already (so this works offline); otherwise the archive comes from `archive`
    (a file the user supplies), the cache's downloads/, or `apt-get source`, in that order."""
    src = source(name, lock)
    cache = cache_dir()
    tree = cache / src.folder
    if archive is None and _tree_current(tree, src):
        return tree
    with _locked(cache):
        _clean_temps(cache)
        if archive is not None:
            _user_archive(src, Path(archive), cache)
        if _tree_current(tree, src):  # another process may have made it while we waited
            return tree
        file = _cached_archive(src, cache) or _apt_get(src, cache)
        return _unpack(src, file, cache)


def path(name: str, lock: Path = LOCK) -> Path:
    """The top folder of `name`'s unpacked tree (e.g. .../lwip-2.1.3), fetched first if missing."""
    return fetch(name, lock=lock)


def verify(name: str, lock: Path = LOCK) -> str:
    """Re-hash the cached archive and the tree's files against the lock and the tree's stamp.
    Returns what was checked; a problem is a ConfigError, and what failed (the archive and the
    tree, or the tree alone) is removed so the next fetch starts clean."""
    src = source(name, lock)
    cache = cache_dir()
    tree = cache / src.folder
    file = cache / "downloads" / src.archive
    if not tree.exists() and not file.exists():
        raise ConfigError(f"{src.label} is not fetched", UNKNOWN, f"mirage-tools sources fetch {name}")
    with _locked(cache):
        problems, removed = [], []
        if file.exists():
            got = _sha256(file)
            if got != src.sha256:
                problems.append(f"downloads/{src.archive}: sha256 expected {src.sha256}, got {got}")
                file.unlink()
                removed.append(f"downloads/{src.archive}")
        if tree.exists():
            stamp = _read_stamp(tree)
            if stamp is None:
                problems.append(f"{src.folder}/ has no readable {STAMP}")
            elif not _tree_current(tree, src):
                problems.append(f"{src.folder}/ was made from another archive or other patches than the lock names")
            elif stamp.get("tree") != _tree_digest(tree):
                problems.append(f"files under {src.folder}/ changed since it was unpacked")
            if problems:
                _remove_tree(tree, cache)
                removed.append(f"{src.folder}/")
        if problems:
            raise ConfigError(f"{src.label}: " + "; ".join(problems) + f" (removed {' and '.join(removed)})",
                              UNKNOWN, f"mirage-tools sources fetch {name} gets it again")
    checked = [f"archive sha256 {src.sha256[:12]}..." if file.exists() else "archive not kept"]
    checked.append("tree matches its stamp" if tree.exists() else "not unpacked yet")
    return ", ".join(checked)
