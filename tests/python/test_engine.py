"""The engine: conditionals resolved per target, equal devices shared, post-order,
collection of boot arguments and sources from the resolved graph only."""
from pathlib import Path

import pytest

from mirage_tools import (
    ConfigError,
    Key,
    console,
    default_console,
    if_impl,
    impl,
    job,
    main,
    match_impl,
    register,
    runtime_arg,
)
from mirage_tools.engine import collect_keys, resolve
from mirage_tools.register import REGISTRY
from mirage_tools.targets import get_target


def registration(*args, **kwargs):
    REGISTRY.current = None
    register(*args, **kwargs)
    reg, REGISTRY.current = REGISTRY.current, None
    return reg


def plan_for(reg, target="unix", folder=Path("."), **values):
    return resolve(reg, get_target(target), values, "config.py", folder)


def test_shared_device_is_connected_once_in_post_order():
    store = impl("store", console, sources=[])
    cache = impl("cache", console @ console)
    a = main("a", console @ console @ job)(cache(store), store)
    b = main("b", console @ job)(cache(store))  # the same application: the same device
    plan = plan_for(registration("app", [a, b], src=None))
    names = [n.var or n.device.name for n in plan.nodes]
    assert names == ["default_reporter_0", "store_0", "cache_0", "a", "b"]
    assert plan.jobs[0].args[0] is plan.jobs[1].args[0]
    # A second impl("cache", ...) is another device, as in Functoria: connected apart.
    c = main("c", console @ job)(impl("cache", console @ console)(store))
    plan = plan_for(registration("app", [a, c], src=None))
    assert [n.var or n.device.name for n in plan.nodes] == [
        "default_reporter_0", "store_0", "cache_0", "cache_1", "a", "c"]


def test_conditionals_resolve_per_target_and_collect_only_chosen_args():
    unix_only = impl("unix_console", console, runtime_args=[runtime_arg("tty", str, "/dev/tty")])
    chosen = if_impl(Key.is_unix, unix_only, default_console)
    reg = registration("app", [main("m", console @ job)(chosen)], src=None)
    unix = plan_for(reg, "unix")
    assert [a.name for a in unix.runtime_args] == ["logs", "tty"]
    assert unix.jobs[0].args[0].device.name == "unix_console"


def test_match_impl_uses_key_values_and_default():
    k = Key("flavour", str, "plain", choices=["plain", "fancy"])
    fancy = impl("fancy", console)
    dev = match_impl(k, {"fancy": fancy}, default=default_console)
    reg = registration("app", [main("m", console @ job)(dev)], src=None)
    assert [k.name for k in collect_keys(reg)] == ["target", "flavour"]
    assert plan_for(reg).jobs[0].args[0].device.name == "default_console"
    assert plan_for(reg, flavour="fancy").jobs[0].args[0].device.name == "fancy"


def test_duplicate_boot_argument_names_are_rejected_at_the_second():
    a = impl("a", console, runtime_args=[runtime_arg("port", int, 80)])
    b = impl("b", console, runtime_args=[runtime_arg("port", int, 8080)])
    reg = registration("app", [main("m", console @ console @ job)(a, b)], src=None)
    with pytest.raises(ConfigError, match="duplicate boot argument --port") as e:
        plan_for(reg)
    assert "also declared at" in e.value.hint


def test_identical_boot_argument_from_two_devices_is_one_argument():
    port = runtime_arg("port", int, 80)
    a = impl("a", console, runtime_args=[port])
    b = impl("b", console, runtime_args=[port])
    reg = registration("app", [main("m", console @ console @ job)(a, b)], src=None)
    assert [x.name for x in plan_for(reg).runtime_args] == ["logs", "port"]


def test_missing_user_source_is_reported(tmp_path):
    dev = impl("dev", console, sources=["dev.c"])
    reg = registration("app", [main("m", console @ job)(dev)], src=None)
    with pytest.raises(ConfigError, match="missing C source 'dev.c'"):
        plan_for(reg, folder=tmp_path)
    (tmp_path / "dev.c").write_text("")
    (tmp_path / "other.c").write_text("")
    reg2 = registration("app", [main("m", console @ job)(dev)])
    assert [p.name for p in plan_for(reg2, folder=tmp_path).user_sources] == ["dev.c", "other.c"]


def test_register_checks_jobs():
    with pytest.raises(ConfigError, match="not job"):
        registration("app", [default_console])
    with pytest.raises(ConfigError, match="list of devices"):
        registration("app", main("m", job))
    with pytest.raises(ConfigError, match="at least one job"):
        registration("app", [])
    with pytest.raises(ConfigError, match="not job"):
        registration("app", [main("m", console @ job)])
