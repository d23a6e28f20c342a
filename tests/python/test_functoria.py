"""Where users rely on Functoria's behaviour, we behave as it does. Each test is a small
config.py run the way a user would (describe, scons, the image), in the style of MirageOS's
cram tests; the comment names the MirageOS 4.x behaviour or test it follows."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mirage_tools import ConfigError, Key, Value, console, default_console, if_impl, job, main, runtime_arg
from mirage_tools.engine import resolve
from mirage_tools.loader import load_config
from mirage_tools.targets import get_target
from tests.sconsrun import scons

SCONSTRUCT = ("import mirage_tools\nenv = Environment(tools=['mirage'], toolpath=[mirage_tools.toolpath()])\n"
              "env.Unikernel('config.py')\n")


def write(folder: Path, config: str, **files: str) -> Path:
    (folder / "config.py").write_text("from mirage_tools import *\n" + textwrap.dedent(config))
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text))
    return folder


def plan(folder: Path, target: str = "unix", **values: object):
    reg = load_config(folder / "config.py", "config.py")
    return resolve(reg, get_target(target), dict(values), "config.py", folder)


def cli(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mirage_tools.cli", *args], cwd=folder, capture_output=True,
                          text=True, timeout=120)


# ---- 1. device identity -------------------------------------------------------------

def test_each_constructor_call_is_a_device(tmp_path: Path) -> None:
    # Functoria (lib/functoria/impl.ml): Device.v makes a fresh device; two kv_rw_mem ()
    # are two stores, two crunch "x" two stores, two impl of one name two jobs.
    write(tmp_path, """
        m = main("unikernel", kv_rw @ kv_rw @ kv_ro @ kv_ro @ job)
        foo = main("foo_bar", job)
        register("two", [m(kv_rw_mem(), kv_rw_mem(), crunch("data"), crunch("data")), foo, main("foo_bar", job)])
    """)
    (tmp_path / "data").mkdir()
    p = plan(tmp_path)
    assert [n.var for n in p.devices()] == ["default_reporter_0", "kv_rw_mem_0", "kv_rw_mem_1", "crunch_0", "crunch_1"]
    assert [n.device.name for n in p.jobs] == ["unikernel", "foo_bar", "foo_bar"]


def test_applications_and_catalog_constants_are_shared(tmp_path: Path) -> None:
    # Functoria: `f $ x` twice is one application; default_console is one value.
    write(tmp_path, """
        store = kv_rw_mem()
        f = impl("layer", kv_rw @ kv_rw)
        m = main("unikernel", console @ kv_rw @ kv_rw @ job)
        n = main("other", console @ job)
        register("shared", [m(default_console, f(store), f(store)), n(default_console)])
    """)
    p = plan(tmp_path)
    assert [n.var for n in p.devices()] == ["default_reporter_0", "default_console_0", "kv_rw_mem_0", "layer_0"]


# ---- 2. required and repeated boot arguments ----------------------------------------

def test_required_and_repeated_boot_arguments_at_boot(tmp_path: Path) -> None:
    # Functoria's Key.required / cmdliner's required opt (missing: usage error naming it),
    # and opt_all (a list given several times accumulates).
    write(tmp_path, """
        name = runtime_arg("name", str, doc="Who to greet.")
        peers = runtime_arg("peer", list, [], doc="Peers.")
        register("greet", [main("unikernel", console @ job, runtime_args=[name, peers])(default_console)])
    """, **{"unikernel.c": """
        #include <mirage/console.h>
        #include "mirage_app.h"
        int unikernel_start(struct mirage_console *c)
        {
            struct mirage_strings p = mirage_arg_peer();
            mirage_console_printf(c, "%s:", mirage_arg_name());
            for (size_t i = 0; i < p.len; i++)
                mirage_console_printf(c, " %s", p.items[i]);
            mirage_console_printf(c, "\\n");
            return 0;
        }
    """, "SConstruct": SCONSTRUCT})
    scons(tmp_path, "target=unix")
    image = str(tmp_path / "build" / "unix" / "greet")
    missing = subprocess.run([image], capture_output=True, text=True, timeout=30)
    assert (missing.returncode, missing.stdout) == (64, "greet: missing required argument --name; try --help\n")
    helped = subprocess.run([image, "--help"], capture_output=True, text=True, timeout=30)
    assert helped.returncode == 63 and "Who to greet. (required)" in helped.stdout
    ok = subprocess.run([image, "--name=x", "--peer=a,b", "--peer", "c"], capture_output=True, text=True, timeout=30)
    assert (ok.returncode, ok.stdout.splitlines()[-1]) == (0, "x: a b c")


# ---- 3. names -------------------------------------------------------------------------

def test_names_mirage_accepts(tmp_path: Path) -> None:
    # MirageOS 4.x test/mirage/query config_dash_in_name: register "noop-functor.v0";
    # keys such as "no-dhcp" (Mirage's own Key.dhcp arguments).
    write(tmp_path, """
        no_dhcp = Key("no-dhcp", bool, False, "No DHCP.")
        register("noop-functor.v0", [if_impl(no_dhcp, main("app", job), noop)])
    """, **{"app.c": "int app_start(void) { return 0; }\n", "SConstruct": SCONSTRUCT})
    scons(tmp_path, "target=unix", "no-dhcp=true")
    image = tmp_path / "build" / "unix" / "noop-functor.v0"
    assert subprocess.run([str(image)], timeout=30).returncode == 0
    assert plan(tmp_path, **{"no-dhcp": True}).jobs[0].device.name == "app"


@pytest.mark.parametrize("name", ["noop..v0", "v0.", ".v0", "a/b"])
def test_names_that_cannot_be_file_names_are_refused(tmp_path: Path, name: str) -> None:
    write(tmp_path, f"register({name!r}, [noop])\n")
    with pytest.raises(ConfigError, match="invalid unikernel name"):
        load_config(tmp_path / "config.py", "config.py")


# ---- 4. values from several keys ----------------------------------------------------

def test_values_combine_keys_and_constants(tmp_path: Path) -> None:
    # MirageOS: Key.(pure f $ a $ b) and Key.pure v, usable in if_impl/match_impl.
    a, b = Key("a", bool, False, "A."), Key("b", int, 1, "B.")
    both = Value.map(lambda x, y: x and y > 2, a, b, name="both")
    assert both.eval({"a": True, "b": 3}) is True and both.eval({"a": True}) is False
    assert [k.name for k in both.keys()] == ["a", "b"] and str(both) == "both(a, b)"
    assert Value.map(max, b, 7).eval({"b": 9}) == 9 and Value.pure(4).eval({}) == 4
    write(tmp_path, """
        a = Key("a", bool, False, "A.")
        b = Key("b", int, 1, "B.")
        both = Value.map(lambda x, y: x and y > 2, a, b, name="both")
        register("combo", [if_impl(both, main("yes", job), main("no", job))], src=None)
    """)
    assert plan(tmp_path, a=True, b=3).jobs[0].device.name == "yes"
    assert plan(tmp_path, a=True, b=2).jobs[0].device.name == "no"
    described = cli(tmp_path, "describe", "--dot", "--no-eval")
    assert described.returncode == 0 and "both(a, b)" in described.stdout
    assert if_impl(Value.pure(True), main("x", console @ job), main("y", console @ job))(default_console)


# ---- 5. module types without a C face -----------------------------------------------

@pytest.mark.parametrize("typ, coming", [("http", "HTTP")])
def test_module_types_without_a_c_face_are_refused_at_config_time(tmp_path: Path, typ: str, coming: str) -> None:
    write(tmp_path, f"""
        m = main("unikernel", {typ} @ job)
        register("x", [noop])
    """)
    with pytest.raises(ConfigError) as e:
        load_config(tmp_path / "config.py", "config.py")
    assert f"module type {typ} has no C interface yet" in e.value.message and coming in (e.value.hint or "")
    assert e.value.location.line == 3


# ---- 6. where errors point ----------------------------------------------------------

def test_a_wrong_connect_function_shows_its_definition_and_its_c(tmp_path: Path) -> None:
    # Functoria points at the device's definition; the C compiler adds where C differs.
    write(tmp_path, """
        store = impl("store", console, sources=["store.c"])
        register("p6", [main("unikernel", console @ job)(store)])
    """, **{"store.c": """
        #include "mirage_app.h"
        int store_connect(struct mirage_console *out, int extra) { (void)out; (void)extra; return 0; }
    """, "unikernel.c": """
        #include "mirage_app.h"
        int unikernel_start(struct mirage_console *c) { (void)c; return 0; }
    """, "SConstruct": SCONSTRUCT})
    out = scons(tmp_path, "target=unix", check=False)
    assert out.returncode != 0
    assert "store.c:3" in out.stderr and "config.py:3" in out.stderr  # the C and the definition


def test_a_key_named_like_a_built_in_key_says_so(tmp_path: Path) -> None:
    write(tmp_path, """
        t = Key("target", bool, False, "Mine.")
        register("x", [if_impl(t, noop, noop)])
    """)
    with pytest.raises(ConfigError) as e:
        plan(tmp_path)
    assert "'target'" in e.value.message and "build's own variable" in e.value.message
    assert "mirage-tools:" not in e.value.render() and "SConstruct" not in e.value.render()


# ---- 7. packages ----------------------------------------------------------------------

def test_package_bounds_merge_and_contradictions_name_both_devices(tmp_path: Path) -> None:
    # Functoria's Package.merge: the tightest bounds of every device win.
    write(tmp_path, """
        a = impl("a", console, packages=[package("lwip", min="2.1")])
        b = impl("b", console, packages=[package("lwip", min="2.0", max="3.0")])
        c = impl("c", console, packages=[package("lwip", max="2.0.9")])
        m = main("unikernel", console @ console @ job)
        register("pk", [m(a, b) if True else m(a, c)], src=None)
        bad = main("bad", console @ console @ job)(a, c)
    """)
    p = plan(tmp_path)
    assert [str(pkg) for pkg in p.packages] == ["lwip>=2.1<3.0"]
    (tmp_path / "config.py").write_text((tmp_path / "config.py").read_text().replace(
        "[m(a, b) if True else m(a, c)]", "[m(a, c)]"))
    with pytest.raises(ConfigError) as e:
        plan(tmp_path)
    assert "a (config.py:" in e.value.message and "needs version >= 2.1" in e.value.message
    assert "c (config.py:" in e.value.message and "< 2.0.9" in e.value.message


@pytest.mark.parametrize("call", ['package("")', 'package("bad name")', 'package("x", min="1 2")',
                                  'package("x", min="2", max="1")'])
def test_invalid_packages_are_refused(tmp_path: Path, call: str) -> None:
    write(tmp_path, f"p = {call}\nregister('x', [noop])\n")
    with pytest.raises(ConfigError) as e:
        load_config(tmp_path / "config.py", "config.py")
    assert e.value.location.line == 2


# ---- 8. app_info keeps values exactly -----------------------------------------------

def test_app_info_escapes_key_values_losslessly(tmp_path: Path) -> None:
    from mirage_tools.engine import plan_fact

    write(tmp_path, """
        a = Key("a", str, "two\\nlines", "A.")
        b = Key("b", str, "two\\\\nlines", "B.")
        register("info", [main("unikernel", info @ job, keys=[a, b])(app_info)], src=None)
    """)
    p = plan(tmp_path)
    keys = plan_fact(p, "keys", p.jobs[0].location)
    assert keys == "target=unix\na=two\\nlines\nb=two\\\\nlines"  # a real newline != backslash-n


# ---- 9. no config.py -------------------------------------------------------------------

def test_help_and_clean_work_without_a_config(tmp_path: Path) -> None:
    (tmp_path / "SConstruct").write_text(SCONSTRUCT)
    helped = scons(tmp_path, "-h")
    assert "target:" in helped.stdout and "no config.py here" in helped.stdout
    (tmp_path / "build" / "unix").mkdir(parents=True)
    (tmp_path / "build" / "unix" / "old.o").write_text("")
    scons(tmp_path, "-c")
    assert not (tmp_path / "build").exists()
    assert scons(tmp_path, check=False).returncode != 0  # a real build still needs config.py


def test_a_main_with_an_unknown_type_points_at_its_line() -> None:
    with pytest.raises(ConfigError) as e:
        main("m", "console" @ job)  # type: ignore[operator]
    assert e.value.location.file == __file__


def test_boot_argument_combinators_stay_out_of_if_impl() -> None:
    with pytest.raises(ConfigError, match="decided at boot"):
        if_impl(runtime_arg("x", bool, False), main("a", job), main("b", job))  # type: ignore[arg-type]
