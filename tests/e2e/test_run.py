"""Issue 11 through scons: `run` shows its command (VERBOSE=1, and on failure), --help is
success for run, a block file is made whole or not at all, a misspelled variable gets a
"did you mean", and no user mistake ends in a traceback."""
import pytest

from tests.sconsrun import copy_example, scons


@pytest.fixture(scope="module")
def hello(tmp_path_factory):
    folder = copy_example("hello-key", tmp_path_factory.mktemp("run"))
    scons(folder, "target=unix")
    return folder


def test_run_help_is_success(hello):
    out = scons(hello, "target=unix", "run", "args=--help", check=False)
    assert out.returncode == 0, out.stderr
    assert "--hello" in out.stdout + out.stderr
    assert "Error 63" not in out.stderr


def test_run_shows_its_command_with_verbose(hello):
    out = scons(hello, "target=unix", "VERBOSE=1", "run", "args=--hello=Hi")
    image = hello / "build/unix/hello-key"
    assert f"{image} --hello=Hi" in out.stdout


def test_run_shows_its_command_on_failure(hello):
    out = scons(hello, "target=unix", "run", "args=--nope", check=False)
    assert out.returncode != 0
    assert "exited with status 64; the command was:" in out.stderr
    assert f"{hello / 'build/unix/hello-key'} --nope" in out.stderr
    assert "Traceback" not in out.stderr


def test_misspelled_variable_gets_did_you_mean(hello):
    out = scons(hello, "target=unix", "VERBSOE=1")
    assert "did you mean VERBOSE=1?" in out.stderr
    out = scons(hello, "target=unix", "compiledbb=1")
    assert "did you mean compiledb=1?" in out.stderr


def test_a_block_file_too_large_for_the_host_is_a_clean_error(tmp_path):
    folder = copy_example("block", tmp_path)
    config = (folder / "config.py").read_text().replace('size="1MiB"', "size=2**62")
    (folder / "config.py").write_text(config)
    first = scons(folder, "target=unix", "run", check=False)
    assert first.returncode != 0
    assert "Traceback" not in first.stderr
    assert "block device 'disk': cannot create" in first.stderr, first.stderr
    assert not (folder / "disk.img").exists()  # never a half-made file
    assert not list(folder.glob(".disk.img*"))


def test_help_lists_the_aliases(hello):
    out = scons(hello, "-h").stdout
    assert "run       build, then boot the image" in out
    assert "describe  print the resolved device graph" in out
    assert "target: " in out
