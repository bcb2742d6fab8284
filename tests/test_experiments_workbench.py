"""The EMA workbench recipe of docs/experiments.md: `experiments.model_function` adapts the model to the
workbench's interface (a function of named parameters returning named outcomes). The workbench is not a
dependency, so the glue is tested here with plain pandas standing in for `perform_experiments` (a design frame in,
an outcomes frame out) and for PRIM's input (a sweep's runs with identifier columns); a last test drives the real
workbench (3.0) when it is installed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import experiments
import simulation
from experiments.errors import ExperimentError
from scenarios import ScenarioError

SMALL = {"households": 200, "days": 12}
OUTCOMES = ["unmet_need_days", "hidden_need_share"]


def test_the_model_function_is_the_model_under_aliases_dotted_keys_and_seeds():
    f = experiments.model_function("no_linkage", overrides=SMALL, outcomes=OUTCOMES)
    by_alias = f(reporting__call_prob=0.35, mass_base=0.6, seed=4)
    by_dotted = f(**{"reporting.call_prob": 0.35, "mass_base": 0.6}, seed=4)
    direct = simulation.run("no_linkage", seed=4, **SMALL, **{"reporting.call_prob": 0.35, "mass_base": 0.6})
    assert by_alias == by_dotted == {k: direct.summary[k] for k in OUTCOMES}
    assert set(experiments.model_function("no_linkage", overrides=SMALL)()) == set(simulation.SUMMARY_KEYS)
    with pytest.raises(ScenarioError, match="reporting.call_prb"):
        f(reporting__call_prb=0.3)
    with pytest.raises(ScenarioError, match="call_prob"):
        f(reporting__call_prob=1.5)
    with pytest.raises(ExperimentError, match="not a summary key"):
        experiments.model_function("no_linkage", outcomes=["unmet"])


def test_a_design_frame_in_an_outcomes_frame_out_as_perform_experiments_does():
    """What the workbench does with the function, in plain pandas: sample the uncertainties under their
    identifier names, call the model once per row, collect the outcomes."""
    from scipy.stats import qmc

    f = experiments.model_function("no_linkage", overrides=SMALL, outcomes=OUTCOMES)
    unit = qmc.LatinHypercube(d=2, rng=np.random.default_rng(1)).random(6)
    design = pd.DataFrame(qmc.scale(unit, [0.05, 0.1], [0.5, 0.9]), columns=["reporting__call_prob", "mass_base"])
    design["seed"] = range(6)
    outcomes = pd.DataFrame([f(**row) for row in design.astype(object).to_dict("records")])
    assert list(outcomes.columns) == OUTCOMES and len(outcomes) == 6 and outcomes.notna().all().all()
    row = design.iloc[3]
    again = simulation.run("no_linkage", seed=int(row["seed"]), **SMALL, mass_base=float(row["mass_base"]),
                           **{"reporting.call_prob": float(row["reporting__call_prob"])})
    assert outcomes.iloc[3]["unmet_need_days"] == again.summary["unmet_need_days"]


def test_a_sweep_feeds_prim_under_identifier_names(tmp_path):
    spec = tmp_path / "sweep.toml"
    spec.write_text('name = "prim"\nbase = "no_linkage"\nreplications = 2\nroot_seed = 3\n'
                    '[overrides]\nhouseholds = 200\ndays = 12\n[factors]\nreporting__call_prob = [0.05, 0.5]\n'
                    'mass_base = [0.1, 0.9]\n', encoding="utf-8")
    res = experiments.sweep(spec, out=tmp_path / "res", serial=True, figures=False)
    runs = pd.read_parquet(tmp_path / "res" / "runs.parquet")
    x = runs[res.plan.factors].rename(columns=experiments.alias)
    assert list(x.columns) == ["reporting__call_prob", "mass_base"]
    y = (runs["unmet_need_days"] > runs["unmet_need_days"].median()).to_numpy()
    assert len(x) == len(y) == 8
    # identifiers need no quoting in pandas formulas (and SQL)
    assert len(x.query("reporting__call_prob > 0.2 and mass_base < 0.5")) == 2
    assert experiments.canonical_key("reporting__call_prob") == "reporting.call_prob"


def test_the_recipe_runs_on_the_real_workbench_when_installed():
    workbench = pytest.importorskip("ema_workbench")
    from ema_workbench import Model, RealParameter, ScalarOutcome, perform_experiments
    from ema_workbench.analysis import prim

    model = Model("liandong", function=experiments.model_function("no_linkage", overrides=SMALL,
                                                                   outcomes=OUTCOMES))
    model.uncertainties = [RealParameter("reporting__call_prob", 0.05, 0.5), RealParameter("mass_base", 0.1, 0.9)]
    model.outcomes = [ScalarOutcome(k) for k in OUTCOMES]
    design, outcomes = perform_experiments(model, scenarios=8)
    assert len(design) == 8 and len(outcomes["unmet_need_days"]) == 8
    y = outcomes["unmet_need_days"] > np.median(outcomes["unmet_need_days"])
    box = prim.Prim(design[["reporting__call_prob", "mass_base"]], y).find_box()
    assert box is not None and workbench.__version__
