"""Files embedded in an image at build time (crunch): a folder scanned when config.py
is evaluated, each distinct content stored once."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError, Location


@dataclass(frozen=True)
class EmbeddedFile:
    key: str          # path inside the store, "/"-separated, no leading slash
    folder: str       # the embedded folder as config.py names it
    path: Path        # the file on the build machine
    size: int
    sha256: str       # hex
    mtime_ns: int

    @property
    def symbol(self) -> str:
        """The assembler symbol of its content (shared by files with equal content)."""
        return f"mirage_blob_{self.sha256[:24]}"

    @property
    def unit(self) -> str:
        """The assembler file that holds its content: its own for a large file, so changing
        it reassembles only that; one shared file for all small ones, so a thousand small
        files make one object rather than a thousand (linking those is what costs)."""
        return f"{self.symbol}.s" if self.size >= SMALL else "mirage_blobs_small.s"


SMALL = 64 * 1024  # files below this share one assembler file
MAX_KEY = 1023  # the crunch driver's key buffer, less the terminating NUL


def _mtime_ns(path: Path) -> int:
    """The time an embedded file reports as modified: SOURCE_DATE_EPOCH when set, else 0.
    Never the file's own mtime: an image must depend on the files' contents only, so two
    checkouts give the same bytes and share the build cache."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return int(epoch) * 1_000_000_000 if epoch and epoch.isdigit() else 0


def scan(base: Path, embedded: str, location: Location) -> list[EmbeddedFile]:
    """Every regular file below the folder `embedded` (relative to `base`), sorted by key.
    Symlinks are followed to files inside the folder only."""
    folder = base / embedded
    if not folder.is_dir():
        raise ConfigError(f"crunch: {folder} is not a folder", location)
    root = folder.resolve()
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            real = path.resolve()
            if not real.is_file() or not real.is_relative_to(root):
                continue
            key = path.relative_to(root).as_posix()
            try:
                size = len(key.encode("utf-8"))
            except UnicodeEncodeError:
                raise ConfigError(f"crunch: the file name {key!r} in {folder} is not valid UTF-8", location,
                                  "rename it: store keys are UTF-8 text") from None
            if size > MAX_KEY:
                raise ConfigError(f"crunch: the key {key[:40]!r}... in {folder} is {size} bytes long", location,
                                  f"store keys hold at most {MAX_KEY} bytes")
            data = real.read_bytes()
            files.append(EmbeddedFile(path.relative_to(root).as_posix(), embedded, real, len(data),
                                      hashlib.sha256(data).hexdigest(), _mtime_ns(real)))
    return sorted(files, key=lambda f: f.key)
