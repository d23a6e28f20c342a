"""The boot-argument parser: exact messages and statuses, values round-tripping,
and random command lines checked against a small reference model in Python."""
from __future__ import annotations

import ipaddress
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.runtime.core.corelib import STORAGE, console_output, core, reset
from tests.runtime.core.test_core_ipaddr import python_addr, python_prefix

PROG = "uk"
INT_RE = re.compile(r"[+-]?(0[xX][0-9a-fA-F]+|[0-9]+)")
TYPE_NAME = {"STRING": "STRING", "INT": "INT", "BOOL": "BOOL", "STRING_LIST": "LIST", "IPV4": "IPV4",
             "IPV4_PREFIX": "IPV4/LEN", "IPV6": "IPV6", "IPV6_PREFIX": "IPV6/LEN"}
EXPECTED = {"STRING": "a string", "INT": "an integer", "BOOL": "true or false",
            "STRING_LIST": "a comma-separated list", "IPV4": "an IPv4 address",
            "IPV4_PREFIX": "an IPv4 prefix (address/length)", "IPV6": "an IPv6 address",
            "IPV6_PREFIX": "an IPv6 prefix (address/length)"}


class Table:
    """A struct mirage_arg table with its storage, as generated main.c would hold; the
    arguments named in `required` must be given."""

    def __init__(self, specs: list[tuple[str, str, str | None, str | None]],
                 required: frozenset[str] = frozenset()) -> None:
        ffi, lib = core()
        self.specs = specs
        self.keep: list[Any] = []
        self.store: dict[str, Any] = {}
        self.table = ffi.new("struct mirage_arg[]", len(specs))
        for entry, (name, kind, doc, default) in zip(self.table, specs):
            entry.name = self._str(name)
            entry.type = getattr(lib, f"MIRAGE_ARG_{kind}")
            entry.doc = self._str(doc)
            entry.default_text = self._str(default)
            entry.required = name in required
            self.store[name] = ffi.new(STORAGE[kind])
            entry.value = self.store[name]

    def _str(self, s: str | None) -> Any:
        ffi, _ = core()
        if s is None:
            return ffi.NULL
        c = ffi.new("char[]", s.encode())
        self.keep.append(c)
        return c

    def parse(self, words: list[str]) -> tuple[int, str]:
        ffi, lib = core()
        reset()
        self.argv_cells = [ffi.new("char[]", w.encode()) for w in [PROG, *words]]
        argv = ffi.new("char *[]", self.argv_cells)
        status = lib.mirage_argv_parse(self.table, len(self.specs), len(self.argv_cells), argv,
                                       PROG.encode())
        return status, console_output().decode()

    def value(self, name: str) -> Any:
        ffi, _ = core()
        kind = next(k for n, k, _, _ in self.specs if n == name)
        v = self.store[name][0]
        if kind == "STRING":
            return None if v == ffi.NULL else ffi.string(v).decode()
        if kind in ("INT", "BOOL"):
            return v
        if kind == "STRING_LIST":
            if v.len:
                assert v.items[v.len] == ffi.NULL
            return [ffi.string(v.items[i]).decode() for i in range(v.len)]
        if kind in ("IPV4", "IPV6"):
            return bytes(v.bytes)
        return bytes(v.addr.bytes), v.len


# ---- a reference model of the documented behaviour ----

def model_value(kind: str, text: str) -> tuple[bool, Any]:
    if kind == "STRING":
        return True, text
    if kind == "INT":
        if not INT_RE.fullmatch(text):
            return False, None
        n = int(text, 0) if "x" in text.lower() else int(text, 10)
        return -(2**63) <= n < 2**63, n
    if kind == "BOOL":
        return text in ("true", "false"), text == "true"
    if kind == "STRING_LIST":
        return True, text.split(",") if text else []
    if kind in ("IPV4", "IPV6"):
        v = python_addr(kind, text)
        return v is not None, v
    v = python_prefix(kind[:4], text)
    return v is not None, v


