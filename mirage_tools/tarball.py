"""Deterministic tar images of a folder (archive_of_files): entries sorted, owner 0,
mode 0644/0755, mtime clamped to SOURCE_DATE_EPOCH when set, padded to whole sectors."""
from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

SECTOR = 512


def tar_bytes(folder: Path) -> bytes:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    clamp = int(epoch) if epoch and epoch.isdigit() else None
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink() or not (path.is_file() or path.is_dir()):
                continue
            info = tar.gettarinfo(str(path), arcname=rel)
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mode = 0o755 if path.is_dir() else 0o644
            if clamp is not None:
                info.mtime = min(int(info.mtime), clamp)
            if path.is_file():
                with open(path, "rb") as f:
                    tar.addfile(info, f)
            else:
                tar.addfile(info)
    data = out.getvalue()
    return data + b"\0" * (-len(data) % SECTOR)


def unstorable(folder: Path) -> str | None:
    """Why a file below `folder` cannot go into a ustar archive, or None."""
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        try:
            name = rel.encode("utf-8")
        except UnicodeEncodeError:
            return f"the file name {rel!r} is not valid UTF-8"
        head, _, tail = name.rpartition(b"/")
        if len(tail) > 100 or len(head) > 155:
            return f"the path {rel!r} is too long for a ustar archive (name 100 bytes, folder 155)"
    return None


def files_below(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
