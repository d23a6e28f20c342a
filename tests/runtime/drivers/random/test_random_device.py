"""The default generator (mirage/random.h): --seed through the parsed boot arguments
(mirage_arg_get), platform seeding, and the Solo5 seed sources run on this CPU."""
from __future__ import annotations

import platform
from pathlib import Path

import pytest

from tests.runtime.drivers.random.randlib import Args, lib, solo5_seed
from tests.runtime.drivers.random.test_drbg import Model


def random_bytes(n: int) -> bytes:
    ffi, c = lib()
    out = ffi.new("uint8_t[]", n)
    c.mirage_random_bytes(out, n)
    return bytes(out)


def connect(words: list[str], specs: dict[str, str] | None = None) -> tuple[int, str]:
    ffi, c = lib()
    args = Args({"seed": ""} if specs is None else specs, words)
    assert args.status == 0
    rc = c.default_random_connect(ffi.new("struct mirage_random *"), args.value("seed"))
    return rc, ffi.string(c.mirage_random_source()).decode()


def test_seed_argument_gives_the_drbg_stream_of_those_bytes() -> None:
    _, c = lib()
    assert connect(["--seed=00112233445566778899AABBCCDDEEFF"]) == (0, "--seed")
    model = Model(bytes.fromhex("00112233445566778899aabbccddeeff"))
    assert random_bytes(40) == model.generate(40)
    assert c.mirage_random_u64() == int.from_bytes(model.generate(8), "big")
    # Connecting again with the same seed restarts the same stream.
    assert connect(["--seed", "00112233445566778899aabbccddeeff"]) == (0, "--seed")
    assert random_bytes(40) == Model(bytes.fromhex("00112233445566778899aabbccddeeff")).generate(40)


def test_without_seed_the_platform_seeds_and_streams_differ() -> None:
    assert connect([]) == (0, "getrandom")
    first = random_bytes(32)
    assert connect([], specs={}) == (0, "getrandom")  # no --seed declared at all
    assert random_bytes(32) != first
    assert connect(["--seed="]) == (0, "getrandom")  # empty: not given


def cpu_flags() -> set[str]:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


x86 = pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="needs an x86-64 CPU")


@x86
def test_solo5_cpuid_matches_the_kernel_view() -> None:
    _, s = solo5_seed()
    flags = cpu_flags()
    assert s.mirage_seed_has_rdrand() == ("rdrand" in flags)
    assert s.mirage_seed_has_rdseed() == ("rdseed" in flags)


@x86
@pytest.mark.parametrize("use_rdseed", [True, False], ids=["rdseed", "rdrand"])
def test_solo5_cpu_sources(use_rdseed: bool) -> None:
    ffi, s = solo5_seed()
    available = s.mirage_seed_has_rdseed() if use_rdseed else s.mirage_seed_has_rdrand()
    a, b = ffi.new("uint8_t[61]"), ffi.new("uint8_t[61]")  # not a multiple of 8 on purpose
    rc = s.mirage_seed_cpu(a, 61, use_rdseed)
    if not available:
        assert rc == -1
        return
    assert rc == 0 and s.mirage_seed_cpu(b, 61, use_rdseed) == 0
    assert bytes(a) != bytes(b) and bytes(a) != bytes(61)


@x86
def test_solo5_jitter_gives_varying_bytes() -> None:
    ffi, s = solo5_seed()
    a, b = ffi.new("uint8_t[512]"), ffi.new("uint8_t[512]")
    s.mirage_seed_jitter(a, 512)
    s.mirage_seed_jitter(b, 512)
    assert bytes(a) != bytes(b)
    assert len(set(bytes(a))) > 128  # 512 bytes from a degenerate source would repeat a lot


@x86
def test_solo5_best_source() -> None:
    ffi, s = solo5_seed()
    buf = ffi.new("uint8_t[64]")
    src = s.mirage_random_seed(buf, 64)
    expected = 1 if s.mirage_seed_has_rdseed() else 2 if s.mirage_seed_has_rdrand() else 3
    assert src in (expected, 2, 3)  # a drained RDSEED may fall back
    assert bytes(buf) != bytes(64)
