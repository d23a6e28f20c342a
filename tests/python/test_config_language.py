"""Issue 11, the config language: each config.py with its own imports, f(f(x)) is not a
cycle, deep graphs without recursion, names and definitions checked at config time, and
every mistake reported at the user's line (or as a plain CLI error), never a traceback."""
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from mirage_tools import ConfigError, console, default_console, impl, job, main, register, typ
from mirage_tools.engine import resolve
from mirage_tools.loader import load_config
from mirage_tools.register import REGISTRY
from mirage_tools.targets import get_target

HEADER = "from mirage_tools import *\n"
ROOT = Path(__file__).resolve().parents[2]


def registration(*args, **kwargs):
    REGISTRY.current = None
    register(*args, **kwargs)
    reg, REGISTRY.current = REGISTRY.current, None
    return reg


def plan_for(reg, target="unix"):
    return resolve(reg, get_target(target), {}, "config.py", Path("."))


def describe(folder, *extra, script=None):
    cmd = [script] if script else [sys.executable, "-m", "mirage_tools.cli"]
    return subprocess.run([*cmd, "describe", *extra], cwd=folder, capture_output=True, text=True)


def write(folder: Path, body: str, **files: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.py").write_text(HEADER + textwrap.dedent(body))
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text))
    return folder


# ------------------------------------------------------------ each config.py its own imports

HELPER_CONFIG = 'import helpers\nregister(helpers.NAME, [noop])\n'


def test_two_configs_each_get_their_own_helpers(tmp_path):
    a = write(tmp_path / "a", HELPER_CONFIG, **{"helpers.py": 'NAME = "first"\n'})
    b = write(tmp_path / "b", HELPER_CONFIG, **{"helpers.py": 'NAME = "second"\n'})
    assert load_config(a / "config.py").name == "first"
    assert load_config(b / "config.py").name == "second"
    assert load_config(a / "config.py").name == "first"
    assert "helpers" not in sys.modules


def test_a_changed_helper_is_read_again(tmp_path):
    a = write(tmp_path / "a", HELPER_CONFIG, **{"helpers.py": 'NAME = "before"\n'})
    assert load_config(a / "config.py").name == "before"
    (a / "helpers.py").write_text('NAME = "afterwards"\n')  # another size: no stale bytecode
    assert load_config(a / "config.py").name == "afterwards"


