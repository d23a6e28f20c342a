"""Drop-in: copy site_scons/ into an existing SCons project that builds a plain C program,
add two lines to its SConstruct, and one scons run builds the program and a unikernel."""
import shutil
import subprocess

from tests.sconsrun import ROOT, copy_example, scons


def test_drop_in_site_scons(tmp_path):
    (tmp_path / "tool.c").write_text('#include <stdio.h>\nint main(void) { puts("plain tool"); return 0; }\n')
    (tmp_path / "SConstruct").write_text('env = Environment()\nenv.Program("tool", "tool.c")\n')
    scons(tmp_path)  # the project builds on its own first
    shutil.copytree(ROOT / "site_scons", tmp_path / "site_scons")
    copy_example("hello", tmp_path)
    with open(tmp_path / "SConstruct", "a") as f:
        f.write('env.Tool("mirage")\nenv.Unikernel("hello/config.py")\n')
    out = scons(tmp_path, "target=unix")
    assert "LINK hello/build/unix/hello" in out.stdout
    assert subprocess.run([tmp_path / "tool"], capture_output=True, text=True).stdout == "plain tool\n"
    boot = subprocess.run([tmp_path / "hello/build/unix/hello"], capture_output=True, text=True, timeout=10)
    assert (boot.returncode, boot.stdout) == (0, "hello\n" * 4)
