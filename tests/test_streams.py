"""The random streams: the pre-hashed generators are NumPy's own SeedSequence generators, number for number."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit

from simulation.delivery import _pcg64_next
from simulation.streams import Streams


def numpy_stream(seed: int, process: str, day: int) -> np.random.Generator:
    key = (zlib.crc32(process.encode("utf-8")), day + 1)
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**63 - 1), process=st.text(max_size=20), day=st.integers(-1, 5000))
def test_streams_are_numpys_seed_sequence_generators(seed: int, process: str, day: int) -> None:
    assert np.array_equal(Streams(seed)(process, day).random(4), numpy_stream(seed, process, day).random(4))


@pytest.mark.parametrize("seed", [0, 1, 2**32 - 1, 2**32, 2**64 + 3])
def test_multiword_seeds_and_far_days(seed: int) -> None:
    streams = Streams(seed)
    for day in (-1, 0, 1, 126, 127, 128, 2**31, 2**32 - 2):
        assert np.array_equal(streams("serve:cadre", day).integers(0, 2**62, 3),
                              numpy_stream(seed, "serve:cadre", day).integers(0, 2**62, 3))


def test_each_call_is_a_fresh_generator() -> None:
    streams = Streams(5)
    first = streams("needs", 3).random(2)
    assert np.array_equal(streams("needs", 3).random(2), first)
    assert not np.array_equal(streams("needs", 4).random(2), first)


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**63 - 1), process=st.text(max_size=12), day=st.integers(-1, 400))
def test_pcg64_state_is_the_generators_state(seed: int, process: str, day: int) -> None:
    mine = Streams(seed).pcg64_states([process], day)[0]
    theirs = numpy_stream(seed, process, day).bit_generator.state["state"]
    assert int(mine[0]) << 64 | int(mine[1]) == theirs["state"]
    assert int(mine[2]) << 64 | int(mine[3]) == theirs["inc"]


@njit
def _draws(state, n):
    """`n` numbers of a stream from its PCG64 state (advanced in place), drawn as delivery's `_pass_cut` draws them."""
    out = np.empty(n)
    for j in range(n):
        state[0], state[1], out[j] = _pcg64_next(state[0], state[1], state[2], state[3])
    return out


@pytest.mark.parametrize("seed", [0, 3, 2**40 + 1])
def test_compiled_draws_are_the_generators_numbers(seed: int) -> None:
    """Delivery draws its random order inside compiled code from a stream's PCG64 state: the same numbers."""
    state = Streams(seed).pcg64_states(["serve:cadre"], 7)[0]
    first, second = _draws(state, 500), _draws(state, 3)  # the state advances in place
    expected = numpy_stream(seed, "serve:cadre", 7).random(503)
    assert np.array_equal(np.concatenate([first, second]), expected)


def test_pcg64_states_has_one_row_per_process_in_order() -> None:
    streams = Streams(11)
    both = streams.pcg64_states(["serve:a", "serve:b"], 5)
    assert both.shape == (2, 4) and both.dtype == np.uint64
    assert np.array_equal(both[0], streams.pcg64_states(["serve:a"], 5)[0])
    assert np.array_equal(both[1], streams.pcg64_states(["serve:b"], 5)[0])
    assert streams.pcg64_states([], 5).shape == (0, 4)


def test_kept_states_are_the_same_on_any_order_of_days_and_fresh_for_each_caller() -> None:
    """The seed states are hashed a block of days at a time and kept: a stream's numbers do not depend on which
    days were asked for before it, up to the last day a stream can have, and a caller that advances the PCG64
    states it was given (delivery's compiled loops do) changes nobody else's."""
    streams = Streams(7)
    last = 2**32 - 2
    for day in (last, 40, 3, 63, 62, 64, 127, -1, last - 1):
        assert np.array_equal(streams("needs", day).random(3), numpy_stream(7, "needs", day).random(3))
        mine = streams.pcg64_states(["serve:a"], day)
        theirs = numpy_stream(7, "serve:a", day).bit_generator.state["state"]
        assert int(mine[0, 0]) << 64 | int(mine[0, 1]) == theirs["state"]
    given = streams.pcg64_states(["serve:a", "serve:b"], 9)
    given[:] = 0
    assert np.array_equal(streams.pcg64_states(["serve:a", "serve:b"], 9)[1],
                          Streams(7).pcg64_states(["serve:b"], 9)[0])
    with pytest.raises(ValueError, match="stream day"):
        streams("needs", last + 1)
    with pytest.raises(ValueError, match="stream day"):
        streams.pcg64_states(["serve:a"], -2)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**64 - 1), st.sampled_from(["reporting", "volunteers:leave", "hospital", "x" * 40]),
       st.integers(-1, 2**32 - 2),
       st.one_of(st.integers(0, 300), st.tuples(st.integers(0, 5), st.integers(0, 50))))
def test_uniform_draws_are_the_generators_numbers(seed: int, process: str, day: int, size) -> None:
    """`Streams.random` draws, without making the generator, the numbers `streams(process, day).random(size)`
    gives: same shape, same bits."""
    streams = Streams(seed)
    expected = streams(process, day).random(size)
    got = streams.random(process, day, size)
    assert got.shape == expected.shape and got.dtype == expected.dtype and np.array_equal(got, expected)


def test_uniform_draws_refuse_a_negative_size_or_a_day_out_of_range() -> None:
    streams = Streams(3)
    for size in (-1, (2, -3)):
        with pytest.raises(ValueError):
            streams.random("reporting", 4, size)
    with pytest.raises(ValueError):
        streams.random("reporting", -2, 3)


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 2**64 - 1), st.sampled_from(["online:psych", "online:report"]), st.integers(-1, 400),
       st.integers(0, 600), st.integers(0, 1200))
def test_a_permutation_is_the_generators_after_its_draws(seed: int, process: str, day: int, n: int,
                                                         after: int) -> None:
    """`Streams.permutation(process, day, x, after)` orders `x` as the stream's generator does after `after`
    numbers of `random`, and leaves `x` as it was."""
    streams = Streams(seed)
    x = np.sort(np.random.default_rng(n).choice(10**6, n, replace=False)).astype(np.int64)
    before = x.copy()
    generator = streams(process, day)
    generator.random(after)
    expected = generator.permutation(x)
    assert np.array_equal(streams.permutation(process, day, x, after), expected)
    assert np.array_equal(x, before)


def test_a_permutation_takes_a_one_dimensional_integer_array() -> None:
    streams = Streams(1)
    for bad in (np.zeros((2, 2), dtype=np.int64), np.zeros(3)):
        with pytest.raises(ValueError):
            streams.permutation("online:psych", 2, bad)
    with pytest.raises(ValueError):
        streams.permutation("online:psych", 2, np.arange(4), after=-1)
