"""The residential compounds (小区) a community is made of, and their property-management staff.

A compound type changes who lives there (more or fewer elderly people, alone, online, low-income), how densely they
are tied, how many gates there are to guard, whether property staff are on site and how soon building leaders step
forward. The buildings are shared out among the types of the scenario's `compounds.mix`, in runs of neighbouring
buildings (so a grid cell mostly lies inside one compound), in proportion to the shares. With no mix the community
is one compound of no declared type and nothing here changes a run.

Property staff guard their compound's gates first (task `gates`), then carry the food and protective supplies its
households asked for (tasks `food`, `supplies`), from the ledger kind `property_staff`, before any linkage
mechanism serves the queue: they are on site, and serve their own compound only.

Sources: stylized fact 7 (old open compounds without property management were more vulnerable) and 6 (prior
organisation raised mobilisation; isolated new suburbs lacked anyone in charge); Wuhan had 7,102 compounds in 1,406
urban communities and 1,943 villages (H/M). Every multiplier is an assumption with its range
(docs/scenario-reference.md, section `compounds`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from scenarios import Scenario
from scenarios.schema import COMPOUND_TYPES, MULTIPLIERS
from simulation.households import FOOD, SUPPLIES

NONE = -1  # the compound index of a household in a community with no declared types


@dataclass
class Compounds:
    """Which compound type each building and household belongs to (an index into COMPOUND_TYPES, NONE without a
    mix), and each type's settings."""

    of_building: np.ndarray
    of_household: np.ndarray
    declared: bool

    def households(self) -> dict[str, int]:
        """Households of each compound type (0 for a type the community does not have)."""
        counts = np.bincount(self.of_household[self.of_household >= 0], minlength=len(COMPOUND_TYPES))
        return {name: int(counts[i]) for i, name in enumerate(COMPOUND_TYPES)}

    def per_household(self, scenario: Scenario, field: str) -> np.ndarray:
        """The compound type's `field` for every household (a multiplier over its mean on the reference mix)."""
        return self._of(scenario, field, self.of_household)

    def per_building(self, scenario: Scenario, field: str) -> np.ndarray:
        return self._of(scenario, field, self.of_building)

    def _of(self, scenario: Scenario, field: str, index: np.ndarray) -> np.ndarray:
        if not self.declared:  # one compound of no type: multipliers 1, no staff, no delay
            return np.full(len(index), 1.0 if field in MULTIPLIERS else 0.0)
        return type_values(scenario, field)[index]


def type_values(scenario: Scenario, field: str) -> np.ndarray:
    """Each type's `field`, in COMPOUND_TYPES order; a multiplier divided by its mean over `reference_mix`, so that
    a community of that mix keeps, on average, its scenario's own figures."""
    compounds = scenario.compounds
    return np.array([getattr(compounds.factors(t), field) for t in COMPOUND_TYPES], dtype=float) \
        / compounds.scale(field)


def lay_out(scenario: Scenario) -> Compounds:
    """Share the buildings out among the mix's types, in the order of COMPOUND_TYPES, by largest remainder (every
    type with a share gets at least one building when there are enough)."""
    n, size = scenario.households, scenario.network.building_size
    building = np.arange(n) // size
    n_buildings = int(building[-1]) + 1
    mix = scenario.compounds.mix
    if not mix:
        return Compounds(np.full(n_buildings, NONE, np.int64), np.full(n, NONE, np.int64), False)
    shares = np.array([mix.get(t, 0.0) for t in COMPOUND_TYPES])
    exact = shares * n_buildings
    counts = np.floor(exact).astype(np.int64)
    for i in np.argsort(-(exact - counts), kind="stable")[: n_buildings - int(counts.sum())]:
        counts[i] += 1
    for i in np.flatnonzero((shares > 0) & (counts == 0)):  # a type asked for keeps one building if it can
        donor = int(np.argmax(counts))
        if counts[donor] > 1:
            counts[donor] -= 1
            counts[i] += 1
    of_building = np.repeat(np.arange(len(COMPOUND_TYPES)), counts)
    return Compounds(of_building, of_building[building], True)


def gate_weights(scenario: Scenario, compounds: Compounds, grid: np.ndarray, n_grids: int) -> tuple[np.ndarray,
                                                                                                   np.ndarray]:
    """Per grid cell, the households weighted by their compound's gates (what the phase's gate hours per 1,000
    households are charged on), and the part of it in compounds with property staff."""
    gates = compounds.per_household(scenario, "gates")
    staffed = compounds.per_household(scenario, "property_staff_per_1000") > 0
    return (np.bincount(grid, weights=gates, minlength=n_grids),
            np.bincount(grid, weights=np.where(staffed, gates, 0.0), minlength=n_grids))


def staff_hours(scenario: Scenario, compounds: Compounds, grid: np.ndarray, n_grids: int) -> np.ndarray:
    """The property staff's hours a day, per grid cell: staff per 1,000 households x hours, over the households."""
    per_household = (compounds.per_household(scenario, "property_staff_per_1000") / 1000.0
                     * compounds.per_household(scenario, "property_staff_hours"))
    return np.bincount(grid, weights=per_household, minlength=n_grids)


def staffed_entries(rows: np.ndarray, cats: np.ndarray, staffed: np.ndarray) -> np.ndarray:
    """Mask of the queue entries property staff may take: food and supplies of households in staffed compounds,
    staffed[rows] & ((cats == FOOD) | (cats == SUPPLIES)), in one compiled pass."""
    return _staffed_entries(rows, cats, staffed)


@njit(cache=True)
def _staffed_entries(rows, cats, staffed):
    out = np.empty(len(rows), np.bool_)
    for i in range(len(rows)):
        out[i] = staffed[rows[i]] and (cats[i] == FOOD or cats[i] == SUPPLIES)
    return out