def model(specs: list[tuple[str, str, str | None, str | None]], words: list[str],
          required: frozenset[str] = frozenset()) -> tuple[int, str, dict[str, Any]]:
    kinds = {name: kind for name, kind, _, _ in specs}
    values: dict[str, Any] = {}
    given: set[str] = set()
    for name, kind, _, default in specs:
        if default is None:
            values[name] = {"STRING": None, "INT": 0, "BOOL": False, "STRING_LIST": []}.get(kind)
            continue
        ok, values[name] = model_value(kind, default)
        if not ok:
            return 64, f"{PROG}: bad default '{default}' for --{name}: expected {EXPECTED[kind]}\n", {}
    i = 0
    while i < len(words):
        w = words[i]
        i += 1
        if w == "--help":
            return 63, help_text(specs, required), {}
        if not w.startswith("--") or w in ("--",) or w.startswith("--="):
            return 64, f"{PROG}: unexpected argument '{w}'; try --help\n", {}
        name, eq, text = w[2:].partition("=")
        if name not in kinds:
            return 64, f"{PROG}: unknown argument '--{name}'; try --help\n", {}
        if not eq:
            if kinds[name] == "BOOL":
                text = "true"
            elif i < len(words):
                text = words[i]
                i += 1
            else:
                return 64, f"{PROG}: missing value for --{name}; try --help\n", {}
        ok, v = model_value(kinds[name], text)
        if not ok:
            return 64, f"{PROG}: bad value '{text}' for --{name}: expected {EXPECTED[kinds[name]]}\n", {}
        values[name] = values[name] + v if kinds[name] == "STRING_LIST" and name in given else v
        given.add(name)
    for name, *_ in specs:
        if name in required and name not in given:
            return 64, f"{PROG}: missing required argument --{name}; try --help\n", {}
    return 0, "", values


def help_text(specs: list[tuple[str, str, str | None, str | None]], required: frozenset[str] = frozenset()) -> str:
    lines = [f"usage: {PROG} [OPTION]..."]
    options = [f"--{name}={TYPE_NAME[kind]}" for name, kind, _, _ in specs]
    width = max(len(o) for o in [*options, "--help"])
    for option, (name, _, doc, default) in zip(options, specs):
        line = f"  {option.ljust(width)}  {doc or ''}"
        if name in required:
            line += (" " if doc else "") + "(required)"
        elif default is not None:
            line += (" " if doc else "") + f"(default: {default})"
        lines.append(line)
    lines.append(f"  {'--help'.ljust(width)}  print this help and exit")
    return "\n".join(lines) + "\n"


SPECS: list[tuple[str, str, str | None, str | None]] = [
    ("hello", "STRING", "How to say hello.", "Hello World!"),
    ("port", "INT", "Port to listen on.", "8080"),
    ("verbose", "BOOL", "Print more.", "false"),
    ("names", "STRING_LIST", "Who to greet.", "alice,bob"),
    ("ipv4", "IPV4_PREFIX", "Address and netmask.", "10.0.0.2/24"),
    ("gateway", "IPV4", None, "10.0.0.1"),
    ("ipv6", "IPV6_PREFIX", "IPv6 address.", "fe80::1/64"),
    ("dns", "IPV6", "Resolver.", "::1"),
    ("opt", "STRING", "Optional.", None),
]


def check(specs: list[tuple[str, str, str | None, str | None]], words: list[str],
          required: frozenset[str] = frozenset()) -> tuple[int, str]:
    table = Table(specs, required)
    status, out = table.parse(words)
    want_status, want_out, want_values = model(specs, words, required)
    assert (status, out) == (want_status, want_out)
    if status == 0:
        for name, _, _, _ in specs:
            assert table.value(name) == want_values[name], name
    return status, out


# ---- fixed cases: the documented behaviour spelled out ----

def test_defaults_without_arguments() -> None:
    t = Table(SPECS)
    assert t.parse([]) == (0, "")
    assert t.value("hello") == "Hello World!"
    assert t.value("port") == 8080
    assert t.value("verbose") is False
    assert t.value("names") == ["alice", "bob"]
    assert t.value("ipv4") == (bytes([10, 0, 0, 2]), 24)
    assert t.value("gateway") == bytes([10, 0, 0, 1])
    assert t.value("ipv6") == (ipaddress.IPv6Address("fe80::1").packed, 64)
    assert t.value("dns") == ipaddress.IPv6Address("::1").packed
    assert t.value("opt") is None


def test_both_forms_bools_and_last_one_wins() -> None:
    t = Table(SPECS)
    assert t.parse(["--hello=Bonjour", "--port", "-0x10", "--verbose", "--names=",
                    "--gateway", "192.168.1.1", "--port=+42", "--opt", "--port"]) == (0, "")
    assert t.value("hello") == "Bonjour"
    assert t.value("port") == 42
    assert t.value("verbose") is True
    assert t.value("names") == []
    assert t.value("gateway") == bytes([192, 168, 1, 1])
    assert t.value("opt") == "--port"  # "--name value" takes the next word whatever it is
    assert t.parse(["--verbose=false", "--names=a,,b,"]) == (0, "")
    assert t.value("verbose") is False
    assert t.value("names") == ["a", "", "b", ""]
    # The tender's --solo5: arguments never reach this parser: the Solo5 bindings drop them.
    assert t.parse(["--solo5:quiet"]) == (64, "uk: unknown argument '--solo5:quiet'; try --help\n")


