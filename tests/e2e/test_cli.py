"""The mirage-tools command: describe (text, dot, --no-eval, rendered), configure, query,
new (a scaffold that builds and boots as is) and run."""
import shutil
import subprocess
import sys

import pytest

from tests.sconsrun import EXAMPLES, copy_example, scons

COND = """from mirage_tools import *
loud = Key("loud", bool, False, "Shout.")
quiet_job = main("unikernel", console @ job)
loud_job = main("loud", console @ job)
register("cond", [if_impl(loud, loud_job, quiet_job)(default_console)])
"""


def cli(folder, *args, check=True):
    result = subprocess.run([sys.executable, "-m", "mirage_tools.cli", *args], cwd=folder,
                            capture_output=True, text=True, timeout=120)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_describe_text():
    out = cli(EXAMPLES / "hello-key", "describe").stdout
    assert "Name       hello-key" in out
    assert "Boot args  --logs=*:info --hello=Hello World!" in out
    assert "default_console_0" in out and "unikernel : console -> job" in out


def test_describe_dot_and_no_eval(tmp_path):
    (tmp_path / "config.py").write_text(COND)
    resolved = cli(tmp_path, "describe", "--dot").stdout
    assert resolved.startswith('digraph "cond"') and "loud : console" not in resolved
    loud = cli(tmp_path, "describe", "--dot", "loud=true").stdout
    assert "loud : console -> job" in loud
    unresolved = cli(tmp_path, "describe", "--dot", "--no-eval").stdout
    assert "if loud" in unresolved and "shape=diamond" in unresolved
    assert "loud : console -> job" in unresolved and "unikernel : console -> job" in unresolved


def test_describe_renders_svg_with_graphviz(tmp_path):
    if shutil.which("dot") is None:
        pytest.skip("Graphviz `dot` is not installed on this machine")
    (tmp_path / "config.py").write_text(COND)
    cli(tmp_path, "describe", "--no-eval", "-o", "graph.svg")
    assert "<svg" in (tmp_path / "graph.svg").read_text()


def test_configure_and_query(tmp_path):
    folder = copy_example("hello-key", tmp_path)
    out = cli(folder, "configure").stdout
    assert "GEN build/unix/gen/main.c" in out
    main_c = (folder / "build/unix/gen/main.c").read_text()
    assert cli(folder, "query", "main.c").stdout == main_c
    assert "--hello=STRING\tHow to say hello. (default: Hello World!)" in cli(folder, "query", "args").stdout
    assert cli(folder, "query", "keys").stdout.startswith("target=unix")
    scons(folder, "target=unix")  # scons generates the same bytes as configure
    assert (folder / "build/unix/gen/main.c").read_text() == main_c


def test_new_scaffolds_a_unikernel_that_builds_and_boots(tmp_path):
    cli(tmp_path, "new", "myapp")
    folder = tmp_path / "myapp"
    assert sorted(p.name for p in folder.iterdir()) == ["SConstruct", "config.py", "unikernel.c"]
    scons(folder, "target=unix")
    out = subprocess.run([folder / "build/unix/myapp", "--greeting=hi"], capture_output=True, text=True)
    assert (out.returncode, out.stdout) == (0, "hi\n")
    again = cli(tmp_path, "new", "myapp", check=False)
    assert again.returncode == 2 and "already exists" in again.stderr


def test_run_builds_and_boots(tmp_path):
    folder = copy_example("hello-key", tmp_path)
    out = cli(folder, "run", "--", "--hello=Salut")
    assert out.stdout.splitlines().count("Salut") == 4


def test_describe_no_eval_shows_the_generic_choices():
    out = cli(EXAMPLES / "kv_ro", "describe", "--no-eval").stdout
    assert 'label="match kv_ro", shape=diamond' in out
    assert "'direct'" in out and "'archive'" in out and 'label="default"' in out
    assert "crunch : kv_ro" in out and "direct_kv_ro : kv_ro" in out and "archive : block -> kv_ro" in out
    assert "if target == 'unix'" in out
