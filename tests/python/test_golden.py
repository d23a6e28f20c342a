"""Generated code for the examples, compared byte for byte with reviewed golden files.
Generated files do not depend on the target unless the graph does, so a file every
target generates alike has one golden copy, tests/golden/<example>/<file>; when a file
really differs by target (a device chosen by Key.target), the version most targets
generate is that shared copy and each target generating another has its own,
tests/golden/<example>/<target>/<file>. After an intended change, regenerate them with
MIRAGE_UPDATE_GOLDEN=1 and review the diff before committing."""
import os
import shutil
from pathlib import Path

import pytest

from mirage_tools.codegen import generate
from mirage_tools.engine import resolve
from mirage_tools.loader import load_config
from mirage_tools.targets import get_target, target_names

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
EXAMPLES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/config.py"))
GEN = "build/gen"  # the folder the files go to, as #line names it: the same for every target


def render(example: str, target: str) -> dict[str, str]:
    folder = ROOT / "examples" / example
    cwd = os.getcwd()
    os.chdir(folder)  # display paths as a user running scons in the folder sees them
    # Embedded files' mtimes depend on the checkout: clamp them as reproducible builds do.
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = "0"
    try:
        reg = load_config(Path("config.py"), "config.py")
        plan = resolve(reg, get_target(target), {}, "config.py", folder)
        return generate(plan, GEN)
    finally:
        os.chdir(cwd)
        if epoch is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = epoch


def _update(example: str, rendered: dict[str, dict[str, str]]) -> None:
    folder = GOLDEN / example
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    names = sorted({n for files in rendered.values() for n in files})
    for name in names:
        versions = {t: files[name] for t, files in rendered.items() if name in files}
        contents = list(versions.values())
        shared = max(contents, key=contents.count)  # the first of the most common, by target order
        (folder / name).write_text(shared)
        for target, content in versions.items():
            if content != shared:
                (folder / target).mkdir(exist_ok=True)
                (folder / target / name).write_text(content)


@pytest.mark.parametrize("example", EXAMPLES)
def test_generated_code_matches_golden(example):
    rendered = {t: render(example, t) for t in target_names()}
    if os.environ.get("MIRAGE_UPDATE_GOLDEN"):
        _update(example, rendered)
    folder = GOLDEN / example
    used: set[Path] = set()
    for target, files in rendered.items():
        for name, content in files.items():
            own = folder / target / name
            golden = own if own.exists() else folder / name
            assert golden.exists(), f"{example}: no golden {name} for {target}"
            assert golden.read_text() == content, f"{golden.relative_to(GOLDEN)} differs from what {target} generates"
            assert str(ROOT) not in content and '#line 0 ' not in content, f"{name}: a path or line leaks"
            used.add(golden)
    stale = sorted(str(p.relative_to(GOLDEN)) for p in folder.rglob("*") if p.is_file() and p not in used)
    assert not stale, f"golden files no target generates: {stale}"


@pytest.mark.parametrize("example", EXAMPLES)
def test_only_what_differs_is_kept_per_target(example):
    """A per-target golden file must differ from the shared copy it overrides."""
    for own in (GOLDEN / example).glob("*/*"):
        shared = GOLDEN / example / own.name
        assert not shared.exists() or shared.read_bytes() != own.read_bytes(), \
            f"{own.relative_to(GOLDEN)} is the same as the shared copy"


def test_generation_is_deterministic():
    assert render("hello-key", "unix") == render("hello-key", "unix")
