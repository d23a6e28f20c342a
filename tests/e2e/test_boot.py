"""The examples boot with the same config.py and unikernel.c on every target this machine
can run, and print the same lines: hello, hello-key with --hello, --help (exit 63), a bad
argument (exit 64)."""
import pytest

from tests.machine import missing
from tests.sconsrun import boot, copy_example, scons

TARGETS = ["unix", "spt", "hvt", "virtio"]


@pytest.fixture(scope="module", params=TARGETS)
def built(request, tmp_path_factory):
    target = request.param
    why = missing(target)
    if why:
        pytest.skip(f"{target} images cannot boot here: {why}")
    tmp = tmp_path_factory.mktemp(target)
    folders = {name: copy_example(name, tmp) for name in ("hello", "hello-key")}
    for folder in folders.values():
        scons(folder, f"target={target}", "-j2")
    return target, folders


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


def test_boot_arguments_with_spaces_and_quotes(built):
    """The same argument vectors on every target: unix passes argv as it is, the Solo5
    targets quote them into one command line that their bindings split back."""
    target, folders = built
    value = "it's \"quoted\" \\ a\tb  c "
    out = boot(folders["hello-key"], target, "hello-key", f"--hello={value}")
    assert (out.returncode, out.stdout) == (0, f"{value}\n" * 4)
    out = scons(folders["hello-key"], f"target={target}", "run", """args=--hello "Bon jour" """)
    assert out.stdout.splitlines().count("Bon jour") == 4, out.stdout + out.stderr


def test_help_and_bad_argument(built):
    target, folders = built
    out = boot(folders["hello-key"], target, "hello-key", "--help")
    assert out.returncode == 63
    assert "--hello=STRING" in out.stdout and "How to say hello. (default: Hello World!)" in out.stdout
    assert "  -l, --logs=STRING  Log thresholds" in out.stdout
    for bad, message in ((["--hello=x", "--what"], "unknown argument '--what'"),
                         (["--hello"], "missing value for --hello"), (["stray"], "stray"),
                         (["-l"], "missing value for -l"), (["-l", "loud"], "bad value 'loud' for --logs")):
        out = boot(folders["hello-key"], target, "hello-key", *bad)
        assert out.returncode == 64, bad
        assert message in out.stdout and "Hello" not in out.stdout


def test_scons_run(built):
    target, folders = built
    out = scons(folders["hello-key"], f"target={target}", "run", "args=--hello=Hej")
    assert out.stdout.splitlines().count("Hej") == 4


def test_nosimd_build_refuses_floating_point_clearly(tmp_path):
    folder = copy_example("hello", tmp_path)
    src = folder / "unikernel.c"
    src.write_text(src.read_text().replace('mirage_console_printf(console, "hello\\n");',
                                           'volatile double x = 1.5 * i; (void)x;'))
    out = scons(folder, "target=hvt", "cpu=nosimd", check=False)
    assert out.returncode != 0
    assert "unikernel.c:" in out.stderr and "cpu=nosimd, which has no floating point" in out.stderr
    assert scons(folder, "target=hvt", "cpu=fast", check=False).stderr.startswith(
        "scons: error: cpu=fast: expected one of baseline, nosimd")
