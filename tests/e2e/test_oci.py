"""oci=1 writes an OCI image layout urunc can run: read back with Debian's skopeo and umoci."""
import base64
import json
import shutil
import subprocess

import pytest

from tests.sconsrun import copy_example, scons


@pytest.fixture(scope="module")
def layout(tmp_path_factory):
    if shutil.which("skopeo") is None:
        pytest.skip("skopeo is not installed on this machine")
    folder = copy_example("hello-key", tmp_path_factory.mktemp("oci"))
    scons(folder, "target=spt", "oci=1", "args=--hello=Kubernetes")
    return folder, folder / "build/spt/oci"


def test_skopeo_reads_the_annotations(layout):
    _, oci = layout
    raw = json.loads(subprocess.run(["skopeo", "inspect", "--raw", f"oci:{oci}:latest"], check=True,
                                    capture_output=True, text=True).stdout)
    notes = raw["annotations"]
    assert notes["com.urunc.unikernel.unikernelType"] == "mirage"
    assert notes["com.urunc.unikernel.hypervisor"] == "spt"
    assert notes["com.urunc.unikernel.binary"] == "/unikernel/hello-key.spt"
    assert notes["com.urunc.unikernel.cmdline"] == "--hello=Kubernetes"
    info = json.loads(subprocess.run(["skopeo", "inspect", f"oci:{oci}:latest"], check=True,
                                     capture_output=True, text=True).stdout)
    assert info["Labels"] == notes and info["Os"] == "linux" and info["Architecture"] == "amd64"


def test_umoci_unpacks_the_unikernel_and_urunc_json(layout, tmp_path):
    folder, oci = layout
    if shutil.which("umoci") is None:
        pytest.skip("umoci is not installed on this machine")
    subprocess.run(["umoci", "unpack", "--image", f"{oci}:latest", str(tmp_path / "bundle")], check=True,
                   capture_output=True)
    rootfs = tmp_path / "bundle/rootfs"
    assert (rootfs / "unikernel/hello-key.spt").read_bytes() == (folder / "build/spt/hello-key.spt").read_bytes()
    urunc = json.loads((rootfs / "urunc.json").read_text())
    decoded = {k: base64.b64decode(v).decode() for k, v in urunc.items()}
    assert decoded["com.urunc.unikernel.cmdline"] == "--hello=Kubernetes"
    assert decoded["com.urunc.unikernel.hypervisor"] == "spt"


def test_layout_is_deterministic_and_refused_for_unix(layout):
    folder, oci = layout
    first = (oci / "index.json").read_bytes()
    shutil.rmtree(oci)
    scons(folder, "target=spt", "oci=1", "args=--hello=Kubernetes")
    assert (oci / "index.json").read_bytes() == first
    out = scons(folder, "target=unix", "oci=1", check=False)
    assert out.returncode == 2 and "urunc cannot run unix images" in out.stderr


def test_cmdline_is_quoted_for_the_guest_splitter(tmp_path):
    """urunc hands cmdline to the tender (or QEMU's -append) as one string: it is quoted so
    that the guest bindings split it back into the boot arguments (args='--hello "Bon jour"')."""
    from mirage_tools.oci import UnikernelImage, urunc_annotations
    from tests.targets.solo5.test_solo5_cmdline import split

    args = ("--hello", "Bon jour", "it's")
    cmdline = urunc_annotations(UnikernelImage(tmp_path / "u.spt", "spt", args))["com.urunc.unikernel.cmdline"]
    assert cmdline == "--hello Bon\\ jour it\\'s"
    assert split(cmdline) == list(args)
