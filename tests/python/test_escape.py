"""Every user string that reaches generated C goes through codegen.c_escape: checked over
arbitrary Unicode with hypothesis, by a model of C's escapes and by the real compiler
(-Werror, with -Wcomment and -Wtrigraphs), in literals, character literals and comments."""
import re
import subprocess
import textwrap
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from mirage_tools.codegen import c_char, c_comment, c_escape, c_string

NASTY = ["/*", "*/", "a /* b */ c", "??/", "??=", "\\", '"', "'", "\n", "\r\n", "\0", "é", "日本",
         "\U0001F600", "*", "/", "**/", "/**", "\\\n", "%s%n", "\x7f", "12\0013"]


def unescape(literal: str) -> bytes:
    """C's reading of a string literal's body made of printable characters and octal escapes."""
    out = bytearray()
    i = 0
    while i < len(literal):
        if literal[i] == "\\":
            assert re.fullmatch(r"[0-7]{3}", literal[i + 1:i + 4]), literal[i:i + 4]
            out.append(int(literal[i + 1:i + 4], 8))
            i += 4
        else:
            out += literal[i].encode()
            i += 1
    return bytes(out)


@given(st.text())
def test_escape_is_safe_and_reversible(text):
    body = c_escape(text)
    assert all(0x20 <= ord(c) < 0x7F for c in body)
    for bad in ('"', "'", "?", "/*", "*/"):
        assert bad not in body
    assert unescape(body) == text.encode()
    assert c_comment(text) == body and c_string(text) == f'"{body}"'


def compile_and_run(tmp_path: Path, strings: list[str]) -> list[bytes]:
    entries = "\n".join(f"    {{ /* {c_comment(s)} */ {c_string(s)}, {len(s.encode())}u }}," for s in strings)
    source = textwrap.dedent("""\
        #include <stdio.h>
        /* chars: {chars} */
        static const struct {{ const char *s; unsigned n; }} items[] = {{
        {entries}
        }};
        static const char c = {char};
        int main(void) {{
            for (unsigned i = 0; i < sizeof items / sizeof items[0]; i++) {{
                for (unsigned j = 0; j < items[i].n; j++)
                    printf("%02x", (unsigned char)items[i].s[j]);
                printf("\\n");
            }}
            return c == '?' ? 0 : 1;
        }}
        """).format(chars=c_comment("".join(strings)), entries=entries, char=c_char("?"))
    (tmp_path / "t.c").write_text(source)
    subprocess.run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-Wcomment", "-Wtrigraphs",
                    "-o", str(tmp_path / "t"), str(tmp_path / "t.c")], check=True, capture_output=True)
    out = subprocess.run([str(tmp_path / "t")], check=True, capture_output=True, text=True).stdout
    return [bytes.fromhex(line) for line in out.splitlines()]


def test_the_compiler_reads_back_nasty_strings(tmp_path):
    assert compile_and_run(tmp_path, NASTY) == [s.encode() for s in NASTY]


@settings(max_examples=15, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=12))
def test_the_compiler_reads_back_arbitrary_unicode(tmp_path_factory, strings):
    folder = tmp_path_factory.mktemp("esc")
    assert compile_and_run(folder, strings) == [s.encode() for s in strings]


def test_a_boot_argument_doc_with_comment_marks_builds(tmp_path):
    """The bug: a doc containing /* broke mirage_app.h under -Werror=comment."""
    from tests.sconsrun import scons

    (tmp_path / "config.py").write_text(
        "from mirage_tools import *\n"
        "a = runtime_arg('greet', str, '/* */ ??/ \"x\"', doc='Say /* hi */ or é ??= \\\\')\n"
        "register('esc', [main('unikernel', job, runtime_args=[a])])\n")
    (tmp_path / "unikernel.c").write_text(
        '#include <mirage/console.h>\n#include "mirage_app.h"\n'
        'int unikernel_start(void) { return mirage_arg_greet()[0] == \'/\' ? 0 : 1; }\n')
    (tmp_path / "SConstruct").write_text(
        "import mirage_tools\n"
        "env = Environment(tools=['mirage'], toolpath=[mirage_tools.toolpath()])\n"
        "env.Unikernel('config.py')\n")
    scons(tmp_path, "target=unix")
    help_text = subprocess.run([str(tmp_path / "build/unix/esc"), "--help"], capture_output=True, text=True)
    assert "Say /* hi */ or é ??= \\" in help_text.stdout + help_text.stderr
