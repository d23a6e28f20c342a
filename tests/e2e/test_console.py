"""custom_console: named consoles share the platform console, each line tagged."""
import subprocess

from tests.sconsrun import copy_example, scons

CONFIG = """from mirage_tools import *
m = main("unikernel", console @ console @ job)
register("hello", [m(custom_console("left"), custom_console("right"))])
"""
SOURCE = """#include <mirage/console.h>
#include "mirage_app.h"
int unikernel_start(struct mirage_console *a, struct mirage_console *b)
{
    mirage_console_printf(a, "one\\ntwo\\n");
    mirage_console_printf(b, "three\\n");
    return 0;
}
"""


def test_custom_consoles_tag_their_lines(tmp_path):
    folder = copy_example("hello", tmp_path)
    (folder / "config.py").write_text(CONFIG)
    (folder / "unikernel.c").write_text(SOURCE)
    scons(folder, "target=unix")
    out = subprocess.run([folder / "build/unix/hello"], capture_output=True, text=True, timeout=10)
    assert (out.returncode, out.stdout) == (0, "[left] one\n[left] two\n[right] three\n")
