"""Random streams arranged per process and per day, so that runs can be compared with common random numbers.

Each process of the day (needs, reporting, delivery, ...) draws from its own generator, derived from the run's seed,
the process's name and the day. A mechanism that switches on at day k therefore cannot shift the random numbers any
other process sees, before day k or after it: two scenarios that differ only from day k have identical daily
series before day k for the same seed, and stay as aligned as their differences allow afterwards.
"""

from __future__ import annotations

import zlib

import numpy as np


class Streams:
    """Generators keyed by (process name, day), all derived from one integer seed."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)

    def __call__(self, process: str, day: int = -1) -> np.random.Generator:
        """The generator of `process` on `day` (day -1: the set-up streams: population, network)."""
        key = (zlib.crc32(process.encode("utf-8")), day + 1)
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(self.seed, spawn_key=key)))


def seed_from(rng: int | np.integer | np.random.Generator | np.random.SeedSequence | None) -> int:
    """An integer seed from whatever Mesa-style `rng` argument a caller passed (None: fresh entropy)."""
    if isinstance(rng, bool):
        raise TypeError("rng must be an integer seed or a numpy Generator, not a bool")
    if isinstance(rng, int | np.integer):
        if rng < 0:
            raise ValueError(f"seed must be >= 0, got {rng}")
        return int(rng)
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(2**63))
    if isinstance(rng, np.random.SeedSequence):
        return int(rng.generate_state(2, np.uint64)[0] >> np.uint64(1))
    if rng is None:
        return int(np.random.SeedSequence().generate_state(2, np.uint64)[0] >> np.uint64(1))
    raise TypeError(f"rng must be an integer seed, a numpy Generator or None, not {type(rng).__name__}")
