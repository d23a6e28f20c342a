"""The layout rules of docs/architecture.md, enforced: what each folder may include or import.

- runtime_c/ is target-independent: it never includes a target's header, no file in it is
  named for a target or family (foo_unix.c), and it never reaches out with "../".
- Layers inside runtime_c/: format/ sees only the platform interface; libc/ sees format/
  and the platform, never the core or drivers; nothing below drivers/ includes a driver's
  private header.
- targets/ reach shared code through include folders, never `#include "../`.
- mirage_tools/ imports SCons only in mirage_tools/scons/.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ROOT / "runtime_c"
TARGETS = ROOT / "targets"
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.MULTILINE)
C_FILES = ("*.c", "*.h", "*.S")


def c_files(folder: Path) -> list[Path]:
    return sorted(p for pattern in C_FILES for p in folder.rglob(pattern))


def includes(path: Path) -> list[tuple[str, str]]:
    return INCLUDE.findall(path.read_text())


def target_headers() -> set[str]:
    """Every header a target folder holds, by the names an #include could give it."""
    names: set[str] = set()
    for header in TARGETS.rglob("*.h"):
        parts = header.relative_to(TARGETS).parts
        names.update("/".join(parts[i:]) for i in range(1, len(parts)))
    return names


def family_names() -> set[str]:
    return {p.name for p in TARGETS.iterdir() if p.is_dir()}


@pytest.mark.parametrize("path", c_files(RUNTIME), ids=lambda p: str(p.relative_to(RUNTIME)))
def test_runtime_never_includes_a_target_header(path: Path) -> None:
    own = {p.relative_to(RUNTIME / "include").as_posix() for p in (RUNTIME / "include").rglob("*.h")}
    own |= {p.relative_to(RUNTIME / "libc" / "include").as_posix() for p in (RUNTIME / "libc" / "include").rglob("*.h")}
    bad = [name for _, name in includes(path)
           if "../" in name or "targets/" in name or (name in target_headers() and name not in own)]
    assert not bad, f"{path.relative_to(ROOT)} includes target headers: {bad}"


def test_no_runtime_file_is_named_for_a_target_or_family() -> None:
    suffixes = tuple(f"_{name}" for name in family_names())
    named = [str(p.relative_to(ROOT)) for p in c_files(RUNTIME) if p.stem.endswith(suffixes)]
    assert not named, f"target-specific files under runtime_c/ (move them to targets/<family>/drivers/): {named}"


@pytest.mark.parametrize("layer, allowed", [
    ("format", {"mirage/format.h", "mirage/platform.h"}),
    ("libc", {"mirage/format.h", "mirage/platform.h"}),
])
def test_lower_layers_include_nothing_above_them(layer: str, allowed: set[str]) -> None:
    """format/ is below libc/ and core/; libc/ is below core/: no circle between them."""
    for path in c_files(RUNTIME / layer):
        above = [name for _, name in includes(path) if name.startswith("mirage/") and name not in allowed]
        assert not above, f"{path.relative_to(ROOT)} includes {above}, which sit above {layer}/"


def test_targets_never_reach_up_with_relative_includes() -> None:
    bad = [f"{p.relative_to(ROOT)}: {name}" for p in c_files(TARGETS) for _, name in includes(p) if "../" in name]
    assert not bad, "use the family's include folders instead of relative paths:\n" + "\n".join(bad)


def test_only_the_scons_glue_imports_scons() -> None:
    offenders = []
    for path in sorted((ROOT / "mirage_tools").rglob("*.py")):
        if (ROOT / "mirage_tools" / "scons") in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n == "SCons" or n.startswith("SCons.") for n in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, f"only mirage_tools/scons/ may import SCons: {offenders}"


def test_the_rules_can_fail(tmp_path: Path) -> None:
    """The include scanner sees the forms the rules look for."""
    probe = tmp_path / "probe.c"
    probe.write_text('#include "../x.h"\n# include <solo5_platform.h>\n')
    assert includes(probe) == [('"', "../x.h"), ("<", "solo5_platform.h")]
    assert "solo5_platform.h" in target_headers()
