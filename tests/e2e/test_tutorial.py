"""docs/tutorial.md, run as written from an empty temporary folder: its `sh run` blocks are
the commands, its `file=NAME` blocks the files written at that point, in page order."""
from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.machine import missing
from tests.netns import netns_unavailable
from tests.sconsrun import ROOT

BLOCK = re.compile(r"^```(\w+)(?: ([^\n]*))?\n(.*?)^```$", re.S | re.M)
NAMESPACE = "demo"  # the tutorial's network namespace


def _netns() -> str | None:
    why = netns_unavailable()
    if why is None and NAMESPACE in subprocess.run(["ip", "netns", "list"], capture_output=True, text=True,
                                                   timeout=10).stdout.split():
        raise AssertionError(f"a network namespace {NAMESPACE!r} exists already: the tutorial makes its own")
    return why


NEEDS = {"qemu": lambda: missing("virtio"), "netns": _netns}


def script(text: str) -> tuple[str, list[str]]:
    """The tutorial as one bash script, and why blocks were left out (a missing capability)."""
    lines, left_out = ["set -eu"], []
    for lang, info, body in BLOCK.findall(text):
        words = dict(w.split("=", 1) if "=" in w else (w, "") for w in (info or "").split())
        if "file" in words:
            lines += [f"cat > {shlex.quote(words['file'])} <<'MIRAGE_TUTORIAL_EOF'", body.rstrip("\n"),
                      "MIRAGE_TUTORIAL_EOF"]
        elif lang == "sh" and "run" in words:
            why = NEEDS[words["needs"]]() if "needs" in words else None
            if why:
                left_out.append(f"a `{words['needs']}` step: {why}")
                continue
            lines.append(body)
    return "\n".join(lines) + "\n", left_out


def test_tutorial_from_an_empty_folder(tmp_path: Path) -> None:
    text, left_out = script((ROOT / "docs" / "tutorial.md").read_text())
    assert "mirage-tools new hello" in text and "cat > fancy.c" in text
    env = dict(os.environ, MIRAGE_TOOLS_SRC=str(ROOT),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    env.pop("SCONSFLAGS", None)
    proc = subprocess.Popen(["bash", "-c", text], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=900)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        raise AssertionError(f"the tutorial did not finish:\n{out}") from None
    finally:
        if not any("netns" in why for why in left_out) and netns_unavailable() is None:
            subprocess.run(["ip", "netns", "del", NAMESPACE], capture_output=True, timeout=10)
    assert proc.returncode == 0, out
    assert "Hello from hello!\n" in out
    assert "Bonjour\n" * 4 in out and "Hallo\n" * 4 in out
    assert "flavour: Which greeting." in out and "*** Hello World! ***\n" in out
    if not left_out:
        assert "Salut\n" * 4 in out
        assert "3 packets transmitted, 3 received" in out and "arp_ping: 3 echo replies, done" in out
    else:
        pytest.skip("the rest of the tutorial ran; left out " + "; ".join(left_out))
