"""Experiment designs: which factor values each design point runs. Kept apart from how runs are evaluated.

`grid` is the full factorial of the factors' values; `lhs` a Latin hypercube over the ranges (scipy); `sobol` the
Saltelli/Sobol' sequence of SALib (N x (D + 2) points, first and total indices); `morris` SALib's Morris trajectories
(N x (D + 1) points). Sampled designs draw from a generator seeded by the experiment's root seed, so the design is
part of the experiment's identity, and keep the unrounded matrix for the analysis.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from experiments.spec import Factor


@dataclass
class Design:
    """The points of an experiment: `values[i]` maps each factor key to the value point i runs."""

    method: str
    factors: list[str]
    values: list[dict]
    matrix: list[list[float]] | None = None   # the sampler's unrounded matrix (lhs, sobol, morris)
    problem: dict | None = None               # SALib's problem (sobol, morris)
    levels: int | None = None                 # Morris grid levels

    def __len__(self) -> int:
        return len(self.values)


def design_seed(root_seed: int) -> int:
    """The sampler's seed: from the root seed, on a stream of its own (runs use spawn keys, this uses entropy)."""
    return int(np.random.SeedSequence([int(root_seed), 0x5EED_DE51]).generate_state(1, dtype=np.uint32)[0])


def problem(factors: list[Factor]) -> dict:
    return {"num_vars": len(factors), "names": [f.key for f in factors],
            "bounds": [[f.low, f.high] for f in factors]}


def build(method: str, factors: list[Factor], samples: int | None, root_seed: int, levels: int = 4) -> Design:
    keys = [f.key for f in factors]
    if method == "grid":
        combos = itertools.product(*(f.grid_values() for f in factors))
        return Design("grid", keys, [dict(zip(keys, combo)) for combo in combos])
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
    values = [{f.key: f.cast(x) for f, x in zip(factors, row)} for row in matrix]
    return Design(method, keys, values, matrix=[[float(x) for x in row] for row in matrix], problem=prob,
                  levels=levels if method == "morris" else None)
