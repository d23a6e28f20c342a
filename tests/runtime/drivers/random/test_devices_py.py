"""The Python side of default_random, default_reporter and app_info: catalog entries,
their boot arguments, the generated connect calls, and app_info's plan facts (PlanFact)."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from mirage_tools import (
    ConfigError,
    Key,
    app_info,
    console,
    default_console,
    default_monotonic_clock,
    default_posix_clock,
    default_random,
    default_reporter,
    info,
    job,
    main,
    no_reporter,
    package,
    random,
)
from mirage_tools.cargs import PLAN_FACTS, PlanFact
from mirage_tools.codegen import connect_call, generate
from mirage_tools.engine import plan_fact, resolve
from mirage_tools.loader import load_config
from mirage_tools.register import REGISTRY, register
from mirage_tools.targets import get_target


def registration(*args, **kwargs):
    REGISTRY.current = None
    register(*args, **kwargs)
    reg, REGISTRY.current = REGISTRY.current, None
    return reg


def plan_for(reg, target="unix", folder=Path("."), **values):
    return resolve(reg, get_target(target), values, "config.py", folder)


def node(plan, name):
    return next(n for n in plan.nodes if n.device.name == name)


def test_default_random_sources_follow_the_target_and_declare_seed():
    reg = registration("r", [main("m", random @ job)(default_random)], src=None)
    unix, spt = plan_for(reg, "unix"), plan_for(reg, "spt")
    assert unix.runtime_sources[-2:] == ["drivers/random/chacha20.c", "drivers/random/drbg.c"]
    assert unix.driver_sources == [get_target("unix").folder / "drivers" / "random_seed.c"]
    assert spt.driver_sources == [get_target("spt").folder.parent / "solo5" / "drivers" / "random_seed.c"]
    assert [a.name for a in unix.runtime_args] == ["logs", "seed"]
    assert connect_call(node(unix, "default_random"), unix) == (
        "default_random_connect(&default_random_0, mirage_arg_seed())")


def test_default_reporter_without_and_with_a_clock():
    reg = registration("r", [main("m", job)], src=None)
    plan = plan_for(reg)
    assert connect_call(plan.nodes[0], plan) == "default_reporter_connect(&default_reporter_0, 2, 0, mirage_arg_logs())"
    assert plan.runtime_args[0].default == "*:info"
    reg = registration("r", [main("m", job)], src=None,
                       reporter=default_reporter(clock=default_posix_clock, ring_size=64, level="debug"))
    plan = plan_for(reg)
    assert [n.var for n in plan.nodes[:2]] == ["default_posix_clock_0", "default_reporter_0"]
    assert connect_call(plan.nodes[1], plan) == (
        "default_reporter_clock_connect(&default_reporter_0, &default_posix_clock_0, 3, 64, mirage_arg_logs())")
    assert plan.runtime_args[0].default == "*:debug"
    no = plan_for(registration("r", [main("m", job)], src=None, reporter=no_reporter))
    assert no.runtime_args == [] and no.nodes[0].device.name == "m"


@pytest.mark.parametrize("kwargs, message", [
    ({"level": "loud"}, "unknown level 'loud'"),
    ({"ring_size": -1}, "ring_size -1 is not a number of lines"),
    ({"ring_size": True}, "ring_size True"),
    ({"ring_size": 65537}, "from 0 to 65536"),
    ({"clock": default_monotonic_clock}, "module type pclock, not default_monotonic_clock : mclock"),
    ({"clock": "pclock"}, "module type pclock, not 'pclock'"),
])
def test_default_reporter_checks_its_arguments(kwargs, message):
    with pytest.raises(ConfigError) as e:
        default_reporter(**kwargs)
    assert message in e.value.message and e.value.location.file == __file__


def test_plan_fact_is_never_equal_to_a_plain_string():
    assert PlanFact("name") == PlanFact("name") and PlanFact("name") != "name"
    with pytest.raises(ValueError):
        PlanFact("colour")


def test_app_info_gets_the_plan_values(tmp_path):
    config = tmp_path / "config.py"
    config.write_text(
        "from mirage_tools import *\n"
        "net = Key('net', str, 'socket', 'Network.')\n"
        "note = Key('note', str, 'two\\nlines', 'A note.')\n"
        "m = main('unikernel', info @ console @ job, packages=[package('lwip', min='2.1')], keys=[net, note])\n"
        "register('infoapp', [m(app_info, default_console)])\n")
    reg = load_config(config, "config.py")
    plan = resolve(reg, get_target("spt"), {"net": "direct"}, "config.py", tmp_path)
    sha = hashlib.sha256(config.read_bytes()).hexdigest()
    info_node = node(plan, "app_info")
    assert info_node.device.c_args == tuple(PlanFact(f) for f in PLAN_FACTS)
    assert [plan_fact(plan, f, info_node.location) for f in PLAN_FACTS] == [
        "infoapp", "spt", "target=spt\nnet=direct\nnote=two\\nlines", "lwip>=2.1", sha]
    main_c = generate(plan, "build/spt/gen")["main.c"]
    assert (f'app_info_connect(&app_info_0, "infoapp", "spt", "target=spt\\012net=direct\\012note=two\\134nlines", '
            f'"lwip>=2.1", "{sha}")') in main_c
    assert "#include <mirage/info.h>" in main_c
    assert "drivers/info/info.c" in plan.runtime_sources


def test_app_info_needs_a_readable_config():
    reg = registration("x", [main("m", info @ job)(app_info)], src=None)
    with pytest.raises(ConfigError) as e:
        generate(plan_for(reg, folder=Path("/nonexistent-folder")), "build/unix/gen")
    assert "for its sha256" in e.value.message


def test_keys_and_packages_of_a_bare_plan():
    k = Key("flavour", bool, False, "A flag.")
    reg = registration("bare", [main("m", info @ job, keys=[k])(app_info)], src=None,
                       packages=[package("zlib")])
    plan = resolve(reg, get_target("unix"), {}, __file__, Path(__file__).parent)
    info_node = node(plan, "app_info")
    name, target, keys, packages = (plan_fact(plan, f, info_node.location) for f in PLAN_FACTS[:4])
    assert (name, target, keys, packages) == ("bare", "unix", "target=unix\nflavour=false", "zlib")


def test_console_typ_unchanged():
    # app_info is a plain device of module type info.
    assert app_info.typ is info and default_console.typ is console
