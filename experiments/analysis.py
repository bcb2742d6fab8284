"""Sensitivity indices with SALib from a finished Sobol or Morris design: which levers matter, for each outcome.

Each design point's outcome is the mean over its replications (so replications average out the model's own
noise before the indices are computed). Outcomes that do not vary, or that some point lacks (a failed point, a
non-finite value), get no indices and are listed in `skipped`.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from experiments.errors import ExperimentError
from experiments.stats import _keys, _ok

SOBOL_COLUMNS = ["key", "factor", "S1", "S1_conf", "ST", "ST_conf"]
MORRIS_COLUMNS = ["key", "factor", "mu", "mu_star", "mu_star_conf", "sigma"]


def point_outcomes(runs: pd.DataFrame, n_points: int, keys=None) -> pd.DataFrame:
    """Mean over replications of each summary key, one row per design point 0..n_points-1 (NaN where missing)."""
    ok = _ok(runs)
    keys = _keys(runs, keys)
    means = ok.groupby("point")[keys].agg(lambda s: _finite_mean(s))
    return means.reindex(range(n_points))


def _finite_mean(s: pd.Series) -> float:
    x = pd.to_numeric(s, errors="coerce").astype("float64").to_numpy()
    x = x[np.isfinite(x)]
    return float(x.mean()) if len(x) == len(s) and len(x) else math.nan


def indices(runs: pd.DataFrame, plan, keys=None, level: float = 0.95) -> tuple[pd.DataFrame, dict[str, str]]:
    """The plan's method's indices for every summary key; returns (table, {skipped key: reason})."""
    if plan.method not in ("sobol", "morris") or not plan.problem:
        raise ExperimentError(f"sensitivity indices need a sobol or morris design, not '{plan.method}'.")
    outcomes = point_outcomes(runs, len(plan.points), keys)
    rows, skipped = [], {}
    seed = int(plan.root_seed) % (2**32)
    for key in outcomes.columns:
        y = outcomes[key].to_numpy(dtype=float)
        if not np.isfinite(y).all():
            missing = int((~np.isfinite(y)).sum())
            skipped[key] = f"{missing} design point(s) without a finite value (failed or undefined)"
            continue
        if np.ptp(y) == 0:
            skipped[key] = "does not vary across the design"
            continue
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            if plan.method == "sobol":
                from SALib.analyze import sobol

                res = sobol.analyze(plan.problem, y, calc_second_order=False, conf_level=level, seed=seed)
                for i, name in enumerate(plan.problem["names"]):
                    rows.append({"key": key, "factor": name, "S1": res["S1"][i], "S1_conf": res["S1_conf"][i],
                                 "ST": res["ST"][i], "ST_conf": res["ST_conf"][i]})
            else:
                from SALib.analyze import morris

                x = np.asarray(plan.matrix, dtype=float)
                res = morris.analyze(plan.problem, x, y, conf_level=level, num_levels=plan.levels or 4, seed=seed)
                for i, name in enumerate(plan.problem["names"]):
                    rows.append({"key": key, "factor": name, "mu": res["mu"][i], "mu_star": res["mu_star"][i],
                                 "mu_star_conf": res["mu_star_conf"][i], "sigma": res["sigma"][i]})
    columns = SOBOL_COLUMNS if plan.method == "sobol" else MORRIS_COLUMNS
    table = pd.DataFrame(rows, columns=columns)
    for c in columns[2:]:
        table[c] = table[c].astype("float64")
    return table, skipped


# Below these sample sizes the indices are rough, whatever their intervals say: Sobol estimates from N base samples
# converge slowly (N of several hundred to a few thousand is usual for indices to quote), and Morris screens with
# fewer than about 10 trajectories rank factors unreliably.
MIN_SOBOL_SAMPLES = 512
MIN_MORRIS_TRAJECTORIES = 10


def index_warnings(table: pd.DataFrame, plan) -> list[str]:
    """Why the indices of `table` (from `indices`) should not be quoted as they are: a small sample, or (Sobol)
    indices outside [0, 1] beyond their intervals, which only estimation error produces. Empty when neither."""
    out = []
    d = len(plan.problem["names"]) if plan.problem else len(plan.factors)
    if plan.method == "sobol":
        n = len(plan.points) // (d + 2)
        if n < MIN_SOBOL_SAMPLES:
            out.append(f"Sobol indices from N = {n} base samples ({len(plan.points)} design points) are rough; "
                       f"use N >= {MIN_SOBOL_SAMPLES} for indices to quote.")
        bad = []
        for _, r in table.iterrows():
            for name in ("S1", "ST"):
                value, conf = r[name], abs(r[f"{name}_conf"]) if np.isfinite(r[f"{name}_conf"]) else 0.0
                if np.isfinite(value) and (value - conf > 1 or value + conf < 0):
                    bad.append(f"{name} of {r['factor']} for {r['key']} = {value:.2f} ± {conf:.2f}")
        if bad:
            more = f" and {len(bad) - 3} more" if len(bad) > 3 else ""
            out.append(f"{len(bad)} index estimate(s) outside [0, 1] beyond their intervals ({'; '.join(bad[:3])}"
                       f"{more}): the sample is too small for them.")
    elif plan.method == "morris":
        r = len(plan.points) // (d + 1)
        if r < MIN_MORRIS_TRAJECTORIES:
            out.append(f"a Morris screen of {r} trajectories ranks factors unreliably; use at least "
                       f"{MIN_MORRIS_TRAJECTORIES}.")
    return out
