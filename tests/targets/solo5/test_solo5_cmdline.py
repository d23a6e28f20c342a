"""The Solo5 guest command line: the bindings' splitter (targets/solo5/bindings/
solo5_bindings.c, built for the host through cffi) reads back exactly the words that
mirage_tools.cmdline quoted, and reads hand-written quoting the MirageOS way."""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mirage_tools.cmdline import quote, solo5_cmdline
from mirage_tools.targets import get_target
from tests.cbuild import ROOT, build
from tests.cdecl import cdef_of

CMDLINE_SIZE = 8192
MAX_ARGS = CMDLINE_SIZE // 2 + 2


@functools.cache
def _lib() -> tuple[Any, Any]:
    return build("solo5_cmdline",
                 [ROOT / "targets/solo5/bindings/solo5_bindings.c", ROOT / "tests/targets/solo5/solo5_mft_stub.c"],
                 cdef_of(("solo5_bindings.h",), tuple(map(Path, get_target("spt").include))),
                 include_dirs=get_target("spt").include)


def split(cmdline: str) -> list[str]:
    """The words the guest sees after argv[0]."""
    ffi, lib = _lib()
    buf = ffi.new("char[]", CMDLINE_SIZE)
    argv = ffi.new("char *[]", MAX_ARGS)
    argc = lib.solo5_cmdline_split(cmdline.encode(), buf, argv)
    assert argv[argc] == ffi.NULL and ffi.string(argv[0]) == b"unikernel"
    return [ffi.string(argv[i]).decode() for i in range(1, argc)]


def test_hand_written_quoting() -> None:
    line = r"""a "b c" 'd e' f\ g "it's" 'say "hi"' '' x"y z"w \\ 'a\'b' tail\ """
    assert split(line) == ["a", "b c", "d e", "f g", "it's", 'say "hi"', "", "xy zw", "\\", "a'b", "tail "]


def test_plain_spaces_still_separate() -> None:
    assert split("  --hello=Bon   jour ") == ["--hello=Bon", "jour"]
    assert split("") == [] and split("   ") == []


def test_unterminated_quote_and_trailing_backslash() -> None:
    assert split("'a b") == ["a b"]
    assert split("a\\") == ["a\\"]


def test_solo5_words_are_dropped_after_unquoting() -> None:
    assert split(r"--solo5:quiet x '--solo5:debug' \--solo5:y '--solo5: z'") == ["x"]


def test_quoting_examples() -> None:
    assert solo5_cmdline(["--hello", "Bon jour"]) == r"--hello Bon\ jour"
    assert quote("") == "''" and quote("--hello=Kubernetes") == "--hello=Kubernetes"
    assert quote("it's \"x\"\\") == r"it\'s\ \"x\"\\"


WORDS = st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"),
                         max_size=40), max_size=12)


@settings(max_examples=400, deadline=None)
@given(words=WORDS)
def test_round_trip(words: list[str]) -> None:
    """Python quote -> one command line -> the real C splitter -> the same words."""
    line = solo5_cmdline(words)
    # Never two spaces in a row: the line survives a runtime that splits it on spaces
    # and joins it again, as a tender joins its ARGS.
    assert "  " not in line
    if len(line.encode()) > CMDLINE_SIZE - 1:
        return
    assert split(line) == [w for w in words if not w.startswith("--solo5:")]
