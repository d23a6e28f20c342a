"""The target descriptor loader: families, paths relative to the file naming them, and
clear refusals of unknown or missing fields (docs/architecture.md's checklist)."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from mirage_tools.errors import ConfigError
from mirage_tools.paths import TARGETS
from mirage_tools.targets import _load, all_targets, expand, get_target


def descriptor(tmp_path: Path, text: str, name: str = "fc") -> Path:
    folder = tmp_path / name
    (folder / "bindings").mkdir(parents=True)
    (folder / "bindings" / "platform.c").write_text("")
    (folder / "fc.ld").write_text("")
    (folder / "target.py").write_text(textwrap.dedent(text))
    return folder


def test_a_fictional_target_of_the_solo5_family_needs_only_its_differences(tmp_path: Path) -> None:
    folder = descriptor(tmp_path, '''
        """A fictional microVM target."""
        family = "solo5"
        suffix = ".fc"
        cppdefines = ["SOLO5_ABI_TARGET=9"]
        sources = ["bindings/*.c"]
        family_sources = ["bindings/x86_64/*.c"]
        linker_script = "fc.ld"
    ''')
    fc = _load(folder)
    spt = get_target("spt")
    assert fc.doc == "A fictional microVM target." and fc.solo5 and fc.freestanding and fc.suffix == ".fc"
    assert fc.run is spt.run and fc.tender is None  # the family's run; no tender of its own
    assert fc.cflags == spt.cflags and fc.cppdefines == ("SOLO5_ABI_TARGET=9",)
    sources = expand(fc.sources)
    assert folder / "bindings" / "platform.c" in sources
    assert TARGETS / "solo5" / "abi_note.c" in sources
    assert TARGETS / "solo5" / "bindings" / "x86_64" / "cpu.c" in sources
    assert fc.driver("netif") == TARGETS / "solo5" / "drivers" / "netif.c" and fc.driver("kv_direct") is None
    assert fc.linker_script == folder / "fc.ld"


@pytest.mark.parametrize("text, message", [
    ('"""X."""\ncflag = ["-O2"]\ndef run(i, a, t, d, o): return [i]\n', "unknown field 'cflag'"),
    ('"""X."""\nsuffix = ".x"\n', "no run function"),
    ('def run(i, a, t, d, o): return [i]\n', "no docstring"),
    ('"""X."""\nfreestanding = True\ndef run(i, a, t, d, o): return [i]\n', "needs a linker_script"),
    ('"""X."""\ncflags = "-O2"\ndef run(i, a, t, d, o): return [i]\n', "cflags must be a list of strings"),
    ('"""X."""\nfamily = "nope"\ndef run(i, a, t, d, o): return [i]\n', "family 'nope' has no"),
    ('"""X."""\ntender = {"nam": "x"}\ndef run(i, a, t, d, o): return [i]\n', "unknown tender field 'nam'"),
    ('"""X."""\nfamily_sources = ["x.c"]\ndef run(i, a, t, d, o): return [i]\n', "family_sources needs a family"),
])
def test_bad_descriptors_are_refused_with_their_path(tmp_path: Path, text: str, message: str) -> None:
    folder = descriptor(tmp_path, text)
    with pytest.raises(ConfigError) as e:
        _load(folder)
    assert message in e.value.message and str(folder / "target.py") in e.value.message


def test_every_real_target_loads_and_its_sources_exist() -> None:
    for target in all_targets().values():
        assert expand(target.sources)
        if target.tender is not None:
            assert expand(target.tender.sources) and all(Path(d).is_dir() for d in target.tender.include)
        assert all(Path(d).is_dir() for d in target.include)
        assert target.drivers is not None and target.driver_names  # every target supplies drivers
