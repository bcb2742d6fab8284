"""Sensitivity analysis: Sobol first and total indices with intervals, and the Morris screen (SALib), as a table and
a figure, from the command line and from Python."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import experiments

SPEC = """
name = "levers"
base = "no_linkage"
design = "sobol"
samples = 8
replications = 1
root_seed = 3
[overrides]
households = 300
days = 20
[factors]
mass_base = { low = 0.0, high = 1.0 }
"reporting.call_prob" = { low = 0.05, high = 0.6 }
"""


@pytest.fixture
def spec(tmp_path) -> Path:
    path = tmp_path / "levers.toml"
    path.write_text(SPEC, encoding="utf-8")
    return path


def test_sobol_indices_with_intervals_for_every_varying_outcome(spec, tmp_path):
    res = experiments.sensitivity(spec, out=tmp_path / "sobol", serial=True)
    assert len(res.runs) == 8 * (2 + 2)
    table = res.tables["sobol"]
    assert list(table.columns) == ["key", "factor", "S1", "S1_conf", "ST", "ST_conf"]
    row = table[table["key"] == "unmet_need_days"].set_index("factor")
    assert list(row.index) == ["mass_base", "reporting.call_prob"]
    assert np.isfinite(row[["S1", "S1_conf", "ST", "ST_conf"]].to_numpy()).all()
    assert (row["ST_conf"] >= 0).all()
    assert res.skipped.get("volunteers_active_peak") == "does not vary across the design"
    assert set(table["key"]) | set(res.skipped) == set(experiments.scenario_means(res.runs)["key"])
    for name in ("sobol.csv", "sensitivity.png", "sensitivity.svg", "points.csv", "runs.parquet"):
        assert (tmp_path / "sobol" / name).stat().st_size > 0
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "sobol" / "sobol.csv"), table, check_dtype=False)


def test_morris_screen(spec, tmp_path):
    from rich.console import Console

    from experiments.reports import render

    # the file's design is sobol; method="morris" screens instead (`liandong sensitivity --method morris`)
    res = experiments.sensitivity(spec, method="morris", out=tmp_path / "morris", serial=True, figures=False)
    table = pd.read_csv(tmp_path / "morris" / "morris.csv")
    assert list(table.columns) == ["key", "factor", "mu", "mu_star", "mu_star_conf", "sigma"]
    assert len(res.runs) == 8 * (2 + 1)
    row = table[table["key"] == "unmet_need_days"]
    assert len(row) == 2 and all(math.isfinite(v) for v in row["mu_star"])
    console = Console(file=io.StringIO(), width=200, color_system=None)
    render(res, console)
    printed = console.file.getvalue()
    assert "mu_star" in printed and "mass_base" in printed and "reporting.call_prob" in printed
