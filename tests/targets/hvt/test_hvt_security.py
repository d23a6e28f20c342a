"""The tender against a hostile guest: every hypercall handed addresses and
lengths outside guest memory (or wrapping around), results aimed at read-only
memory, I/O ports and access kinds outside the hypercall interface, writes to
the image's own code, hlt, a triple fault, and memory beyond guest RAM. Each must end with
exit status 1 and a message, never a crash (a negative returncode) and never
the guest carrying on."""
from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.targets.hvt.hvtbuild import run

pytestmark = pytest.mark.usefixtures("kvm")

# Every call gets its argument struct placed outside memory, across its end,
# and at the top of the 32-bit space; calls with a buffer get the buffer
# outside, across the end, too long, wrapping around 2^64; calls that write
# results get them aimed at the read-only boot info and the image's rodata,
# and reads get their data aimed at the image's code.
ARG = ["arg-beyond", "arg-straddles", "arg-top"]
DATA = ["data-beyond", "data-straddles", "len-huge", "len-overflow", "data-wraps"]
RESULTS = ["arg-low", "arg-rodata"]
ATTACKS = (
    [("walltime-" + h, "WALLTIME argument") for h in ARG + RESULTS]
    + [("puts-" + h, "PUTS") for h in ARG + DATA]
    + [("poll-" + h, "POLL argument") for h in ARG + RESULTS]
    + [(f"{c}-{h}", n) for c, n in (("blkwrite", "BLOCK_WRITE"), ("blkread", "BLOCK_READ"),
                                    ("netwrite", "NET_WRITE"), ("netread", "NET_READ"))
       for h in ARG + DATA + RESULTS]
    + [("blkread-data-text", "BLOCK_READ data"), ("netread-data-text", "NET_READ data")]
    + [("halt-" + h, "HALT argument") for h in ARG]
)

WHY = {"arg-low": "lies below the image", "arg-rodata": "overlaps a read-only segment",
       "data-text": "overlaps a read-only segment"}


@pytest.fixture(scope="module")
def attack(guest):  # type: ignore[no-untyped-def]
    return guest("attack")


@pytest.mark.parametrize("what, names", ATTACKS, ids=[a[0] for a in ATTACKS])
def test_bad_hypercall_arguments_end_the_tender(tender: Path, attack: Path, what: str,
                                                names: str) -> None:
    r = run(tender, attack, what)
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert f"trying {what}\n" in r.stdout and "survived" not in r.stdout
    assert r.stderr.startswith("mirage-hvt: Invalid guest access: "), r.stderr
    assert names in r.stderr
    how = what.split("-", 1)[1]
    assert WHY.get(how, "lies outside guest memory") in r.stderr


@pytest.mark.parametrize("what, message", [
    ("port-below", "OUT to port 0x4ff"),
    ("port-above", "OUT to port 0x509"),
    ("port-zero", "invalid hypercall 0 (OUT to port 0x500)"),
    ("outb", "1-byte OUT to port 0x502"),
    ("outw", "2-byte OUT to port 0x502"),
    ("inl", "IN from port 0x501"),
    ("text-write", "read-only"),
    ("hlt", "the guest executed hlt"),
    ("triple-fault", "the guest shut down (triple fault)"),
])
def test_forbidden_guest_actions_end_the_tender(tender: Path, attack: Path, what: str,
                                                message: str) -> None:
    r = run(tender, attack, what)
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert f"trying {what}\n" in r.stdout and "survived" not in r.stdout
    assert r.stderr.startswith("mirage-hvt: ") and message in r.stderr, r.stderr


def test_memory_beyond_ram_ends_the_tender(tender: Path, attack: Path) -> None:
    """With its own page tables the guest can reach guest-physical addresses
    past its memory: KVM reports MMIO, which no hvt guest may do."""
    r = run(tender, "--mem=64", attack, "mmio")
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert "beyond guest memory (MMIO exit)" in r.stderr, r.stderr
    assert "0x4200000" in r.stderr


# --- any hypercall with any arguments: handled, or refused, never a crash -------

MEM = 512 << 20  # the tender's default guest memory
U64 = st.one_of(st.sampled_from(["arg", "buf"]),
                st.sampled_from([0, 1, 511, 512, 4096, 0xFFFFF, 0x10000, 0x100000, MEM - 512, MEM - 4,
                                 MEM, 1 << 32, 1 << 63, 2**64 - 512, 2**64 - 1]),
                st.integers(min_value=0, max_value=2**64 - 1))
WHERE = st.one_of(st.sampled_from(["arg", "buf", 0, 0x10000, MEM - 8, MEM, 0xFFFFFFFC]),
                  st.integers(min_value=0, max_value=2**32 - 1))


def _hex(v: int | str) -> str:
    return v if isinstance(v, str) else f"{v:x}"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(port=st.integers(min_value=0x4FF, max_value=0x509), where=WHERE,
       fields=st.lists(U64, min_size=5, max_size=5))
def test_any_hypercall_is_handled_or_refused(tender: Path, guest, tmp_path: Path,  # type: ignore[no-untyped-def]
                                             port: int, where: int | str, fields: list[int | str]) -> None:
    if port == 0x503:
        fields[0] = 1000  # POLL: a 1 us timeout, not a random (possibly centuries long) one
    disk = tmp_path / "fuzz.img"
    disk.write_bytes(bytes(4096))
    image = guest("attack", manifest="BLOCK")
    # PUTS may print any bytes: decode leniently.
    r = subprocess.run([str(tender), f"--block:disk={disk}", str(image), "raw", _hex(port), _hex(where),
                        *map(_hex, fields)], capture_output=True, text=True, errors="replace",
                       timeout=20)
    assert r.returncode >= 0, (r.returncode, r.stderr)  # never a signal
    if port == 0x508 and "mirage-hvt" not in r.stderr:
        pass  # HALT with whatever status the guest asked for
    elif r.returncode == 0:
        assert "survived\n" in r.stdout
    else:
        assert r.returncode == 1 and r.stderr.startswith("mirage-hvt: "), (r.returncode, r.stderr)
        assert "survived" not in r.stdout
    assert disk.stat().st_size == 4096


@pytest.mark.parametrize("length, ret", [(1514, 0), (1515, 2), (2 << 20, 2)])
def test_net_write_is_capped_at_the_mtu(tender: Path, guest, length: int, ret: int) -> None:  # type: ignore[no-untyped-def]
    """A raw NET_WRITE of more than mtu + 14 bytes is EINVAL (2), and nothing is sent."""
    host, guest_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    with host, guest_end:
        fd = guest_end.fileno()
        # From the image's start: any readable guest memory will do as the frame.
        r = run(tender, f"--net:net0=@{fd}", guest("attack", manifest="NET"), "raw", "506", "arg", "1",
                "100000", f"{length:x}", "0", "0", pass_fds=(fd,))
        assert r.returncode == 0, (r.stdout, r.stderr)
        fields = r.stdout.split("fields ", 1)[1].split()
        assert int(fields[3], 16) & 0xFFFFFFFF == ret, r.stdout
        host.setblocking(False)
        if ret == 0:
            assert len(host.recv(65536)) == length
        with pytest.raises(BlockingIOError):
            host.recv(65536)
