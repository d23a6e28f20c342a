"""Console dispatch and mirage_console_printf, whose output must be exactly what
an unbounded printf would give, however long (the runtime formats through a
256-byte stack buffer)."""
from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.runtime.core.corelib import console_output, core, reset

BUF = 256


def default_console() -> Any:
    ffi, lib = core()
    c = ffi.new("struct mirage_console *")
    assert lib.default_console_connect(c) == 0
    return c


def printf(fmt: bytes, *args: Any) -> tuple[int, bytes]:
    _, lib = core()
    reset()
    rc = lib.mirage_console_printf(default_console(), fmt, *args)
    return rc, console_output()


def oracle(fmt: bytes, *args: Any) -> bytes:
    ffi, lib = core()
    s = lib.oracle_format(fmt, *args)
    try:
        return ffi.string(s)
    finally:
        lib.oracle_free(s)


def test_short_output_is_one_write() -> None:
    ffi, lib = core()
    rc, out = printf(b"hello %s %d\n", ffi.new("char[]", b"world"), ffi.cast("int", 42))
    assert (rc, out) == (0, b"hello world 42\n")
    assert lib.fake_console_writes() == 1


def test_output_of_exactly_buffer_size_minus_one_and_plus_one() -> None:
    ffi, _ = core()
    for n in (BUF - 1, BUF, BUF + 1):
        s = ffi.new("char[]", b"x" * n)
        rc, out = printf(b"%s", s)
        assert (rc, out) == (0, b"x" * n)


def test_long_string_and_numbers_are_exact() -> None:
    ffi, _ = core()
    text = bytes(range(32, 127)) * 20
    fmt = b"[%s] %d %lx %0*d|%-300d|%%|%300.200x"
    args = (ffi.new("char[]", text), ffi.cast("int", -7), ffi.cast("unsigned long", 2**64 - 1),
            ffi.cast("int", 300), ffi.cast("int", 5), ffi.cast("int", 9), ffi.cast("unsigned", 0xBEEF))
    rc, out = printf(fmt, *args)
    assert rc == 0
    assert out == oracle(fmt, *args)
    assert len(out) > 4 * BUF


LONG_NUMBER_CASES = [  # width or precision beyond the buffer: padded by hand
    (b"%300.0d", "int", 0), (b"%-300.0x", "unsigned", 0), (b"%#300.0o", "unsigned", 0),
    (b"%#300.0x", "unsigned", 0), (b"%300.0d", "int", 7), (b"%0300d", "int", -42),
    (b"%+0300d", "int", 42), (b"% 0300d", "int", 42), (b"%#0300x", "unsigned", 0xABC),
    (b"%#0300X", "unsigned", 0xABC), (b"%#0300x", "unsigned", 0), (b"%0300.5d", "int", -3),
    (b"%-0300d", "int", -3), (b"%+.300d", "int", 5), (b"%.300d", "int", -5),
    (b"%#.300o", "unsigned", 0o123), (b"%#.300x", "unsigned", 0x1F), (b"%400.300d", "int", -1),
    (b"%-400.300u", "unsigned", 9), (b"%300p", "void *", 0x1234), (b"%-300p", "void *", 0xDEAD),
    (b"%300p", "void *", 0), (b"%300c", "int", ord("z")), (b"%-300c", "int", ord("z")),
    (b"%300hhd", "int", 300), (b"%300hu", "unsigned", 70000), (b"%0300lld", "long long", -(2**63)),
]


def test_long_numbers_are_exact() -> None:
    ffi, _ = core()
    for fmt, ctype, value in LONG_NUMBER_CASES:
        arg = ffi.cast(ctype, value)
        rc, out = printf(fmt, arg)
        assert rc == 0
        assert out == oracle(fmt, arg), fmt
        assert len(out) >= BUF


def test_unsupported_conversion_in_long_output_is_copied() -> None:
    ffi, _ = core()
    long = ffi.new("char[]", b"y" * 300)
    rc, out = printf(b"%s %q %d", long, ffi.cast("int", 3))
    assert rc == 0
    assert out == b"y" * 300 + b" %q 3"


