"""Generated code for the examples, compared byte for byte with reviewed golden files in
tests/golden/<example>/<target>/. After an intended change, regenerate them with
MIRAGE_UPDATE_GOLDEN=1 and review the diff before committing."""
import os
from pathlib import Path

import pytest

from mirage_tools.codegen import generate
from mirage_tools.engine import resolve
from mirage_tools.loader import load_config
from mirage_tools.targets import get_target, target_names

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
EXAMPLES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/config.py"))


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
        return generate(plan, f"build/{target}/gen")
    finally:
        os.chdir(cwd)
        if epoch is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = epoch


@pytest.mark.parametrize("target", target_names())
@pytest.mark.parametrize("example", EXAMPLES)
def test_generated_code_matches_golden(example, target):
    files = render(example, target)
    folder = GOLDEN / example / target
    if os.environ.get("MIRAGE_UPDATE_GOLDEN"):
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            (folder / name).write_text(content)
    assert sorted(p.name for p in folder.iterdir()) == sorted(files)
    for name, content in files.items():
        assert (folder / name).read_text() == content, f"{example}/{target}/{name} differs from golden"
        assert str(ROOT) not in content and '#line 0 ' not in content, f"{name}: a path or line leaks"


def test_generation_is_deterministic():
    assert render("hello-key", "unix") == render("hello-key", "unix")