def test_strings_point_into_argv() -> None:
    ffi, _ = core()
    t = Table(SPECS)
    assert t.parse(["--hello=abc", "--opt", "xyz"]) == (0, "")
    assert t.store["hello"][0] == t.argv_cells[1] + len("--hello=")
    assert t.store["opt"][0] == t.argv_cells[3]


def test_int_limits() -> None:
    t = Table([("n", "INT", "A number.", "0")])
    for text, value in [("9223372036854775807", 2**63 - 1), ("-9223372036854775808", -(2**63)),
                        ("0x7fffffffffffffff", 2**63 - 1), ("-0X8000000000000000", -(2**63)),
                        ("007", 7), ("-0", 0)]:
        assert t.parse([f"--n={text}"]) == (0, ""), text
        assert t.value("n") == value
    for text in ["9223372036854775808", "-9223372036854775809", "0x8000000000000000", "0x", "",
                 "1e3", " 1", "1 ", "--1", "0x-1", "12abc", "99999999999999999999999"]:
        assert t.parse([f"--n={text}"]) == (64, f"uk: bad value '{text}' for --n: expected an integer\n")
        assert t.value("n") == 0  # untouched by the bad value


def test_errors_name_the_argument() -> None:
    t = Table(SPECS)
    assert t.parse(["--foo"]) == (64, "uk: unknown argument '--foo'; try --help\n")
    assert t.parse(["--foo=1"]) == (64, "uk: unknown argument '--foo'; try --help\n")
    assert t.parse(["--port=abc"]) == (64, "uk: bad value 'abc' for --port: expected an integer\n")
    assert t.parse(["--verbose=yes"]) == (64, "uk: bad value 'yes' for --verbose: expected true or false\n")
    assert t.parse(["--verbose", "false"]) == (64, "uk: unexpected argument 'false'; try --help\n")
    assert t.parse(["hello"]) == (64, "uk: unexpected argument 'hello'; try --help\n")
    assert t.parse(["-h"]) == (64, "uk: unexpected argument '-h'; try --help\n")
    assert t.parse(["--"]) == (64, "uk: unexpected argument '--'; try --help\n")
    assert t.parse(["--port"]) == (64, "uk: missing value for --port; try --help\n")
    assert t.parse(["--gateway=1.2.3.04"]) == (
        64, "uk: bad value '1.2.3.04' for --gateway: expected an IPv4 address\n")
    assert t.parse(["--ipv6", "fe80::1"]) == (
        64, "uk: bad value 'fe80::1' for --ipv6: expected an IPv6 prefix (address/length)\n")


def test_help_lists_every_argument() -> None:
    t = Table(SPECS)
    status, out = t.parse(["--port=1", "--help", "--bogus"])
    assert status == 63
    assert out == (
        "usage: uk [OPTION]...\n"
        "  --hello=STRING   How to say hello. (default: Hello World!)\n"
        "  --port=INT       Port to listen on. (default: 8080)\n"
        "  --verbose=BOOL   Print more. (default: false)\n"
        "  --names=LIST     Who to greet. (default: alice,bob)\n"
        "  --ipv4=IPV4/LEN  Address and netmask. (default: 10.0.0.2/24)\n"
        "  --gateway=IPV4   (default: 10.0.0.1)\n"
        "  --ipv6=IPV6/LEN  IPv6 address. (default: fe80::1/64)\n"
        "  --dns=IPV6       Resolver. (default: ::1)\n"
        "  --opt=STRING     Optional.\n"
        "  --help           print this help and exit\n")


def test_a_bad_default_is_reported() -> None:
    t = Table([("port", "INT", "Port.", "80x")])
    assert t.parse([]) == (64, "uk: bad default '80x' for --port: expected an integer\n")
    assert t.parse(["--help"]) == (64, "uk: bad default '80x' for --port: expected an integer\n")


def test_list_default_is_not_modified_in_place() -> None:
    t = Table([("names", "STRING_LIST", "Names.", "a,b")])
    for _ in range(2):
        assert t.parse([]) == (0, "")
        assert t.value("names") == ["a", "b"]


