"""eDSL values: module types, functor types, application and its type checks, keys,
boot arguments and conditionals."""
import ipaddress

import pytest

from mirage_tools import (
    ConfigError,
    Key,
    block,
    console,
    default_console,
    default_time,
    if_impl,
    impl,
    job,
    main,
    match_impl,
    noop,
    runtime_arg,
    time,
    typ,
)
from mirage_tools.typ import FunctorTyp


def test_functor_types_read_left_to_right():
    t = console @ block @ job
    assert isinstance(t, FunctorTyp)
    assert t.params == (console, block)
    assert t.result == job
    assert str(t) == "console -> block -> job"


def test_typ_returns_builtin_and_declares_new():
    assert typ("console") is console
    mine = typ("store")
    assert mine.c_type == "struct store"
    assert mine != console


def test_unknown_module_type_is_reported_at_the_users_line():
    with pytest.raises(ConfigError) as e:
        "console" @ job  # noqa: B018
    assert "unknown module type 'console'" in e.value.message
    assert e.value.location.file == __file__
    assert "no quotes" in (e.value.hint or "")


def test_application_type_checks():
    m = main("unikernel", console @ time @ job)
    assert m(default_console, default_time).typ == job
    partial = m(default_console)
    assert partial.typ == FunctorTyp((time,), job)
    assert partial(default_time) == m(default_console, default_time)
    with pytest.raises(ConfigError, match="wrong module type: expected console, got default_time : time"):
        m(default_time)
    with pytest.raises(ConfigError, match="too many arguments"):
        m(default_console, default_time, default_time)
    with pytest.raises(ConfigError, match="not a functor"):
        default_console(default_time)
    with pytest.raises(ConfigError, match="must be a device"):
        m("console")


def test_applications_are_shared_devices_are_not():
    # Functoria (mirage 4.x, lib/functoria/impl.ml): Device.v makes a device of its own;
    # applications of one device to equal arguments are equal.
    m = main("unikernel", console @ job)
    a, b = m(default_console), m(default_console)
    assert a == b and hash(a) == hash(b)
    assert a != main("unikernel", console @ job)(default_console)  # another main(): another device


def test_impl_validates_its_fields():
    with pytest.raises(ConfigError, match="not a C identifier"):
        impl("my-dev", console)
    with pytest.raises(ConfigError, match="c_args"):
        impl("dev", console, c_args=[1.5])
    dev = impl("dev", console, sources=["dev.c"], c_args=["x", 3, True])
    assert dev.connect == "dev_connect" and dev.user


def test_keys_validate_defaults_and_values():
    k = Key("net", str, "direct", "network stack", choices=["direct", "socket"])
    assert k.parse("socket") == "socket"
    with pytest.raises(ValueError, match="expected one of direct, socket"):
        k.parse("tap")
    with pytest.raises(ConfigError, match="default 'tap' is not one of"):
        Key("net2", str, "tap", choices=["direct", "socket"])
    with pytest.raises(ConfigError, match="is not of type int"):
        Key("port", int, "80")
    assert Key("debug", bool, False).parse("yes") is True
    with pytest.raises(ValueError, match="expected an integer"):
        Key("port", int, 80).parse("eighty")


def test_builtin_target_values():
    assert Key.is_unix.eval({"target": "unix"}) is True
    assert Key.is_unix.eval({"target": "spt"}) is False
    assert Key.target.eval({}) == "unix"


def test_runtime_args_types_and_defaults():
    hello = runtime_arg("hello")  # no default: required, as Functoria's Key.required
    assert hello.required and hello.default_text is None
    assert not runtime_arg("flag", bool).required and runtime_arg("flag", bool).default is False
    assert runtime_arg("port", int, 80).arg_type.c_enum == "MIRAGE_ARG_INT"
    ip = runtime_arg("ipv4", "ipv4_prefix", "10.0.0.2/24")
    assert ip.default == ipaddress.IPv4Interface("10.0.0.2/24")
    assert ip.default_text == "10.0.0.2/24"
    assert runtime_arg("peers", list, ["a", "b"]).default_text == "a,b"
    with pytest.raises(ConfigError, match="default 'x' is not an int"):
        runtime_arg("port", int, "x")
    with pytest.raises(ConfigError, match="not a valid IPV4 value"):
        runtime_arg("ip", ipaddress.IPv4Address, "300.1.1.1")
    assert runtime_arg("ip", ipaddress.IPv4Address).required
    with pytest.raises(ConfigError, match="reserved"):
        runtime_arg("help")


def test_conditionals_check_their_branches():
    c2 = impl("c2", console)
    assert if_impl(Key.is_unix, default_console, c2).typ == console
    with pytest.raises(ConfigError, match="different module types"):
        if_impl(Key.is_unix, default_console, default_time)
    with pytest.raises(ConfigError, match="boot arguments"):
        if_impl(runtime_arg("x", bool, False), default_console, c2)
    net = Key("stack", str, "a", choices=["a", "b"])
    with pytest.raises(ConfigError, match="case 'c' is not a value of key 'stack'"):
        match_impl(net, {"c": c2}, default=default_console)
    assert noop.typ == job
