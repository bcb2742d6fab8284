"""Calibration targets: the sourced figures that `wuhan_2020` at the default size must reproduce.

Each `Target` names a figure from the sources (docs/sources.md), its confidence grade (H official figure, M one
report or one community's example, L anecdote or assumption), the band the model's ten-seed mean must fall in, why
that band and not another, and how to read the figure off a run's daily series. `tests/test_targets.py` checks
every target over ten seeds; this module also writes the table users read:

    python -m experiments.targets --write docs/targets.md

A target is measured on each seed's run and judged on the mean over seeds (a figure of one community in one week
is itself one draw: no single seed has to hit it), and every seed's value is shown.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

SCENARIO = "wuhan_2020"
SEEDS = tuple(range(10))


@dataclass(frozen=True)
class Target:
    """One sourced figure the model must reproduce, and how to read it off a run."""

    key: str
    what: str
    source_value: str  # the figure as the source gives it
    source: str  # where it comes from (a section of docs/sources.md)
    confidence: str  # H, M or L
    low: float
    high: float
    tolerance: str  # why the band is what it is
    measure: Callable[[pd.DataFrame, int], float]  # (daily series, households) -> the model's figure
    unit: str = ""

    def holds(self, value: float) -> bool:
        return self.low <= value <= self.high


TARGETS: list[Target] = []


def target(**fields) -> Target:
    """Register a target (used at import time by this module's table below)."""
    t = Target(**fields)
    if any(t.key == other.key for other in TARGETS):
        raise ValueError(f"duplicate target {t.key!r}")
    TARGETS.append(t)
    return t


# --- the targets --------------------------------------------------------------------------------------------------
# Each reads one figure off the daily series; keep them small so the table says plainly what is measured.

target(
    key="peak_unmet_day",
    what="day the unmet backlog peaks",
    source_value="unmet needs peak around 14-20 Feb (days 22-28), before group buying and volunteers work at scale",
    source="sources: stylized fact 1; timeline",
    confidence="M",
    low=22, high=35,
    tolerance="the closure weeks (days 22-35): the stylized fact is a period, not a day, "
              "and the compounds of one city did not all turn on the same day",
    measure=lambda daily, n: float(daily["unmet_total"].to_numpy().argmax()),
)

# The citywide volunteer drive (23-26 Feb, days 31-34): about 19,000 approved of over 50,000 sign-ups by 26 Feb, for
# 1,406 urban communities of 4.08 M households in all, so a community of the mean size has about 2,900 households.
DRIVE_DAY = 34
MEAN_COMMUNITY = 4_080_000 / 1_406  # households


def _on_day(daily: pd.DataFrame, column: str, day: int) -> float:
    return float(daily.loc[daily["day"] == day, column].iloc[0])


target(
    key="approved_by_day_34",
    what="volunteers approved per community by day 34 (26 Feb)",
    source_value="about 19,000 approved of over 50,000 sign-ups by 26 Feb, for 1,406 urban communities: about 14 "
                 "per community",
    source="sources: volunteers; timeline",
    confidence="H",
    low=10, high=18,
    tolerance="about 30% either way: the count is citywide and rounded ('about 19,000'), communities differ in size "
              "more than fourfold, and a day's approvals during the drive are a fifth to a third of those by day 34, "
              "so a count dated a day earlier or later moves the figure by that much; the model's count is scaled "
              "to a community of the city's mean size (about 2,900 households)",
    measure=lambda daily, n: _on_day(daily, "volunteers_approved_total", DRIVE_DAY) * MEAN_COMMUNITY / n,
)

target(
    key="signups_per_approval",
    what="sign-ups per approved volunteer by day 34",
    source_value="over 50,000 sign-ups, about 19,000 approved: about 2.5",
    source="sources: volunteers",
    confidence="L",
    low=2.0, high=3.2,
    tolerance="about 25% around the source's 2.6: 'over 50,000' is a lower bound and 'about 19,000' rounded, and "
              "the ratio is inferred from two counts of the same days (L)",
    measure=lambda daily, n: (_on_day(daily, "applicants_total", DRIVE_DAY)
                              / _on_day(daily, "volunteers_approved_total", DRIVE_DAY)
                              if _on_day(daily, "volunteers_approved_total", DRIVE_DAY) > 0 else float("inf")),
)


def _run(seed: int, households: int | None = None) -> tuple[pd.DataFrame, int]:
    from simulation import run

    overrides = {} if households is None else {"households": households}
    result = run(SCENARIO, seed=seed, **overrides)
    return result.daily, result.scenario.households


def measure(seeds: tuple[int, ...] = SEEDS, workers: int | None = None) -> pd.DataFrame:
    """Every target's value in every seed: one row per seed, one column per target key."""
    workers = workers or os.cpu_count() or 1
    if workers > 1 and len(seeds) > 1:
        with cf.ProcessPoolExecutor(workers) as pool:
            runs = list(pool.map(_run, seeds))
    else:
        runs = [_run(s) for s in seeds]
    rows = [{t.key: float(t.measure(daily, n)) for t in TARGETS} for daily, n in runs]
    return pd.DataFrame(rows, index=pd.Index(seeds, name="seed"))


def table(values: pd.DataFrame) -> str:
    """The Markdown page: each target, the source's figure, the model's ten-seed mean and range, and the verdict."""
    from simulation.provenance import code_version

    lines = [
        "# Calibration targets",
        "",
        f"*Generated by `python -m experiments.targets --write docs/targets.md` at code {code_version()}; "
        "rerun it after changing the model.*",
        "",
        f"Each figure below comes from the sources (`docs/sources.md`, confidence H official, M one report, L "
        f"anecdote or assumption). The model's figure is measured in `{SCENARIO}` at the default community over "
        f"seeds {seeds_text(values.index)}; a target holds when the mean over seeds lies in its band. "
        "`tests/test_targets.py` checks the same bands.",
        "",
        "| target | source's figure | conf. | band | model: mean (min–max) | holds |",
        "|---|---|---|---|---|---|",
    ]
    for t in TARGETS:
        col = values[t.key]
        mean = float(col.mean())
        lines.append(f"| {t.what} (`{t.key}`) | {t.source_value} ({t.source}) | {t.confidence} | "
                     f"{_fmt(t.low)}–{_fmt(t.high)}{t.unit} | {_fmt(mean)} ({_fmt(col.min())}–{_fmt(col.max())}) | "
                     f"{'yes' if t.holds(mean) else '**no**'} |")
    lines += ["", "Why each band is what it is:", ""]
    lines += [f"- `{t.key}`: {t.tolerance}" for t in TARGETS]
    return "\n".join(lines) + "\n"


def seeds_text(seeds) -> str:
    seeds = list(seeds)
    return f"{seeds[0]}–{seeds[-1]}" if seeds == list(range(seeds[0], seeds[-1] + 1)) else ", ".join(map(str, seeds))


def _fmt(x: float) -> str:
    x = float(x)
    if not np.isfinite(x):
        return str(x)
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:.2f}".rstrip("0").rstrip(".")
    return f"{x:.3g}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m experiments.targets", description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="write the Markdown table here (else print it)")
    parser.add_argument("--seeds", type=int, default=len(SEEDS), help="seeds 0..N-1 (default 10)")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)
    text = table(measure(tuple(range(args.seeds)), args.workers))
    if args.write:
        args.write.write_text(text, encoding="utf-8")
        print(f"wrote {args.write}")
    else:
        print(text, end="")


if __name__ == "__main__":
    main()
