"""The compiled loops (Numba): each calls compiled functions of its own module only.

Numba's on-disk cache is invalidated when the file defining a function changes, not when a compiled function it
calls from another file does: a cross-module call would keep running the old code after an edit, silently. So
modules compose compiled loops through Python, and this test keeps it that way.
"""

from __future__ import annotations

import importlib
import pkgutil
import types

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import agents
import scenarios
import simulation


def _modules() -> list[types.ModuleType]:
    found = []
    for package in (simulation, agents):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            found.append(importlib.import_module(info.name))
    return found


def _compiled(module: types.ModuleType) -> dict:
    return {name: obj for name, obj in vars(module).items()
            if hasattr(obj, "py_func") and getattr(obj.py_func, "__module__", None) == module.__name__}


def _names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names(const)
    return names


MODULES = _modules()


def test_there_are_compiled_loops_to_check() -> None:
    assert sum(len(_compiled(m)) for m in MODULES) >= 8


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_compiled_functions_call_only_their_own_modules_compiled_functions(module: types.ModuleType) -> None:
    for name, function in _compiled(module).items():
        for used in _names(function.py_func.__code__):
            target = vars(module).get(used)
            if hasattr(target, "py_func"):
                assert target.py_func.__module__ == module.__name__, (
                    f"{module.__name__}.{name} calls {target.py_func.__module__}.{used}, a compiled function of "
                    "another module: Numba's cache would not see that module change. Call it from Python.")


@settings(max_examples=200, deadline=None)
@given(n_cells=st.integers(1, 40), size=st.integers(0, 300), seed=st.integers(0, 2**32 - 1))
def test_the_bucket_sort_of_a_pass_orders_as_argsort(n_cells: int, size: int, seed: int) -> None:
    """Delivery orders a cut-off class by cell + uniform number with a bucket sort: the order of np.argsort."""
    from simulation.delivery import _sort_keys

    rng = np.random.default_rng(seed)
    key = rng.integers(0, n_cells, size) + rng.random(size)
    key[: size // 10] = np.nextafter(n_cells, 0)  # the largest key there can be
    key[size // 10: size // 5] = rng.integers(0, n_cells, size // 5 - size // 10)  # whole numbers: u = 0
    assert np.array_equal(_sort_keys(key, n_cells), np.argsort(key, kind="stable"))



@settings(max_examples=100, deadline=None)
@given(size=st.integers(0, 60), seed=st.integers(0, 2**32 - 1), sunk_share=st.floats(0.0, 1.0))
def test_the_rosters_compiled_day_is_its_numpy_day(size: int, seed: int, sunk_share: float) -> None:
    """The cadre roster's day (hours, end of day, health) in compiled loops gives the numbers of the NumPy lines
    (written out here), bit for bit."""
    import copy

    from agents.cadre import CadreRoster

    rng = np.random.default_rng(seed)
    c = copy.copy(scenarios.load("three_social").cadres)
    c.relief_recovery, c.sick_rate, c.leave_share = 0.05, 0.5, 0.3
    roster = CadreRoster(c)
    for _ in range(size):
        roster.add(sunk=bool(rng.random() < sunk_share))
    roster.fatigue[:] = rng.random(size)
    roster.off_until[:] = rng.integers(-1, 4, size)
    roster.gone[:] = rng.random(size) < 0.2
    roster.day = day = 2
    f, off, gone, sunk = roster.fatigue.copy(), roster.off_until.copy(), roster.gone.copy(), roster.sunk.copy()

    duty = (off < day) & ~gone
    assert np.array_equal(roster.hours_today(), np.where(duty, c.hours_per_day * (1.0 - c.fatigue_penalty * f), 0.0))
    load, offered = rng.random(size), rng.random(size) * 8
    roster.end_day(load, offered)
    load = np.where(duty, load, 0.0)
    f = np.minimum(1.0, np.maximum(0.0, f + c.fatigue_rate * load - c.fatigue_recovery))
    assert np.array_equal(roster.load, load) and np.array_equal(roster.hours_worked, load * offered)
    assert np.array_equal(roster.fatigue, f)

    u = rng.random(size) * 0.5
    got = roster.health(day, u)
    own = duty & ~sunk
    if own.sum() and c.relief_recovery > 0.0:
        f[own] = np.maximum(f[own] - c.relief_recovery * min(1.0, int((duty & sunk).sum()) / int(own.sum())), 0.0)
    f[(off == day) & ~gone] *= 0.5
    chance = c.sick_rate * f
    ill = duty & (u < chance)
    leave = ill & (u < chance * c.leave_share)
    off[ill] = day + c.sick_days
    assert got == (int(ill.sum()), int(leave.sum()))
    assert np.array_equal(roster.fatigue, f) and np.array_equal(roster.off_until, off)
    assert np.array_equal(roster.gone, gone | leave) and roster.day == day + 1
