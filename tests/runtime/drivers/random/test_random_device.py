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
    """What the driver relies on is CPUID and the 64-bit form of each instruction. The kernel
    may hide a feature CPUID reports (AMD Zen 5: RDSEED's 16/32-bit forms are broken, so
    /proc/cpuinfo omits rdseed): every flag the kernel shows, CPUID reports; a feature only
    CPUID reports must still give healthy 64-bit words, or be dropped by the health check
    (the seed then comes from the next source), never crash or give stuck values."""
    ffi, s = solo5_seed()
    flags = cpu_flags()
    for name, has in (("rdrand", s.mirage_seed_has_rdrand()), ("rdseed", s.mirage_seed_has_rdseed())):
        if name in flags:
            assert has, f"/proc/cpuinfo lists {name} but CPUID does not report it"
        if has:
            buf = ffi.new("uint8_t[64]")
            if s.mirage_seed_cpu(buf, 64, name == "rdseed") == 0:
                words = [bytes(buf)[i:i + 8] for i in range(0, 64, 8)]
                assert len(set(words)) == 8 and bytes(8) not in words


def _source(ffi, words):
    """A CPU source for mirage_seed_words giving `words` (None: the instruction keeps failing)."""
    it = iter(words)

    @ffi.callback("bool(uint64_t *)")
    def next_word(out):
        w = next(it, None)
        if w is None:
            return False
        out[0] = w
        return True

    return next_word


@pytest.mark.parametrize("words, ok", [
    ([0x0123456789ABCDEF, 0xFEDCBA9876543210, 0x1111222233334444], True),
    ([0x0123456789ABCDEF, 0, 0x1111222233334444], False),  # all zeros
    ([0xFFFFFFFFFFFFFFFF] * 3, False),  # all ones (AMD family 17h's broken RDRAND)
    ([0x0123456789ABCDEF, 0x0123456789ABCDEF, 0x5], False),  # a repeated word
    ([0x0123456789ABCDEF], False),  # the instruction stops answering
], ids=["healthy", "zero", "ones", "repeat", "fails"])
def test_solo5_seed_drops_a_cpu_source_failing_its_health_check(words, ok) -> None:
    ffi, s = solo5_seed()
    buf = ffi.new("uint8_t[20]")
    source = _source(ffi, words)
    assert s.mirage_seed_words(buf, 20, source) == (0 if ok else -1)
    if ok:
        assert bytes(buf) == b"".join(w.to_bytes(8, "little") for w in words)[:20]


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
