"""Comparisons: common random numbers (two scenarios that differ from day k share every daily value before k),
paired differences narrower than unpaired ones, intervals that are t-intervals, figures with phase changes and
mechanism starts marked, the command line's table, and `report` redrawing everything without running."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

import experiments
import scenarios
from experiments import figures
from experiments.stats import paired_differences, scenario_means, t_interval
from simulation import SUMMARY_KEYS

LIANDONG = Path(sys.executable).with_name("liandong")


K = 10  # the variant differs from the base from this day on


def early_closure(tmp_path: Path) -> Path:
    """no_linkage with a full closure from day K (an extra phase): identical to it before day K."""
    data = scenarios.load("no_linkage").model_dump(mode="json")
    closure = next(p for p in data["phases"] if p["name"] == "full_closure")
    extra = {**closure, "name": "early_closure", "start": K}
    data["phases"] = [data["phases"][0], extra, *data["phases"][1:]]
    data["name"] = "early_closure"
    path = tmp_path / "early_closure.toml"
    scenarios.save(scenarios.load(data), path)
    return path


@pytest.fixture
def variant(tmp_path) -> Path:
    return early_closure(tmp_path)


def test_common_random_numbers_identical_before_day_k_and_paired_intervals_narrower(variant, tmp_path):
    res = experiments.compare(["no_linkage", variant], reps=6, overrides={"households": 300, "days": 30},
                              out=tmp_path / "cmp", serial=True, figures=False)
    runs = res.runs
    assert (runs["status"] == "ok").all() and len(runs) == 12
    a, b = runs[runs["scenario"] == "no_linkage"], runs[runs["scenario"] == "early_closure"]
    assert a["seed"].tolist() == b["seed"].tolist() and a["seed"].nunique() == 6
    daily = experiments.load_daily(tmp_path / "cmp")
    differs_after = 0
    for (_, ra), (_, rb) in zip(a.iterrows(), b.iterrows()):
        assert (daily.loc[daily["run"] == ra["run"], "scenario"] == "no_linkage").all()
        da = daily[daily["run"] == ra["run"]].drop(columns=["run", "scenario"]).set_index("day")
        db = daily[daily["run"] == rb["run"]].drop(columns=["run", "scenario"]).set_index("day")
        pd.testing.assert_frame_equal(da.loc[: K - 1], db.loc[: K - 1])
        assert (da.loc[K:, "phase"] != db.loc[K:, "phase"]).any()
        differs_after += not da.loc[K:].drop(columns="phase").equals(db.loc[K:].drop(columns="phase"))
    assert differs_after == 6

    diffs = res.tables["differences"].set_index("key")
    row = diffs.loc["unmet_need_days"]
    assert row["n_pairs"] == 6
    assert row["paired_half_width"] < row["unpaired_half_width"]
    d = b["unmet_need_days"].to_numpy(float) - a["unmet_need_days"].to_numpy(float)
    assert math.isclose(row["mean_diff"], d.mean())
    low, high = sps.t.interval(0.95, len(d) - 1, loc=d.mean(), scale=sps.sem(d))
    assert math.isclose(row["ci_low"], low) and math.isclose(row["ci_high"], high)


def test_t_interval_matches_scipy_and_drops_non_finite_values():
    x = [3.0, 5.0, 4.0, 8.0, math.inf, math.nan]
    n, mean, sd, low, high = t_interval(x)
    finite = np.array([3.0, 5.0, 4.0, 8.0])
    assert n == 4 and mean == finite.mean() and math.isclose(sd, finite.std(ddof=1))
    expected = sps.t.interval(0.95, 3, loc=finite.mean(), scale=sps.sem(finite))
    assert math.isclose(low, expected[0]) and math.isclose(high, expected[1])
    assert t_interval([2.0])[3] != t_interval([2.0])[3]  # one value: no interval (NaN)


def test_paired_differences_pair_by_seed_and_skip_failed_runs():
    runs = pd.DataFrame({
        "run": range(6), "point": [0, 0, 0, 1, 1, 1], "rep": [0, 1, 2] * 2, "seed": [7, 8, 9] * 2,
        "scenario": ["A"] * 3 + ["B"] * 3, "status": ["ok"] * 5 + ["failed"],
        "unmet_need_days": [10, 20, 30, 12, 23, None],
    })
    diffs = paired_differences(runs, keys=["unmet_need_days"]).iloc[0]
    assert diffs["scenario"] == "B" and diffs["reference"] == "A" and diffs["n_pairs"] == 2
    assert diffs["mean_diff"] == 2.5
    means = scenario_means(runs, keys=["unmet_need_days"]).set_index("scenario")
    assert means.loc["A", "mean"] == 20 and means.loc["B", "n"] == 2


def test_markers_phase_changes_and_mechanism_starts_are_generic(variant):
    base = scenarios.load("no_linkage").model_dump(mode="json")
    other = scenarios.load(variant).model_dump(mode="json")
    marks = figures.markers([base, other], ["no_linkage", "early_closure"])
    early = [m for m in marks if m["text"] == "phase: early_closure"]
    assert early == [{"day": K, "text": "phase: early_closure", "kind": "phase", "scenarios": ["early_closure"],
                      "all": False}]
    common = {m["text"]: m for m in marks if m["all"]}
    assert common["phase: closed_compound"]["day"] == 18

    # any section's *start_day / *arrival_day, when its mechanism is on (enabled, or set away from its defaults)
    defaults = {"days": 60, "phases": [], "foo": {"enabled": False, "start_day": 5},
                "bar": {"enabled": False, "start_day": 7}, "baz": {"count": 0, "helpers_arrival_day": 9},
                "qux": {"count": 0, "start_day": 3}, "late": {"enabled": False, "start_day": 70}}
    scenario = {**defaults, "foo": {"enabled": True, "start_day": 5}, "baz": {"count": 4, "helpers_arrival_day": 9},
                "late": {"enabled": True, "start_day": 70}}
    assert figures.mechanism_starts(scenario, defaults) == [(5, "foo.start_day"), (9, "baz.helpers_arrival_day")]
    assert figures.mechanism_starts(defaults, defaults) == []
    assert figures.mechanism_starts(scenarios.load("no_linkage").model_dump(mode="json")) == []


@pytest.mark.skipif(not LIANDONG.exists(), reason="console script not installed")
def test_compare_command_prints_means_and_paired_differences_writes_tables_and_figures_and_report_redraws(
        variant, tmp_path, liandong):
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "250"}
    out = tmp_path / "cmp"
    args = ["compare", "no_linkage", str(variant), "--reps", "3", "--households", "300", "--days", "20", "--serial",
            "--out", str(out)]
    proc = subprocess.run([str(LIANDONG), *args], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    for key in SUMMARY_KEYS:
        assert key in proc.stdout, key
    assert "Δ early_closure − no_linkage" in proc.stdout and "95%" in proc.stdout
    for name in ("runs.parquet", "runs.csv", "means.csv", "differences.csv", "backlog.png", "backlog.svg",
                 "differences.png", "differences.svg", "manifest.json"):
        assert (out / name).stat().st_size > 0, name
    means = pd.read_csv(out / "means.csv")
    assert set(means["scenario"]) == {"no_linkage", "early_closure"} and set(means["key"]) == set(SUMMARY_KEYS)
    assert {"mean", "ci_low", "ci_high", "n"} <= set(means.columns)
    diffs = pd.read_csv(out / "differences.csv")
    assert set(diffs["key"]) == set(SUMMARY_KEYS) and (diffs["reference"] == "no_linkage").all()
    svg = (out / "backlog.svg").read_text()
    assert "phase: early_closure" in svg and "phase: closed_compound" in svg and "n=3" in svg
    assert (out / "backlog.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    before = {p.name: p.stat().st_mtime_ns for p in (out / "parts").iterdir()}
    for name in ("means.csv", "differences.csv", "backlog.png", "backlog.svg", "differences.svg"):
        (out / name).unlink()
    code, stdout, stderr = liandong("report", out)  # the entry point, in this process
    assert code == 0, stderr
    assert stdout == proc.stdout
    for name in ("means.csv", "differences.csv", "backlog.png", "backlog.svg", "differences.svg"):
        assert (out / name).exists(), name
    pd.testing.assert_frame_equal(pd.read_csv(out / "means.csv"), means)
    assert {p.name: p.stat().st_mtime_ns for p in (out / "parts").iterdir()} == before  # nothing ran

    code, _, stderr = liandong("report", tmp_path / "nothing")
    assert code == 2 and "no such results folder" in stderr
