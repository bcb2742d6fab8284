"""Random streams arranged per process and per day, so that runs can be compared with common random numbers.

Each process of the day (needs, reporting, delivery, ...) draws from its own generator, derived from the run's seed,
the process's name and the day. A mechanism that switches on at day k therefore cannot shift the random numbers any
other process sees, before day k or after it: two scenarios that differ only from day k have identical daily
series before day k for the same seed, and stay as aligned as their differences allow afterwards.
"""

from __future__ import annotations

import math
import zlib

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic
from numpy.random.bit_generator import ISeedSequence


class Streams:
    """Generators keyed by (process name, day), all derived from one integer seed.

    The generator of (process, day) is `Generator(PCG64(SeedSequence(seed, spawn_key=(crc32(process), day + 1))))`.
    Making a SeedSequence costs more than most of the day's draws, so the seed states are hashed here by a compiled
    loop, with SeedSequence's own algorithm (`_hash_entropy`), 2**`_BLOCK_BITS` days of a process in one call, and
    kept: a day's streams then cost a lookup each. The generators are the same, number for number (tests/test_streams.py
    compares them with NumPy's).
    """

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        words = _words(self.seed)
        self._seed_words = np.concatenate([words, np.zeros(max(_POOL - len(words), 0), dtype=np.uint32)])
        self._crc: dict[str, int] = {}
        # (process, block of days) -> seed states, one row per day; (process list, block) -> PCG64 states
        self._seeds: dict[tuple[str, int], np.ndarray] = {}
        self._states: dict[tuple[tuple[str, ...], int], np.ndarray] = {}

    def __call__(self, process: str, day: int = -1) -> np.random.Generator:
        """The generator of `process` on `day` (day -1: the set-up streams: population, network)."""
        return np.random.Generator(np.random.PCG64(_SeedState(self._seed_state(process, day))))

    def pcg64_states(self, processes: list[str] | tuple[str, ...], day: int = -1) -> np.ndarray:
        """The states of the same streams' PCG64 bit generators, fresh, one row per process, for compiled loops
        that draw them themselves (simulation/delivery.py): [state >> 64, state & (2**64 - 1), inc >> 64,
        inc & (2**64 - 1)], as `PCG64(...).state` gives them, so that their numbers are the generators', one for
        one. PCG64's seeding (state 0, step, add the initial state, step) is done in 64-bit halves by a compiled
        loop. The array is the caller's to change (the loops advance the states in it)."""
        key = day + 1
        if not 0 <= key < 2**32:
            raise ValueError(f"stream day must be in [-1, 2**32 - 2], got {day}")
        return self._block(tuple(processes), key)[key & _BLOCK_MASK].copy()

    def random(self, process: str, day: int = -1, size: int | tuple[int, ...] = 1) -> np.ndarray:
        """`self(process, day).random(size)`: the same numbers, drawn by a compiled loop from the stream's PCG64
        state, without making the generator (most of the day's streams draw uniform numbers and nothing else)."""
        key = day + 1
        if not 0 <= key < 2**32:
            raise ValueError(f"stream day must be in [-1, 2**32 - 2], got {day}")
        shape = None if isinstance(size, int | np.integer) else tuple(size)
        n = size if shape is None else math.prod(shape)
        if n < 0 or shape is not None and min(shape, default=0) < 0:
            raise ValueError(f"negative dimensions are not allowed, got size {size}")
        states = self._states.get(((process,), key >> _BLOCK_BITS))
        if states is None:
            states = self._block((process,), key)
        out = _uniforms(states, key & _BLOCK_MASK, n)
        return out if shape is None else out.reshape(shape)

    def permutation(self, process: str, day: int, x: np.ndarray, after: int = 0) -> np.ndarray:
        """`g.permutation(x)` for g the generator of `process` on `day` once `after` numbers of `random` are drawn
        from it: the same order, by a compiled loop (NumPy's shuffle: from the last place down, each swapped with a
        place drawn by `random_interval`, from 32-bit halves of the 64-bit outputs), without making the generator.
        `x` is a one-dimensional integer array; a copy is shuffled."""
        key = day + 1
        if not 0 <= key < 2**32:
            raise ValueError(f"stream day must be in [-1, 2**32 - 2], got {day}")
        x = np.asarray(x)
        if x.ndim != 1 or x.dtype != np.int64 or after < 0:
            raise ValueError(f"a permutation of a 1-D int64 array after >= 0 draws, got {x.dtype} of shape "
                             f"{x.shape} after {after}")
        return _permuted(self._block((process,), key), key & _BLOCK_MASK, int(after), x)

    def _block(self, processes: tuple[str, ...], key: int) -> np.ndarray:
        """The PCG64 states of `processes` for the block of days of spawn key `key` (days x processes x 4)."""
        block = (processes, key >> _BLOCK_BITS)
        states = self._states.get(block)
        if states is None:
            crcs = np.array([self._crc_of(process) for process in processes], dtype=np.uint64)
            states = self._states[block] = _pcg64_states(self._seed_words, crcs, _block_keys(block[1]), _HASH_A,
                                                         _HASH_B)
        return states

    def _crc_of(self, process: str) -> int:
        crc = self._crc.get(process)
        if crc is None:
            crc = self._crc[process] = zlib.crc32(process.encode("utf-8"))
        return crc

    def _seed_state(self, process: str, day: int) -> np.ndarray:
        """SeedSequence(seed, spawn_key=(crc32(process), day + 1)).generate_state(4, np.uint64)."""
        key = day + 1
        if not 0 <= key < 2**32:
            raise ValueError(f"stream day must be in [-1, 2**32 - 2], got {day}")
        block = (process, key >> _BLOCK_BITS)
        seeds = self._seeds.get(block)
        if seeds is None:
            seeds = self._seeds[block] = _hash_entropy_keys(self._seed_words, self._crc_of(process),
                                                            _block_keys(block[1]), _HASH_A, _HASH_B)
        return seeds[key & _BLOCK_MASK]