# ---- random command lines against the model ----

ascii_text = st.text(st.characters(min_codepoint=1, max_codepoint=126), max_size=12)


def value_text(kind: str) -> Any:
    valid: dict[str, Any] = {
        "STRING": ascii_text,
        "INT": st.one_of(st.integers(-(2**63), 2**63 - 1).map(str),
                         st.integers(-(2**63), 2**63 - 1).map(lambda n: ("-" if n < 0 else "") + hex(abs(n))),
                         st.integers(2**63 - 3, 2**63 + 3).map(lambda n: str(n * (-1) ** (n % 2)))),
        "BOOL": st.sampled_from(["true", "false"]),
        "STRING_LIST": st.lists(st.text(st.characters(min_codepoint=32, max_codepoint=126,
                                                      exclude_characters=","), max_size=4),
                                max_size=4).map(",".join),
        "IPV4": st.ip_addresses(v=4).map(str),
        "IPV6": st.ip_addresses(v=6).map(str),
        "IPV4_PREFIX": st.tuples(st.ip_addresses(v=4), st.integers(0, 33)).map(lambda t: f"{t[0]}/{t[1]}"),
        "IPV6_PREFIX": st.tuples(st.ip_addresses(v=6), st.integers(0, 129)).map(lambda t: f"{t[0]}/{t[1]}"),
    }
    return st.one_of(valid[kind], ascii_text)


@st.composite
def words(draw: Any) -> list[str]:
    out: list[str] = []
    for _ in range(draw(st.integers(0, 6))):
        choice = draw(st.integers(0, 9))
        if choice <= 5:
            name, kind, _, _ = draw(st.sampled_from(SPECS))
            text = draw(value_text(kind))
            if kind == "BOOL" and draw(st.booleans()):
                out.append(f"--{name}")
            elif draw(st.booleans()):
                out.append(f"--{name}={text}")
            else:
                out += [f"--{name}", text]
        elif choice == 6:
            out.append(draw(st.sampled_from(["--help", "--solo5:quiet", "--", "-x", "--=1"])))
        elif choice == 7:
            out.append("--" + draw(ascii_text))
        else:
            out.append(draw(ascii_text))
    return out


@settings(max_examples=600, deadline=None)
@given(words())
def test_random_command_lines_match_the_model(argv: list[str]) -> None:
    status, out = check(SPECS, argv)
    assert status in (0, 63, 64)
    if status == 64:
        assert out.startswith("uk: ") and out.endswith("\n")


@settings(max_examples=300, deadline=None)
@given(words())
def test_random_command_lines_with_a_required_argument(argv: list[str]) -> None:
    check(SPECS, argv, frozenset({"opt"}))


def test_required_arguments_must_be_given() -> None:
    # Functoria's Key.required (cmdliner's required opt): missing -> usage error naming it.
    t = Table(SPECS, frozenset({"opt", "port"}))
    assert t.parse(["--port=1"]) == (64, "uk: missing required argument --opt; try --help\n")
    assert t.parse(["--opt", "x", "--port=2"]) == (0, "")
    assert t.value("opt") == "x" and t.value("port") == 2
    status, out = t.parse(["--help"])
    assert status == 63 and "Optional. (required)" in out and "Port to listen on. (required)" in out


def test_repeated_lists_accumulate() -> None:
    # cmdliner's opt_all: --x=a --x=b is [a, b]; the comma form mixes in.
    t = Table(SPECS)
    assert t.parse(["--names=a,b", "--names", "c", "--names="]) == (0, "")
    assert t.value("names") == ["a", "b", "c"]
    assert t.parse(["--names=x"]) == (0, "") and t.value("names") == ["x"]  # replaces the default
    assert t.parse(["--port=1", "--port=2"]) == (0, "") and t.value("port") == 2  # others: last wins


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(sorted(TYPE_NAME)).flatmap(lambda k: st.tuples(st.just(k), value_text(k))))
def test_random_defaults_match_the_model(kind_text: tuple[str, str]) -> None:
    kind, text = kind_text
    check([("x", kind, "Doc.", text)], [])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(st.characters(min_codepoint=1, max_codepoint=126), max_size=30)))
def test_arbitrary_words_never_crash(argv: list[str]) -> None:
    status, out = Table(SPECS).parse(argv)
    assert status in (0, 63, 64)
    assert (status == 0) == (out == "")
