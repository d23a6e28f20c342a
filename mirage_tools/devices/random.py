"""Random numbers: a ChaCha20 DRBG seeded from the platform's best entropy source."""
from __future__ import annotations

from ..cargs import BootArg
from ..impl import Device
from ..key import RuntimeArg
from ..typ import random
from .catalog import CATALOG

SEED = RuntimeArg("seed", str, "", "Seed the generator with these hex bytes (1 to 64): the same random "
                  "stream at every boot, for tests only.", CATALOG)

default_random = Device(
    name="default_random", typ=random, connect="default_random_connect",
    doc="A ChaCha20 DRBG with fast key erasure, seeded from getrandom on unix, RDSEED/RDRAND where "
        "the CPU has them, otherwise timing jitter; reseeded every 65536 requests. The --seed boot "
        "argument makes the stream reproducible, for tests.",
    c_args=(BootArg(SEED),), sources=("drivers/random/chacha20.c", "drivers/random/drbg.c"),
    drivers=("random_seed",), location=CATALOG)


def rng() -> Device:
    """Mirage's `rng ()`: the default generator."""
    return default_random
