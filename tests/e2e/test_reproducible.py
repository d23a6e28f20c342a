"""Two clean builds of the same example in different folders give byte-identical images
and tenders: no build path or time leaks into the output."""
import pytest

from tests.sconsrun import copy_example, scons


@pytest.mark.parametrize("target", ["unix", "spt", "hvt"])
def test_builds_in_two_folders_are_identical(tmp_path, target):
    outputs = []
    for where in ("first/place", "second"):
        folder = copy_example("hello-key", tmp_path / where)
        scons(folder, f"target={target}")
        build = folder / "build" / target
        outputs.append({p.relative_to(build).as_posix(): p.read_bytes() for p in build.rglob("*")
                        if p.is_file() and p.suffix not in (".json",) and p.name != ".sconsign.dblite"})
    first, second = outputs
    assert sorted(first) == sorted(second)
    different = [name for name in first if first[name] != second[name]]
    assert different == []