def test_write_dispatches_through_ops_and_errors_propagate() -> None:
    ffi, lib = core()
    seen: list[bytes] = []
    fail_from = [10**9]

    @ffi.callback("int(struct mirage_console *, const void *, size_t)")
    def write(c: Any, buf: Any, n: int) -> int:
        if len(seen) >= fail_from[0]:
            return int(lib.MIRAGE_EIO)
        seen.append(ffi.buffer(buf, n)[:])
        return 0

    ops = ffi.new("struct mirage_console_ops *", {"write": write})
    con = ffi.new("struct mirage_console *", {"ops": ops})
    assert lib.mirage_console_write(con, b"abc", 3) == 0
    assert seen == [b"abc"]
    long = ffi.new("char[]", b"q" * 1000)
    assert lib.mirage_console_printf(con, b"<%s>", long) == 0
    assert b"".join(seen[1:]) == b"<" + b"q" * 1000 + b">"
    # The first error is returned, and nothing is written after it.
    seen.clear()
    fail_from[0] = 1
    assert lib.mirage_console_printf(con, b"%s|%s", long, long) == lib.MIRAGE_EIO
    assert len(seen) == 1


# ---- random formats against the host libc's unbounded output ----

INT_TYPES = {  # length modifier -> (signed C type, unsigned C type, bits of the value)
    "": ("int", "unsigned int", 32),
    "hh": ("int", "unsigned int", 32),
    "h": ("int", "unsigned int", 32),
    "l": ("long", "unsigned long", 64),
    "ll": ("long long", "unsigned long long", 64),
    "j": ("intmax_t", "uintmax_t", 64),
    "z": ("ptrdiff_t", "size_t", 64),
    "t": ("ptrdiff_t", "size_t", 64),
}

literal = st.text(st.characters(min_codepoint=1, max_codepoint=126, exclude_characters="%"),
                  max_size=300).map(str.encode)
big = st.one_of(st.none(), st.integers(0, 40), st.integers(0, 700))


@st.composite
def conversion(draw: Any) -> tuple[bytes, list[Any]]:
    ffi, _ = core()
    conv = draw(st.sampled_from("diuoxXcsp"))
    flags = "".join(draw(st.lists(st.sampled_from("-+ #0"), max_size=3, unique=True)))
    if conv in "cs":
        flags = flags.replace("0", "").replace("#", "").replace("+", "").replace(" ", "")
    if conv == "p":
        flags = flags.replace("0", "").replace("#", "").replace("+", "").replace(" ", "")
    if conv in "diu":
        flags = flags.replace("#", "")
    if conv in "uoxX":
        flags = flags.replace("+", "").replace(" ", "")
    args: list[Any] = []
    spec = "%" + flags
    width = draw(big)
    if width is not None:
        if draw(st.booleans()):
            spec += "*"
            args.append(ffi.cast("int", width * draw(st.sampled_from([1, -1]))))
        else:
            spec += str(width)
    prec = draw(big) if conv not in "cp" else None
    if prec is not None:
        if draw(st.booleans()):
            spec += ".*"
            args.append(ffi.cast("int", prec))
        else:
            spec += "." + str(prec)
    if conv in "diuoxX":
        length = draw(st.sampled_from(sorted(INT_TYPES)))
        signed_t, unsigned_t, bits = INT_TYPES[length]
        if conv in "di":
            args.append(ffi.cast(signed_t, draw(st.integers(-(2 ** (bits - 1)), 2 ** (bits - 1) - 1))))
        else:
            args.append(ffi.cast(unsigned_t, draw(st.integers(0, 2**bits - 1))))
        spec += length
    elif conv == "c":
        args.append(ffi.cast("int", draw(st.integers(1, 126))))
    elif conv == "s":
        args.append(ffi.new("char[]", draw(literal)))
    else:
        args.append(ffi.cast("void *", draw(st.integers(0, 2**64 - 1))))
    return (spec + conv).encode(), args


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(literal.map(lambda b: (b, [])), conversion(),
                          st.just((b"%%", []))), max_size=8))
def test_printf_matches_unbounded_libc_output(pieces: list[tuple[bytes, list[Any]]]) -> None:
    fmt = b"".join(p for p, _ in pieces)
    args = [a for _, a_list in pieces for a in a_list]
    rc, out = printf(fmt, *args)
    assert rc == 0
    assert out == oracle(fmt, *args)
