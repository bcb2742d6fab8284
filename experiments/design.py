"""Experiment designs: which factor values each design point runs. Kept apart from how runs are evaluated.

`grid` is the full factorial of the factors' values; `lhs` a Latin hypercube over the ranges (scipy); `sobol` the
Saltelli/Sobol' sequence of SALib (N x (D + 2) points, first and total indices); `morris` SALib's Morris trajectories
(N x (D + 1) points). Sampled designs draw from a generator seeded by the experiment's root seed, so the design is
part of the experiment's identity, and keep the unrounded matrix for the analysis.

The points are derived on demand (`GridPoints`, `MatrixPoints`), never listed: a grid of millions of points is its
factors' value lists, a sampled design its matrix, so planning a big experiment costs what its definition costs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from experiments.spec import Factor


class Points(Sequence):
    """The design points, `{"scenario": index, "values": {factor: value}}` each, computed when asked for."""

    factors: list[str]

    def column(self, factor: str, points: np.ndarray) -> list:
        """The value of `factor` at each of `points` (a vector of point indices), as the runs table holds it."""
        return [self[int(p)]["values"][factor] for p in points]

    def __eq__(self, other) -> bool:
        if not isinstance(other, Sequence) or len(self) != len(other):
            return NotImplemented if not isinstance(other, Sequence) else False
        return all(a == b for a, b in zip(self, other))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self)} points of {self.factors})"


class ListPoints(Points):
    """Points given one by one (a comparison's scenarios, or a results folder written before points were derived)."""

    def __init__(self, points: list[dict], factors: list[str]) -> None:
        self._points = list(points)
        self.factors = list(factors)

    def __len__(self) -> int:
        return len(self._points)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return self._points[i]

    def to_list(self) -> list[dict]:
        return list(self._points)


class GridPoints(Points):
    """The full factorial of `levels` (one value list per factor), the first factor varying slowest."""

    def __init__(self, factors: list[str], levels: list[list], scenario: int = 0) -> None:
        self.factors = list(factors)
        self.levels = [list(v) for v in levels]
        self.scenario = scenario
        self._n = math.prod(len(v) for v in self.levels)

    def __len__(self) -> int:
        return self._n

    def _digits(self, i: int) -> list[int]:
        digits = [0] * len(self.levels)
        for j in range(len(self.levels) - 1, -1, -1):
            i, digits[j] = divmod(i, len(self.levels[j]))
        return digits

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError(f"design point {i} out of range (0..{self._n - 1})")
        digits = self._digits(i)
        return {"scenario": self.scenario,
                "values": {f: self.levels[j][d] for j, (f, d) in enumerate(zip(self.factors, digits))}}

    def column(self, factor: str, points: np.ndarray) -> list:
        j = self.factors.index(factor)
        stride = math.prod(len(v) for v in self.levels[j + 1:])
        digits = (np.asarray(points, dtype=np.int64) // stride) % len(self.levels[j])
        values = self.levels[j]
        return [values[d] for d in digits.tolist()]


class MatrixPoints(Points):
    """A sampled design: row i of the sampler's matrix, each value cast as its scenario field wants it."""

    def __init__(self, factors: list[str], kinds: list[str], matrix: np.ndarray, scenario: int = 0) -> None:
        self.factors = list(factors)
        self.kinds = list(kinds)
        self.matrix = np.ascontiguousarray(matrix, dtype=np.float64)
        self.scenario = scenario

    def __len__(self) -> int:
        return len(self.matrix)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        row = self.matrix[i]
        return {"scenario": self.scenario,
                "values": {f: cast(k, x) for f, k, x in zip(self.factors, self.kinds, row.tolist())}}

    def column(self, factor: str, points: np.ndarray) -> list:
        j = self.factors.index(factor)
        kind = self.kinds[j]
        return [cast(kind, x) for x in self.matrix[np.asarray(points, dtype=np.int64), j].tolist()]


def cast(kind: str, x: float):
    """A sampled number as a scenario field of `kind` wants it (ints rounded)."""
    return int(round(float(x))) if kind == "int" else float(x)


@dataclass
class Design:
    """The points of an experiment: `values[i]` maps each factor key to the value point i runs."""

    method: str
    factors: list[str]
    points: Points
    matrix: np.ndarray | None = None          # the sampler's unrounded matrix (lhs, sobol, morris)
    problem: dict | None = None               # SALib's problem (sobol, morris)
    levels: int | None = None                 # Morris grid levels

    @property
    def values(self) -> list[dict]:
        return [p["values"] for p in self.points]

    def __len__(self) -> int:
        return len(self.points)


def design_seed(root_seed: int) -> int:
    """The sampler's seed: from the root seed, on a stream of its own (runs use spawn keys, this uses entropy)."""
    return int(np.random.SeedSequence([int(root_seed), 0x5EED_DE51]).generate_state(1, dtype=np.uint32)[0])


def problem(factors: list[Factor]) -> dict:
    return {"num_vars": len(factors), "names": [f.key for f in factors],
            "bounds": [[f.low, f.high] for f in factors]}


def build(method: str, factors: list[Factor], samples: int | None, root_seed: int, levels: int = 4) -> Design:
    keys = [f.key for f in factors]
    if method == "grid":
        return Design("grid", keys, GridPoints(keys, [f.grid_values() for f in factors]))
    seed = design_seed(root_seed)
    prob = problem(factors)
    if method == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=len(factors), rng=np.random.default_rng(seed)).random(samples)
        lows = np.array([f.low for f in factors])
        highs = np.array([f.high for f in factors])
        matrix = qmc.scale(unit, lows, highs)
    elif method == "sobol":
        from SALib.sample import sobol

        matrix = sobol.sample(prob, samples, calc_second_order=False, scramble=True, seed=seed)
    elif method == "morris":
        from SALib.sample import morris

        matrix = morris.sample(prob, samples, num_levels=levels, seed=seed)
    else:
        raise ValueError(f"unknown design {method!r}")
    matrix = np.ascontiguousarray(matrix, dtype=np.float64)
    return Design(method, keys, MatrixPoints(keys, [f.kind for f in factors], matrix), matrix=matrix, problem=prob,
                  levels=levels if method == "morris" else None)
