"""Comparison statistics: means with t-intervals, and paired differences on common seeds.

Replication r of every scenario in a comparison runs on the same seed, so a scenario's difference from the
reference is estimated from the per-seed differences (a paired t-interval). Its width is shown beside the width an
unpaired (Welch) interval would have from the same runs, which is what independent seeds would give at best.
Non-finite values (an equity ratio with nobody unmet among the non-vulnerable) are left out and counted in `n`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.special import stdtrit

from simulation.keys import SUMMARY_KEYS

LEVEL = 0.95


def t_interval(values, level: float = LEVEL) -> tuple[int, float, float, float, float]:
    """(n, mean, sd, low, high) of the finite values; the interval is NaN with fewer than two values."""
    x = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce").astype("float64"), dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return 0, math.nan, math.nan, math.nan, math.nan
    mean = float(x.mean())
    if n < 2:
        return 1, mean, math.nan, math.nan, math.nan
    sd = float(x.std(ddof=1))
    half = float(stdtrit(n - 1, 0.5 + level / 2)) * sd / math.sqrt(n)
    return n, mean, sd, mean - half, mean + half


def _welch_half_width(a: np.ndarray, b: np.ndarray, level: float) -> float:
    if len(a) < 2 or len(b) < 2:
        return math.nan
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    if se == 0:
        return 0.0
    df = (va + vb) ** 2 / ((va**2 / (len(a) - 1) if va else 0) + (vb**2 / (len(b) - 1) if vb else 0))
    return float(stdtrit(df, 0.5 + level / 2)) * se


def _ok(runs: pd.DataFrame) -> pd.DataFrame:
    return runs[runs["status"] == "ok"] if "status" in runs.columns else runs


def _keys(runs: pd.DataFrame, keys) -> list[str]:
    if keys is not None:
        return list(keys)
    return [k for k in SUMMARY_KEYS if k in runs.columns]


def _order(runs: pd.DataFrame) -> list[str]:
    if "point" in runs.columns:
        return list(runs.sort_values("point", kind="stable")["scenario"].drop_duplicates())
    return list(runs["scenario"].drop_duplicates())


def scenario_means(runs: pd.DataFrame, keys=None, level: float = LEVEL) -> pd.DataFrame:
    """One row per (scenario, summary key): n, mean, sd and the t-interval of the mean."""
    runs = _ok(runs)
    rows = []
    for scenario in _order(runs):
        group = runs[runs["scenario"] == scenario]
        for key in _keys(runs, keys):
            n, mean, sd, low, high = t_interval(group[key], level)
            rows.append({"scenario": scenario, "key": key, "n": n, "mean": mean, "sd": sd, "ci_low": low,
                         "ci_high": high})
    return pd.DataFrame(rows, columns=["scenario", "key", "n", "mean", "sd", "ci_low", "ci_high"])


def paired_differences(runs: pd.DataFrame, keys=None, reference: str | None = None,
                       level: float = LEVEL) -> pd.DataFrame:
    """One row per (other scenario, summary key): the mean of (scenario - reference) over the seeds both ran,
    its paired t-interval, the half-widths of the paired and of an unpaired (Welch) interval, and the share of the
    pairs whose difference has the sign of the mean (`sign_share`)."""
    runs = _ok(runs)
    order = _order(runs)
    columns = ["scenario", "reference", "key", "n_pairs", "mean_diff", "sd_diff", "ci_low", "ci_high",
               "paired_half_width", "unpaired_half_width", "relative_diff", "sign_share"]
    if not order:
        return pd.DataFrame(columns=columns)
    reference = reference or order[0]
    ref = runs[runs["scenario"] == reference].set_index("seed")
    rows = []
    for scenario in order:
        if scenario == reference:
            continue
        other = runs[runs["scenario"] == scenario].set_index("seed")
        common = ref.index.intersection(other.index)
        for key in _keys(runs, keys):
            a = pd.to_numeric(other.loc[common, key], errors="coerce").astype("float64")
            b = pd.to_numeric(ref.loc[common, key], errors="coerce").astype("float64")
            both = np.isfinite(a.to_numpy()) & np.isfinite(b.to_numpy())
            d = (a - b).to_numpy()[both]
            n, mean, sd, low, high = t_interval(d, level)
            ref_mean = float(b.to_numpy()[both].mean()) if both.any() else math.nan
            rows.append({
                "scenario": scenario, "reference": reference, "key": key, "n_pairs": n, "mean_diff": mean,
                "sd_diff": sd, "ci_low": low, "ci_high": high,
                "paired_half_width": (high - low) / 2 if n >= 2 else math.nan,
                "unpaired_half_width": _welch_half_width(a.to_numpy()[both], b.to_numpy()[both], level),
                "relative_diff": mean / ref_mean if ref_mean not in (0.0,) and math.isfinite(ref_mean) else math.nan,
                "sign_share": sign_share(d),
            })
    return pd.DataFrame(rows, columns=columns)


def sign_share(d: np.ndarray) -> float:
    """The share of paired differences with the sign of their mean (NaN for a mean of 0 or no pairs). With
    `--posterior` each replication runs its own parameter set drawn from the posterior, so this is the share of
    plausible parameter sets in which the difference goes the way the mean says."""
    d = np.asarray(d, dtype=float)
    if not len(d):
        return math.nan
    mean = float(d.mean())
    if mean == 0:
        return math.nan
    return float(np.mean(np.sign(d) == np.sign(mean)))


def point_means(runs: pd.DataFrame, factors: list[str], keys=None, level: float = LEVEL) -> pd.DataFrame:
    """One row per (design point, summary key): factor values, n, mean and t-interval over replications."""
    runs = _ok(runs)
    rows = []
    for point, group in runs.groupby("point", sort=True):
        first = group.iloc[0]
        for key in _keys(runs, keys):
            n, mean, sd, low, high = t_interval(group[key], level)
            rows.append({"point": int(point), **{f: first[f] for f in factors}, "key": key, "n": n, "mean": mean,
                         "sd": sd, "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows, columns=["point", *factors, "key", "n", "mean", "sd", "ci_low", "ci_high"])