def test_two_unikernels_in_one_sconstruct_get_their_own_helpers(tmp_path):
    for name in ("one", "two"):
        write(tmp_path / name, 'import helpers\nregister(helpers.NAME, [noop], src=None)\n',
              **{"helpers.py": f'NAME = "{name}-kernel"\n'})
    (tmp_path / "SConstruct").write_text(
        "import mirage_tools\n"
        "env = Environment(tools=['mirage'], toolpath=[mirage_tools.toolpath()])\n"
        "env.Unikernel(['one/config.py', 'two/config.py'])\n")
    result = subprocess.run([sys.executable, "-m", "SCons", "-Q", "-n", "target=unix"], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "one/build/unix/one-kernel" in result.stdout
    assert "two/build/unix/two-kernel" in result.stdout


# ------------------------------------------------------------ cycles and deep graphs

def test_the_same_functor_applied_twice_is_not_a_cycle():
    layer = impl("layer", console @ console)
    m = main("unikernel", console @ job)
    plan = plan_for(registration("x", [m(layer(layer(default_console)))]))
    assert [n.var for n in plan.devices() if n.device is layer] == ["layer_0", "layer_1"]
    assert plan.nodes[-1].args[0].args[0].args[0].device.name == "default_console"


def test_a_real_cycle_is_refused_at_its_line():
    a = impl("a", console)
    b = impl("b", console, extra_deps=[a])
    object.__setattr__(a, "extra_deps", (b,))  # immutable values cannot make one; force it
    with pytest.raises(ConfigError, match="depends on itself"):
        plan_for(registration("x", [main("unikernel", console @ job)(b)]))


DEEP = '''
t = typ("layer")
x = impl("base", t)
for i in range({n}):
    x = impl(f"d{{i}}", t @ t)(x)
register("deep", [main("unikernel", t @ job)(x)], src=None)
'''

DEEP_DEPS = '''
x = impl("base", console)
for i in range({n}):
    x = impl(f"d{{i}}", console, extra_deps=[x])
register("deep", [main("unikernel", console @ job)(x)], src=None)
'''


@pytest.mark.parametrize("body", [DEEP, DEEP_DEPS], ids=["functors", "extra_deps"])
def test_a_10000_device_graph_describes_in_well_under_a_second_per_thousand(tmp_path, body):
    write(tmp_path, body.format(n=10000))
    start = time.perf_counter()
    result = describe(tmp_path)
    elapsed = time.perf_counter() - start
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.count("\n") > 10000
    assert elapsed < 10  # 1 s per thousand devices would be 10 s; it takes far less (docs/benchmarks.md)
    assert describe(tmp_path, "--dot").returncode == 0


# ------------------------------------------------------------ checks made at config time

@pytest.mark.parametrize("name", ["args", "cpu", "cache", "compiledb", "oci", "cache_size", "verbose", "mem"])
def test_a_key_named_like_a_build_variable_is_refused(tmp_path, name):
    write(tmp_path, f'k = Key("{name}", str, "x")\nregister("x", [noop], keys=[k])\n')
    err = describe(tmp_path).stderr
    assert err.startswith("config.py:2: error:") and "build's own variable" in err, err


def test_two_mains_of_one_name_with_different_types(tmp_path):
    write(tmp_path, '''\
        a = main("unikernel", console @ job)
        b = main("unikernel", job)
        register("x", [a(default_console), b], src=None)
        ''')
    err = describe(tmp_path).stderr
    assert err.startswith("config.py:3: error: two main('unikernel', ...) with different types"), err
    assert "config.py:2" in err


def test_two_impls_of_one_name_with_different_sources(tmp_path):
    write(tmp_path, '''\
        a = impl("store", console, sources=["a.c"])
        b = impl("store", console, sources=["b.c"])
        m = main("unikernel", console @ console @ job)
        register("x", [m(a, b)], src=None)
        ''', **{"a.c": "", "b.c": ""})
    err = describe(tmp_path).stderr
    assert err.startswith("config.py:3: error: two impl('store', ...) with different sources"), err


@pytest.mark.parametrize("name", ["port-", "a--b", "-a"])
def test_a_boot_argument_name_with_a_stray_dash_is_refused(tmp_path, name):
    write(tmp_path, f'a = runtime_arg("{name}", int, 1)\nregister("x", [noop])\n')
    err = describe(tmp_path).stderr
    assert err.startswith("config.py:2: error: invalid boot argument name"), err


# ------------------------------------------------------------ no traceback, the right place

def test_config_not_utf8(tmp_path):
    (tmp_path / "config.py").write_bytes(HEADER.encode() + b'# caf\xe9\nregister("x", [noop])\n')
    result = describe(tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("config.py:2: error: config.py is not UTF-8"), result.stderr


def test_config_is_a_folder(tmp_path):
    (tmp_path / "config.py").mkdir()
    result = describe(tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("config.py: error: config.py is a folder"), result.stderr


def test_exception_in_a_key_map_function(tmp_path):
    write(tmp_path, '''\
        k = Key("size", int, 0)
        def pick(v):
            return 10 // v
        big = k.map(pick)
        register("x", [if_impl(big.eq(1), noop, noop)])
        ''')
    result = describe(tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("config.py:4: error: ZeroDivisionError"), result.stderr
    assert "config.py:6" in result.stderr  # the if_impl that evaluated it


def test_sys_exit_in_config(tmp_path):
    write(tmp_path, 'import sys\nsys.exit(3)\n')
    result = describe(tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("config.py:3: error: config.py calls sys.exit(3)"), result.stderr


def test_keyboard_interrupt_during_describe(tmp_path):
    write(tmp_path, 'import os, signal\nos.kill(os.getpid(), signal.SIGINT)\n')
    result = describe(tmp_path)
    assert result.returncode == 130 and "Traceback" not in result.stderr
    assert result.stderr == "mirage-tools: interrupted\n"


def test_cli_errors_name_no_entry_script(tmp_path):
    write(tmp_path, 'register("x", [noop])\n')
    script = Path(sys.executable).parent / "mirage-tools"
    if not script.exists():
        pytest.skip("mirage-tools is not installed in this environment")
    for extra, message in ((["novalue"], "expected key=value"), (["colour=red"], "unknown configure key")):
        err = describe(tmp_path, *extra, script=str(script)).stderr
        assert err.startswith(f"mirage-tools: error: {message}"), err
        assert "sys.exit(main())" not in err and "bin/mirage-tools" not in err


def test_runtime_args_not_a_list(tmp_path):
    write(tmp_path, 'a = runtime_arg("port", int, 80)\nm = main("unikernel", job, runtime_args=a)\n'
                    'register("x", [m])\n')
    err = describe(tmp_path).stderr
    assert err.startswith("config.py:3: error: runtime_args must be a list of RuntimeArg values, "
                          "not the boot argument --port"), err
    assert "runtime_args=[...]" in err


def test_if_impl_on_a_boot_argument_names_it(tmp_path):
    write(tmp_path, 'a = runtime_arg("fast", bool, False)\nregister("x", [if_impl(a, noop, noop)])\n')
    err = describe(tmp_path).stderr
    assert err.startswith("config.py:3: error: expected a configure key or value (e.g. Key.is_solo5), "
                          "not the boot argument --fast\n"), err
    assert "RuntimeArg(" not in err


def test_deep_application_labels_stay_short(tmp_path):
    t = typ("layer")
    x = impl("base", t)
    for i in range(3000):
        x = impl(f"d{i}", t @ t)(x)
    with pytest.raises(ConfigError) as e:
        main("unikernel", console @ job)(x)
    assert len(str(e.value)) < 400


# ------------------------------------------------------------ typ("x"): a user module type

STORE_CONFIG = '''\
    store = typ("store")
    s = impl("memstore", store, sources=["memstore.c"])
    m = main("unikernel", store @ job)
    register("typed", [m(s)])
    '''


def test_a_user_module_type_describes_before_its_c_exists(tmp_path):
    write(tmp_path, STORE_CONFIG)
    result = describe(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "memstore : store" in result.stdout


def test_a_user_module_type_without_its_header_is_refused(tmp_path):
    write(tmp_path, STORE_CONFIG, **{"memstore.c": ""})
    result = subprocess.run([sys.executable, "-m", "mirage_tools.cli", "configure"], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.startswith("config.py:3: error: header <store.h> of memstore : store is missing"), \
        result.stderr


def test_a_user_module_type_builds_with_its_header_next_to_config(tmp_path):
    from tests.sconsrun import scons

    write(tmp_path, STORE_CONFIG, **{
        "store.h": "struct store { int value; };\n",
        "memstore.c": '#include "mirage_app.h"\n#include "store.h"\n'
                      'int memstore_connect(struct store *out) { out->value = 42; return 0; }\n',
        "unikernel.c": '#include "mirage_app.h"\n#include "store.h"\n'
                       'int unikernel_start(struct store *s) { return s->value == 42 ? 0 : 1; }\n',
        "SConstruct": "import mirage_tools\n"
                      "env = Environment(tools=['mirage'], toolpath=[mirage_tools.toolpath()])\n"
                      "env.Unikernel('config.py')\n"})
    scons(tmp_path, "target=unix")
    assert subprocess.run([str(tmp_path / "build/unix/typed")]).returncode == 0


@pytest.mark.parametrize("args", ['"store", c_type="struct x; int y"', '"store", header="../x.h"',
                                  '"store", header="x.h>\\n#include <y.h"'])
def test_a_user_module_type_with_unsafe_c_is_refused(tmp_path, args):
    write(tmp_path, f'store = typ({args})\nregister("x", [noop])\n')
    err = describe(tmp_path).stderr
    assert err.startswith("config.py:2: error: module type 'store'"), err


# ------------------------------------------------------------ describe --dot, rendered by Graphviz

def svg_texts(dot_source: str, tmp_path) -> list[str]:
    import html
    import re
    import shutil

    if shutil.which("dot") is None:
        pytest.skip("Graphviz is not installed")
    svg = subprocess.run(["dot", "-Tsvg"], input=dot_source.encode(), capture_output=True, check=True).stdout
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg.decode())]


@pytest.mark.parametrize("extra", [[], ["--no-eval"]])
def test_dot_labels_render_as_written(tmp_path, extra):
    write(tmp_path, '''\
        k = Key("colour", str, "vert\u00e9")
        odd = impl("odd", console @ console)
        m = main("unikernel", console @ job)
        register("x", [m(if_impl(k.eq("rouge?"), odd(default_console), default_console))], keys=[k])
        ''')
    result = describe(tmp_path, "--dot", *extra)
    assert result.returncode == 0, result.stderr
    texts = svg_texts(result.stdout, tmp_path)
    joined = "\n".join(texts)
    assert "\\n" not in joined and "\\0" not in joined and "077" not in joined
    if extra:
        assert "colour == 'rouge?'" in joined
        assert "odd : console -> console" in texts
        assert "keys: colour" in texts  # the title
    else:
        assert "default_console_0" in texts and "default_console : console" in texts  # two lines, no literal \n
        assert "target unix" in texts and "colour=verté" in texts  # the title, UTF-8 as is


def test_the_suite_fails_a_tool_run_that_prints_a_traceback(tmp_path):
    """The check in tests/conftest.py catches a traceback from scons or mirage-tools."""
    import tests.conftest as conftest

    script = tmp_path / "mirage-tools"
    script.write_text("#!/bin/sh\necho 'Traceback (most recent call last):' >&2\n")
    script.chmod(0o755)
    with pytest.raises(pytest.fail.Exception, match="printed a Python traceback"):
        conftest._checked_run([str(script)], capture_output=True, text=True)
