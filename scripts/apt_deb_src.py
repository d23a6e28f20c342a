#!/usr/bin/env python3
"""Give every apt source entry a deb-src twin, so `apt-get source` can fetch the pinned
third-party C (third_party/sources.lock). Run by scripts/setup.sh; standard library only,
since it runs before the virtualenv exists.

    apt_deb_src.py [--root DIR] [--check]

Edits DIR/etc/apt/sources.list and DIR/etc/apt/sources.list.d/*.list (a `deb-src` line after each
`deb` line that has none) and *.sources, the deb822 files Debian 12 uses (`Types: deb` becomes
`Types: deb deb-src`). Files apt does not read (other suffixes) are left alone. Prints each file
it changes; `--check` changes nothing and exits 1 when something would change. Running it twice
changes nothing the second time.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path


def _one_line_files(lines: list[str]) -> list[str]:
    """Classic one-line-style entries: add `deb-src REST` after each `deb REST` that lacks one."""
    def words(line: str) -> list[str]:
        return line.split("#", 1)[0].split()

    have = {tuple(words(line)[1:]) for line in lines if words(line)[:1] == ["deb-src"]}
    out = []
    for line in lines:
        out.append(line)
        w = words(line)
        if w[:1] == ["deb"] and len(w) > 1 and tuple(w[1:]) not in have:
            indent = line[:len(line) - len(line.lstrip())]
            out.append(f"{indent}deb-src {' '.join(w[1:])}\n")
            have.add(tuple(w[1:]))
    return out


def _deb822(lines: list[str]) -> list[str]:
    """deb822 stanzas: a `Types:` field naming deb but not deb-src gets deb-src."""
    out = []
    for line in lines:
        key, sep, value = line.partition(":")
        if sep and not line[:1].isspace() and key.strip().lower() == "types":
            types = value.split()
            if "deb" in types and "deb-src" not in types:
                line = f"{key}: {' '.join([*types, 'deb-src'])}\n"
        out.append(line)
    return out


def source_files(root: Path) -> list[Path]:
    """The files apt reads its entries from, under root."""
    apt = root / "etc" / "apt"
    parts = apt / "sources.list.d"
    files = [apt / "sources.list"] if (apt / "sources.list").is_file() else []
    if parts.is_dir():
        files += sorted(p for p in parts.iterdir() if p.suffix in (".list", ".sources") and p.is_file())
    return files


def add_deb_src(root: Path, write: bool = True) -> list[Path]:
    """Add the missing deb-src entries under root; returns the files that (would) change."""
    changed = []
    for file in source_files(root):
        lines = file.read_text(encoding="utf-8").splitlines(keepends=True)
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        new = _deb822(lines) if file.suffix == ".sources" else _one_line_files(lines)
        if new == lines:
            continue
        changed.append(file)
        if write:
            fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.writelines(new)
            os.chmod(tmp, file.stat().st_mode & 0o7777)
            os.replace(tmp, file)
    return changed


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Add deb-src entries to apt's sources.")
    p.add_argument("--root", type=Path, default=Path("/"), help="the file system root (default: /)")
    p.add_argument("--check", action="store_true", help="change nothing; exit 1 when something would change")
    args = p.parse_args(argv)
    changed = add_deb_src(args.root, write=not args.check)
    for file in changed:
        print(f"{'would add' if args.check else 'added'} deb-src entries: {file}")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
