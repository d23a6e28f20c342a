"""The shared build cache: SCons' CacheDir, plus the pruning SCons never does."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

_enabled: set[str] = set()


def prune(folder: Path, limit: int) -> int:
    """Delete the least recently used entries until the cache holds at most `limit` bytes;
    returns how many bytes were freed. SCons touches an entry when it is retrieved."""
    entries = []
    for dirpath, _, filenames in os.walk(folder):
        for name in filenames:
            if name == "config":  # SCons' own cache layout marker
                continue
            path = Path(dirpath) / name
            try:
                st = path.stat()
            except FileNotFoundError:
                continue
            entries.append((max(st.st_atime, st.st_mtime), st.st_size, path))
    total = sum(size for _, size, _ in entries)
    freed = 0
    for _, size, path in sorted(entries):
        if total - freed <= limit:
            break
        path.unlink(missing_ok=True)
        freed += size
    return freed


def enable(env: Any, folder: str, limit: int) -> None:
    """Turn the cache on for this build (once), pruned to `limit` bytes first (0: never)."""
    path = Path(folder).expanduser().resolve()
    if str(path) in _enabled:
        return
    _enabled.add(str(path))
    path.mkdir(parents=True, exist_ok=True)
    if limit > 0:
        prune(path, limit)
    env.CacheDir(str(path))
