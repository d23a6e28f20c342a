"""Random numbers: a ChaCha20 DRBG seeded from the platform's best entropy source."""
from __future__ import annotations

from ..impl import Device
from ..typ import random
from .catalog import catalog_device

default_random = catalog_device(
    "default_random", random, "default_random_connect",
    "A ChaCha20 DRBG seeded from getrandom on unix, RDSEED/RDRAND where the CPU has them, "
    "otherwise timing jitter (and the --seed boot argument for reproducible tests).",
    sources=("drivers/random/chacha20.c", "drivers/random/drbg.c"))


def rng() -> Device:
    """Mirage's `rng ()`: the default generator."""
    return default_random
