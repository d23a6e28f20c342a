"""The examples boot with the same config.py and unikernel.c on every target this machine
can run, and print the same lines: hello, hello-key with --hello, --help (exit 63), a bad
argument (exit 64)."""
import pytest

from tests.sconsrun import boot, copy_example, scons

TARGETS = ["unix", "spt"]


@pytest.fixture(scope="module", params=TARGETS)
def built(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(request.param)
    folders = {name: copy_example(name, tmp) for name in ("hello", "hello-key")}
    for folder in folders.values():
        scons(folder, f"target={request.param}", "-j2")
    return request.param, folders


def test_hello(built):
    target, folders = built
    out = boot(folders["hello"], target, "hello")
    assert (out.returncode, out.stdout) == (0, "hello\n" * 4)


def test_hello_key(built):
    target, folders = built
    out = boot(folders["hello-key"], target, "hello-key")
    assert (out.returncode, out.stdout) == (0, "Hello World!\n" * 4)
    for args in (["--hello=Bonjour"], ["--hello", "Bonjour"]):
        out = boot(folders["hello-key"], target, "hello-key", *args)
        assert (out.returncode, out.stdout) == (0, "Bonjour\n" * 4)


def test_help_and_bad_argument(built):
    target, folders = built
    out = boot(folders["hello-key"], target, "hello-key", "--help")
    assert out.returncode == 63
    assert "--hello=STRING" in out.stdout and "How to say hello. (default: Hello World!)" in out.stdout
    for bad, message in ((["--hello=x", "--what"], "unknown argument '--what'"),
                         (["--hello"], "missing value for --hello"), (["stray"], "stray")):
        out = boot(folders["hello-key"], target, "hello-key", *bad)
        assert out.returncode == 64, bad
        assert message in out.stdout and "Hello" not in out.stdout


def test_scons_run(built):
    target, folders = built
    out = scons(folders["hello-key"], f"target={target}", "run", "args=--hello=Hej")
    assert out.stdout.splitlines().count("Hej") == 4