_BLOCK_BITS = 6  # the seed states of 2**6 days are hashed in one call
_BLOCK_MASK = (1 << _BLOCK_BITS) - 1


def _block_keys(block: int) -> np.ndarray:
    """The spawn keys (day + 1) of a block of days; the last block stops at the largest key, 2**32 - 1."""
    first = block << _BLOCK_BITS
    return np.arange(first, min(first + _BLOCK_MASK + 1, 2**32), dtype=np.uint64)


# PCG64's multiplier (numpy/random/src/pcg64/pcg64.h, PCG_DEFAULT_MULTIPLIER_128).
_PCG_MULTIPLIER = 0x2360ED051FC65DA44385DF649FCCF645
_MASK_64, _MASK_128 = (1 << 64) - 1, (1 << 128) - 1

# SeedSequence's constants (numpy/random/bit_generator.pyx).
_POOL = 4
_INIT_A, _MULT_A, _INIT_B, _MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = np.uint64(0xCA01F9DD), np.uint64(0x4973F715)
_LOW_32, _16, _32 = np.uint64(0xFFFFFFFF), np.uint64(16), np.uint64(32)


def _powers(init: int, mult: int, count: int) -> np.ndarray:
    """The hash constant before each of SeedSequence's `count` hash steps, and after the last (uint32 products)."""
    out = [init]
    for _ in range(count):
        out.append((out[-1] * mult) & 0xFFFFFFFF)
    return np.array(out, dtype=np.uint64)


_HASH_A = _powers(_INIT_A, _MULT_A, 64)  # enough for entropy of up to 16 words
_HASH_B = _powers(_INIT_B, _MULT_B, 8)


