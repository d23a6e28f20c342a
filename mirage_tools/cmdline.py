"""The command line of a Solo5 image (spt, hvt, virtio): one string, since the tender joins
its ARGS with spaces (QEMU's -append and urunc's cmdline are one string too). The guest
bindings split it back (targets/solo5/bindings/solo5_bindings.c) with MirageOS's rules:
spaces separate words, quotes group, a backslash makes the next character plain."""
from __future__ import annotations

from collections.abc import Sequence

_SPECIAL = frozenset(" '\"\\")


def quote(word: str) -> str:
    """`word` as the guest splitter reads back exactly: a backslash before each special
    character (quotes, backslash, spaces and other unprintable characters), and a final
    space in quotes, so the text never has two spaces in a row and survives being re-split
    on spaces and re-joined."""
    if word == "":
        return "''"
    text = "".join("\\" + c if c in _SPECIAL or not c.isprintable() else c for c in word)
    # A final space goes in quotes: "\\ " before the separating space would make two spaces
    # in a row, which a runtime that splits on runs of spaces would lose.
    return text[:-2] + "' '" if text.endswith("\\ ") else text


def solo5_cmdline(args: Sequence[str]) -> str:
    """The command line that the guest splits back into `args`."""
    return " ".join(quote(a) for a in args)
