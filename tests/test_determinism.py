"""Reproducibility: the same scenario and seed give the same run; Mesa's own batch runner drives the model;
and common random numbers keep two scenarios aligned until the day they first differ."""

from __future__ import annotations

import inspect
import math
import warnings

import mesa
import numpy as np
import pandas as pd
import pytest

import scenarios
import simulation
from simulation import DAILY_COLUMNS, SUMMARY_KEYS, CommunityModel


def _same_summary(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for key in a:
        x, y = a[key], b[key]
        assert x == y or (isinstance(x, float) and math.isnan(x) and math.isnan(y)), key


def test_same_seed_same_daily_series_and_summary(small):
    a = simulation.run("no_linkage", seed=11, **small)
    b = simulation.run("no_linkage", seed=11, **small)
    pd.testing.assert_frame_equal(a.daily, b.daily)
    _same_summary(a.summary, b.summary)
    assert a.seed == b.seed == 11


def test_same_seed_via_scenario_object_and_via_model(small):
    scenario = scenarios.load("no_linkage", small)
    a = simulation.run(scenario, seed=4)
    m = CommunityModel(scenario=scenario, rng=4)
    while m.running:
        m.step()
    pd.testing.assert_frame_equal(a.daily, m.daily())


def test_different_seeds_differ(small):
    a = simulation.run("no_linkage", seed=1, **small)
    b = simulation.run("no_linkage", seed=2, **small)
    assert not a.daily.equals(b.daily)
    assert (a.daily["raised_total"] != b.daily["raised_total"]).any()


def test_seed_from_generator_is_reproducible(small):
    a = CommunityModel(rng=np.random.default_rng(5), **small)
    b = CommunityModel(rng=np.random.default_rng(5), **small)
    assert a.seed == b.seed
    for m in (a, b):
        for _ in range(5):
            m.step()
    pd.testing.assert_frame_equal(a.daily(), b.daily())


def test_negative_seed_is_refused():
    with pytest.raises(ValueError):
        CommunityModel(rng=-1, households=50, days=2)


def test_constructor_takes_only_keywords_with_defaults():
    params = inspect.signature(CommunityModel).parameters
    assert "scenario" in params and "rng" in params
    for name, p in params.items():
        assert p.kind in (p.KEYWORD_ONLY, p.VAR_KEYWORD), f"{name} is {p.kind}"
        if p.kind is p.KEYWORD_ONLY:
            assert p.default is not p.empty, f"{name} has no default"
    with pytest.raises(TypeError):
        CommunityModel("no_linkage")  # positional arguments are refused


def test_default_constructor_builds_default_community():
    m = CommunityModel(rng=0)
    assert m.config.name == "no_linkage"
    assert m.households.n == m.config.households
    assert m.running


def test_mesa_batch_run():
    parameters = {"households": [200, 300], "days": 12, "cadres.hours_per_day": 8.0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # Mesa 3.5 prefers rng=[...] to iterations=
        rows = mesa.batch_run(CommunityModel, parameters=parameters, iterations=2, max_steps=10,
                              number_processes=1, data_collection_period=1, display_progress=False)
    df = pd.DataFrame(rows)
    assert len(df) == 2 * 2 * 10  # 2 values x 2 iterations x 10 steps, one row per collected day
    assert set(DAILY_COLUMNS) <= set(df.columns)
    assert {"RunId", "iteration", "Step", "households", "days", "cadres.hours_per_day"} <= set(df.columns)
    assert sorted(df["households"].unique()) == [200, 300]
    assert df.groupby("RunId")["day"].max().tolist() == [9, 9, 9, 9]  # max_steps stops the 12-day runs at 10
    assert (df["unmet_total"] >= df["hidden_total"]).all()


def test_mesa_batch_run_with_seeds_is_reproducible():
    kwargs = dict(parameters={"households": 200, "days": 8}, rng=[3, 3, 4], max_steps=8, number_processes=1,
                  display_progress=False)
    df = pd.DataFrame(mesa.batch_run(CommunityModel, **kwargs))
    assert len(df) == 3  # last step only
    a, b, c = (df.loc[df["RunId"] == i, list(DAILY_COLUMNS)].reset_index(drop=True) for i in range(3))
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def _phases(k: int, later: dict) -> list[dict]:
    return [
        {"name": "sealed_city", "start": 0, "outing_interval": 1, "shop_access": 0.8, "food_supply": 0.9},
        {"name": "later", "start": k, **later},
    ]


@pytest.mark.parametrize("k", [5, 15])
def test_common_random_numbers_until_schedules_differ(k):
    base = {"households": 500, "days": 25}
    a = simulation.run("no_linkage", seed=21, **base, phases=_phases(
        k, {"outing_interval": 0, "shop_access": 0.0, "food_supply": 0.4, "gate_hours_per_1000": 30.0}))
    b = simulation.run("no_linkage", seed=21, **base, phases=_phases(
        k + 5, {"outing_interval": 3, "shop_access": 0.9, "food_supply": 1.2, "isolation_stress": 0.01}))
    pd.testing.assert_frame_equal(a.daily.iloc[:k], b.daily.iloc[:k])
    assert not a.daily.iloc[k:].equals(b.daily.iloc[k:])  # and they do part from day k


def test_common_random_numbers_when_a_parameter_changes_only_later_days():
    """A change that only matters from day k (outings every day vs every 2 days, both with no shops open until
    then) keeps every day before k identical, even though the schedule objects differ from day 0."""
    base = {"households": 400, "days": 20}
    closed = {"outing_interval": 0, "shop_access": 0.0}
    a = simulation.run("no_linkage", seed=3, **base, phases=[
        {"name": "closed", "start": 0, **closed}, {"name": "open", "start": 10, "outing_interval": 1}])
    b = simulation.run("no_linkage", seed=3, **base, phases=[
        {"name": "closed", "start": 0, **closed}, {"name": "open", "start": 10, "outing_interval": 2}])
    pd.testing.assert_frame_equal(a.daily.iloc[:10], b.daily.iloc[:10])
    assert not a.daily.iloc[10:].equals(b.daily.iloc[10:])


def test_summary_keys_are_the_specs():
    assert set(SUMMARY_KEYS) == {
        "unmet_need_days", "unmet_need_days_per_1000", "hidden_need_share", "critical_failures",
        "mean_days_to_meet", "equity_ratio", "wait_ratio", "offline_wait_ratio", "peak_unmet_day",
        "volunteers_active_peak", "coordinator_overload_days", "cadre_overload_days",
        "volunteer_coordinator_overload_days", "price_index_peak", "mean_distress_end"}