def _words(value: int) -> np.ndarray:
    """A non-negative integer as SeedSequence reads it: 32-bit words, least significant first (0 is one word)."""
    count = max(1, (value.bit_length() + 31) // 32)
    return np.array([(value >> (32 * i)) & 0xFFFFFFFF for i in range(count)], dtype=np.uint32)


@njit(cache=True)
def _hash_entropy(seed_words, crc, key, hash_a, hash_b):
    """SeedSequence's mix_entropy of [seed words (padded to the pool), crc, key] and its generate_state(4, uint64),
    in uint32 arithmetic (held in uint64 and masked): hashmix(v) = ((v ^ a_k) * a_(k+1)) ^ shifted, with the
    hash constant a_k advancing at every step; mix(x, y) = (L * x - R * y) ^ shifted."""
    n = len(seed_words) + 2
    entropy = np.empty(n, np.uint64)
    for i in range(len(seed_words)):
        entropy[i] = seed_words[i]
    entropy[n - 2], entropy[n - 1] = crc, key
    pool = np.empty(_POOL, np.uint64)
    k = 0
    for i in range(_POOL):
        v = ((entropy[i] ^ hash_a[k]) * hash_a[k + 1]) & _LOW_32
        pool[i] = v ^ (v >> _16)
        k += 1
    for src in range(_POOL):
        for dst in range(_POOL):
            if src != dst:
                v = ((pool[src] ^ hash_a[k]) * hash_a[k + 1]) & _LOW_32
                v ^= v >> _16
                k += 1
                r = (_MIX_L * pool[dst] - _MIX_R * v) & _LOW_32
                pool[dst] = r ^ (r >> _16)
    for src in range(_POOL, n):
        for dst in range(_POOL):
            v = ((entropy[src] ^ hash_a[k]) * hash_a[k + 1]) & _LOW_32
            v ^= v >> _16
            k += 1
            r = (_MIX_L * pool[dst] - _MIX_R * v) & _LOW_32
            pool[dst] = r ^ (r >> _16)
    out = np.zeros(4, np.uint64)
    for i in range(8):
        v = ((pool[i % _POOL] ^ hash_b[i]) * hash_b[i + 1]) & _LOW_32
        v ^= v >> _16
        out[i // 2] |= v << (_32 * np.uint64(i % 2))
    return out


@njit(cache=True)
def _hash_entropy_keys(seed_words, crc, keys, hash_a, hash_b):
    """`_hash_entropy` for each key of `keys`, one row each."""
    out = np.empty((len(keys), 4), np.uint64)
    for d in range(len(keys)):
        out[d] = _hash_entropy(seed_words, crc, keys[d], hash_a, hash_b)
    return out


class _SeedState(ISeedSequence):
    """A seed state hashed in advance, handed to PCG64 as its SeedSequence would hand it."""

    __slots__ = ("_state",)

    def __init__(self, state: np.ndarray) -> None:
        self._state = state

    def generate_state(self, n_words: int, dtype=np.uint32) -> np.ndarray:
        if n_words != 4 or dtype is not np.uint64 and np.dtype(dtype) != np.uint64:  # PCG64 passes np.uint64
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


_MULTIPLIER_HI, _MULTIPLIER_LO = np.uint64(_PCG_MULTIPLIER >> 64), np.uint64(_PCG_MULTIPLIER & _MASK_64)
_ONE, _63 = np.uint64(1), np.uint64(63)
_11, _58, _64 = np.uint64(11), np.uint64(58), np.uint64(64)


@njit(cache=True)
def _pcg64_states(seed_words, crcs, keys, hash_a, hash_b):
    """For each key of `keys`, one row per crc: the PCG64 state and increment, in 64-bit halves, of the stream
    whose seed state is `_hash_entropy(seed_words, crc, key)` (keys x crcs x 4): initstate = its first two words,
    initseq = the last two; inc = (initseq << 1 | 1) mod 2**128; state = ((inc + initstate) x multiplier + inc)
    mod 2**128."""
    out = np.empty((len(keys), len(crcs), 4), np.uint64)
    for d in range(len(keys)):
        for i in range(len(crcs)):
            s = _hash_entropy(seed_words, crcs[i], keys[d], hash_a, hash_b)
            inc_hi = (s[2] << _ONE) | (s[3] >> _63)
            inc_lo = (s[3] << _ONE) | _ONE
            lo = inc_lo + s[1]
            hi = inc_hi + s[0] + (_ONE if lo < inc_lo else np.uint64(0))
            new_hi, new_lo = _advance(hi, lo, inc_hi, inc_lo)
            out[d, i, 0], out[d, i, 1], out[d, i, 2], out[d, i, 3] = new_hi, new_lo, inc_hi, inc_lo
    return out


@intrinsic
def _lcg128(typingctx, hi, lo, inc_hi, inc_lo, multiplier_hi, multiplier_lo):
    """(hi, lo) x multiplier + inc mod 2**128, each number given in 64-bit halves, computed by LLVM in 128-bit
    integers (the machine's 64 x 64 -> 128 multiply): returns the (high, low) halves."""
    sig = types.UniTuple(types.uint64, 2)(*(types.uint64,) * 6)

    def codegen(context, builder, signature, args):
        i128, i64, shift = ir.IntType(128), ir.IntType(64), ir.Constant(ir.IntType(128), 64)

        def joined(high, low):
            return builder.or_(builder.shl(builder.zext(high, i128), shift), builder.zext(low, i128))

        state = builder.add(builder.mul(joined(args[0], args[1]), joined(args[4], args[5])),
                            joined(args[2], args[3]))
        halves = (builder.trunc(builder.lshr(state, shift), i64), builder.trunc(state, i64))
        return context.make_tuple(builder, signature.return_type, halves)

    return sig, codegen


@njit(cache=True)
def _advance(hi, lo, inc_hi, inc_lo):
    """PCG64's step: (hi, lo) x multiplier + inc mod 2**128, in 64-bit halves."""
    return _lcg128(hi, lo, inc_hi, inc_lo, _MULTIPLIER_HI, _MULTIPLIER_LO)


@njit(cache=True)
def _output(hi, lo):
    """PCG64's output of the state (hi, lo), XSL-RR: rotr64(hi ^ lo, hi >> 58)."""
    x, rotation = hi ^ lo, hi >> _58
    return (x >> rotation) | (x << ((_64 - rotation) & _63))


@njit(cache=True)
def _permuted(states, row, after, x):
    """NumPy's Generator.permutation of `x` (a copy shuffled) for the PCG64 generator of states[row, 0] once
    `after` doubles are drawn: for i from len(x) - 1 down to 1, swap places i and j = random_interval(i), which
    draws value & mask (mask: the smallest all-ones above i) until it is at most i, from the low then the high
    32 bits of each 64-bit output (past 2**32 - 1, whole 64-bit outputs)."""
    hi, lo, inc_hi, inc_lo = states[row, 0, 0], states[row, 0, 1], states[row, 0, 2], states[row, 0, 3]
    for _ in range(after):
        hi, lo = _advance(hi, lo, inc_hi, inc_lo)
    out = x.copy()
    has_half, half = False, np.uint64(0)
    for i in range(len(out) - 1, 0, -1):
        top = np.uint64(i)
        mask = top
        for shift in (1, 2, 4, 8, 16, 32):
            mask |= mask >> np.uint64(shift)
        while True:
            if top > _LOW_32:
                hi, lo = _advance(hi, lo, inc_hi, inc_lo)
                value = _output(hi, lo) & mask
            elif has_half:
                value, has_half = half & mask, False
            else:
                hi, lo = _advance(hi, lo, inc_hi, inc_lo)
                whole = _output(hi, lo)
                value, half, has_half = (whole & _LOW_32) & mask, whole >> _32, True
            if value <= top:
                break
        j = np.int64(value)
        out[i], out[j] = out[j], out[i]
    return out


@njit(cache=True)
def _uniforms(states, row, n):
    """The first n doubles of the PCG64 generator of states[row, 0] (a stream's fresh state, as `pcg64_states`
    gives it), as NumPy's Generator.random draws them: each step's output (XSL-RR: rotr64(hi ^ lo, hi >> 58)),
    shifted right by 11, times 2**-53."""
    hi, lo, inc_hi, inc_lo = states[row, 0, 0], states[row, 0, 1], states[row, 0, 2], states[row, 0, 3]
    out = np.empty(n)
    for j in range(n):
        hi, lo = _advance(hi, lo, inc_hi, inc_lo)
        out[j] = np.float64(_output(hi, lo) >> _11) * (1.0 / 9007199254740992.0)
    return out
