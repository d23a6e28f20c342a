"""examples/ping: a stack answering Linux's ping and ping -6, on every target this machine can
boot, in a private network namespace; --seconds ends it with status 0."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from mirage_tools.targets import get_target
from tests.machine import missing
from tests.netns import Netns, finish, read_line
from tests.sconsrun import copy_example, scons


@pytest.mark.parametrize("target", ["unix", "spt", "hvt", "virtio"])
def test_ping_v4_and_v6(target: str, netns: Netns, tmp_path: Path) -> None:
    why = missing(target)
    if why:
        pytest.skip(f"{target} images cannot boot here: {why}")
    folder = copy_example("ping", tmp_path)
    scons(folder, f"target={target}", "-j2")
    desc = get_target(target)
    image = folder / "build" / target / desc.image_name("ping")
    tender = str(folder / "build" / target / "tender" / desc.tender.name) if desc.tender else None
    netns.ip("addr", "add", "fd00::1/64", "dev", "tap0", "nodad")
    # Slow boots here (hvt emulated, virtio under TCG) run until the test stops them.
    seconds = 0 if target in ("hvt", "virtio") else 4
    proc = netns.start(desc.command(str(image), ["--ipv6=fd00::2/64", f"--seconds={seconds}"], tender,
                                    [("net", "service", "tap0")]))
    line = read_line(proc, timeout=60)
    while line and not line.startswith("ping: "):
        line = read_line(proc, timeout=60)
    assert re.fullmatch(r"ping: service answers on 10\.0\.0\.2 fe80::[0-9a-f:]+ fd00::2\n", line), line
    for cmd in (["ping", "-n"], ["ping", "-6", "-n"]):
        address = "fd00::2" if "-6" in cmd else "10.0.0.2"
        out = netns.exec(*cmd, "-c", "5", "-i", "0.2", "-W", "2", address, timeout=60).stdout
        assert "5 packets transmitted, 5 received" in out, out
    if seconds:
        code, rest = finish(proc, timeout=seconds + 30)
        assert ((desc.status(code) if desc.status else code), rest) == (0, "ping: done\n")
