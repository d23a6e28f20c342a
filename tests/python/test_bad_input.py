"""Every mistake in config.py gives one clean message at the user's line, exit 2, and no
traceback: through `mirage-tools describe` (the same loader SCons uses)."""
import subprocess
import sys
import textwrap

import pytest

HEADER = "from mirage_tools import *\n"

CASES = {
    "unknown_module_type": (
        'm = main("unikernel", "consle" @ job)\nregister("x", [m])\n',
        2, "unknown module type 'consle'"),
    "name_error_suggests": (
        'm = main("unikernel", consle @ job)\nregister("x", [m])\n',
        2, "NameError: name 'consle' is not defined"),
    "wrong_module_type": (
        'm = main("unikernel", console @ job)\nregister("x", [m(default_time)])\n',
        3, "expected console, got default_time : time"),
    "too_many_arguments": (
        'm = main("unikernel", console @ job)\n\nj = m(default_console, default_console)\nregister("x", [j])\n',
        4, "too many arguments"),
    "job_not_a_job": (
        'register("x", [default_console])\n',
        2, "has module type console, not job"),
    "partial_application_as_job": (
        'm = main("unikernel", console @ job)\nregister("x", [m])\n',
        3, "has module type console -> job, not job"),
    "register_twice": (
        'register("x", [noop])\nregister("y", [noop])\n',
        3, "register() is called a second time"),
    "register_never": (
        'm = main("unikernel", console @ job)\n',
        0, "never calls register"),
    "syntax_error": (
        'm = main("unikernel", console @ job\nregister("x", [m])\n',
        2, "syntax error"),
    "exception_in_config": (
        'def helper():\n    return 1 / 0\n\nhelper()\n',
        3, "ZeroDivisionError: division by zero"),
    "duplicate_boot_args": (
        'a = runtime_arg("port", int, 80)\nb = runtime_arg("port", int, 81)\n'
        'm = main("unikernel", job, runtime_args=[a, b])\nregister("x", [m])\n',
        3, "duplicate boot argument --port"),
    "bad_key_default": (
        'k = Key("port", int, "eighty")\nregister("x", [noop], keys=[k])\n',
        2, "default 'eighty' is not of type int"),
    "bad_boot_arg_default": (
        'a = runtime_arg("port", int, "eighty")\nregister("x", [noop])\n',
        2, "default 'eighty' is not an int"),
    "missing_c_source": (
        'register("x", [noop], src=["nope.c"])\n',
        2, "missing C source 'nope.c'"),
}


def run_describe(folder, *extra):
    return subprocess.run([sys.executable, "-m", "mirage_tools.cli", "describe", *extra],
                          cwd=folder, capture_output=True, text=True)


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_config_gives_a_clean_message(tmp_path, case):
    body, line, message = CASES[case]
    (tmp_path / "config.py").write_text(HEADER + textwrap.dedent(body))
    result = run_describe(tmp_path)
    assert result.returncode == 2, result.stdout
    assert "Traceback" not in result.stderr
    assert message in result.stderr
    # A mistake with no line of its own (register never called) names the file only.
    assert result.stderr.startswith(f"config.py:{line}: error:" if line else "config.py: error:")


def test_name_error_hint_and_source_line(tmp_path):
    (tmp_path / "config.py").write_text(HEADER + 'm = main("unikernel", consle @ job)\n')
    err = run_describe(tmp_path).stderr
    assert "did you mean 'console'?" in err
    assert 'm = main("unikernel", consle @ job)' in err


def test_bad_key_value_on_the_command_line(tmp_path):
    (tmp_path / "config.py").write_text(
        HEADER + 'k = Key("port", int, 80)\nregister("x", [noop], keys=[k])\n')
    result = run_describe(tmp_path, "port=eighty")
    assert result.returncode == 2 and "port=eighty: expected an integer" in result.stderr
    result = run_describe(tmp_path, "colour=red")
    assert result.returncode == 2 and "unknown configure key 'colour'" in result.stderr
