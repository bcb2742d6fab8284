"""Random streams arranged per process and per day, so that runs can be compared with common random numbers.

Each process of the day (needs, reporting, delivery, ...) draws from its own generator, derived from the run's seed,
the process's name and the day. A mechanism that switches on at day k therefore cannot shift the random numbers any
other process sees, before day k or after it: two scenarios that differ only from day k have identical daily
series before day k for the same seed, and stay as aligned as their differences allow afterwards.
"""

from __future__ import annotations

import zlib

import numpy as np
from numpy.random.bit_generator import ISeedSequence


class Streams:
    """Generators keyed by (process name, day), all derived from one integer seed.

    The generator of (process, day) is `Generator(PCG64(SeedSequence(seed, spawn_key=(crc32(process), day + 1))))`.
    Making a SeedSequence costs more than most of the day's draws, so the seed states are hashed here, with
    SeedSequence's own algorithm, for a block of days at once (`_seed_states`); the generators are the same, number
    for number (tests/test_streams.py compares them with NumPy's).
    """

    BLOCK = 128  # days whose seed states are hashed at once, per process

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        words = _words(self.seed)
        self._seed_words = np.concatenate([words, np.zeros(max(_POOL - len(words), 0), dtype=np.uint32)])
        self._states: dict[tuple[str, int], np.ndarray] = {}

    def __call__(self, process: str, day: int = -1) -> np.random.Generator:
        """The generator of `process` on `day` (day -1: the set-up streams: population, network)."""
        return np.random.Generator(np.random.PCG64(_SeedState(self._seed_state(process, day))))

    def pcg64_state(self, process: str, day: int = -1) -> np.ndarray:
        """The state of the same stream's PCG64 bit generator, fresh, for compiled loops that draw it themselves
        (simulation/delivery.py): [state >> 64, state & (2**64 - 1), inc >> 64, inc & (2**64 - 1)], as
        `PCG64(...).state` gives them, so that their numbers are the generator's, one for one."""
        seed = self._seed_state(process, day)
        initstate, initseq = int(seed[0]) << 64 | int(seed[1]), int(seed[2]) << 64 | int(seed[3])
        inc = (initseq << 1 | 1) & _MASK_128  # PCG's srandom: state 0, step, add the initial state, step
        state = (inc + initstate) & _MASK_128
        state = (state * _PCG_MULTIPLIER + inc) & _MASK_128
        return np.array([state >> 64, state & _MASK_64, inc >> 64, inc & _MASK_64], dtype=np.uint64)

    def _seed_state(self, process: str, day: int) -> np.ndarray:
        block, at = divmod(day + 1, self.BLOCK)
        states = self._states.get((process, block))
        if states is None:
            crc = zlib.crc32(process.encode("utf-8"))
            keys = np.arange(block * self.BLOCK, (block + 1) * self.BLOCK, dtype=np.uint32)
            words = np.empty((self.BLOCK, len(self._seed_words) + 2), dtype=np.uint32)
            words[:, :-2] = self._seed_words
            words[:, -2] = crc
            words[:, -1] = keys
            states = self._states[(process, block)] = _seed_states(words)
        return states[at]


# PCG64's multiplier (numpy/random/src/pcg64/pcg64.h, PCG_DEFAULT_MULTIPLIER_128).
_PCG_MULTIPLIER = 0x2360ED051FC65DA44385DF649FCCF645
_MASK_64, _MASK_128 = (1 << 64) - 1, (1 << 128) - 1

# SeedSequence's constants (numpy/random/bit_generator.pyx).
_POOL = 4
_INIT_A, _MULT_A, _INIT_B, _MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = np.uint32(0xCA01F9DD), np.uint32(0x4973F715)
_SHIFT = np.uint32(16)


def _words(value: int) -> np.ndarray:
    """A non-negative integer as SeedSequence reads it: 32-bit words, least significant first (0 is one word)."""
    count = max(1, (value.bit_length() + 31) // 32)
    return np.array([(value >> (32 * i)) & 0xFFFFFFFF for i in range(count)], dtype=np.uint32)


def _seed_states(words: np.ndarray) -> np.ndarray:
    """SeedSequence(entropy=row).generate_state(4, uint64) for every row of `words` (uint32 entropy words, the
    seed's padded to the pool size, then the spawn key's), in uint32 arithmetic as SeedSequence does it."""
    const = [_INIT_A]

    def hashmix(value: np.ndarray) -> np.ndarray:
        value = value ^ np.uint32(const[0])
        const[0] = (const[0] * _MULT_A) & 0xFFFFFFFF
        value = value * np.uint32(const[0])
        return value ^ (value >> _SHIFT)

    def mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        result = _MIX_L * x - _MIX_R * y
        return result ^ (result >> _SHIFT)

    n, length = words.shape
    pool = [hashmix(words[:, i] if i < length else np.zeros(n, dtype=np.uint32)) for i in range(_POOL)]
    for src in range(_POOL):
        for dst in range(_POOL):
            if src != dst:
                pool[dst] = mix(pool[dst], hashmix(pool[src]))
    for src in range(_POOL, length):
        for dst in range(_POOL):
            pool[dst] = mix(pool[dst], hashmix(words[:, src]))
    out = np.empty((n, 8), dtype=np.uint32)
    const_b = _INIT_B
    for i in range(8):
        value = pool[i % _POOL] ^ np.uint32(const_b)
        const_b = (const_b * _MULT_B) & 0xFFFFFFFF
        value = value * np.uint32(const_b)
        out[:, i] = value ^ (value >> _SHIFT)
    return out.astype("<u4").view("<u8").astype(np.uint64)


class _SeedState(ISeedSequence):
    """A seed state hashed in advance, handed to PCG64 as its SeedSequence would hand it."""

    __slots__ = ("_state",)

    def __init__(self, state: np.ndarray) -> None:
        self._state = state

    def generate_state(self, n_words: int, dtype=np.uint32) -> np.ndarray:
        if n_words != 4 or np.dtype(dtype) != np.uint64:
            raise ValueError("a pre-hashed seed state serves PCG64 only (4 words of uint64)")
        return self._state


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
