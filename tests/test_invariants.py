"""Bookkeeping that must hold for every scenario, checked after every step of random small scenarios.

Every need raised is, at any moment, exactly one of: met, open and reported, open and hidden. So cumulatively
raised = met + unmet (reported or hidden), and the daily columns must agree with the arrays they are read
from.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulation import SUMMARY_KEYS, CommunityModel
from simulation.households import CATEGORIES, GROUPS, MEDICAL

probability = st.floats(0.0, 1.0)


@st.composite
def scenarios_(draw) -> dict:
    n_phases = draw(st.integers(1, 4))
    starts = [0, *sorted(draw(st.lists(st.integers(1, 45), min_size=n_phases - 1, max_size=n_phases - 1,
                                        unique=True)))]
    phases = [{
        "name": f"phase{i}", "start": start,
        "outing_interval": draw(st.integers(0, 5)),
        "shop_access": draw(probability),
        "self_medical": draw(probability),
        "food_supply": draw(st.floats(0.05, 5.0)),
        "gate_hours_per_1000": draw(st.sampled_from([0.0, 16.0, 32.0, 200.0])),
        "isolation_stress": draw(st.floats(-0.1, 0.1)),
    } for i, start in enumerate(starts)]
    coordination = draw(probability)
    return {
        "households": draw(st.integers(50, 600)),
        "days": draw(st.integers(5, 40)),
        "mass_base": draw(probability),
        "phases": phases,
        "cadres.per_1000_households": draw(st.one_of(st.sampled_from([0.0, 0.05, 0.5]),
                                                     st.floats(0.0, 30.0))),
        "cadres.hours_per_day": draw(st.floats(0.1, 24.0)),
        "cadres.coordination_share": coordination,
        "cadres.screening_share": draw(st.floats(0.0, 1.0 - coordination)),
        "reporting.online_prob": draw(probability),
        "reporting.call_prob": draw(probability),
        "reporting.neighbour_prob": draw(st.floats(0.0, 0.3)),
        "population.elderly_share": draw(probability),
        "population.dialysis_share": draw(st.sampled_from([0.0, 0.0012, 0.05])),
        "needs.medical_deadline_days": draw(st.integers(0, 3)),
        "needs.food_stock_days": draw(st.floats(0.0, 14.0)),
        "network.building_size": draw(st.integers(2, 120)),
        "network.grid_cells": draw(st.integers(1, 20)),
    }


def _check_day(m: CommunityModel, row: dict) -> None:
    hh = m.households
    # stocks and state in range
    assert (hh.food_stock >= 0).all() and (hh.medicine_stock >= 0).all()
    assert not np.isnan(hh.food_stock).any() and not np.isnan(hh.medicine_stock).any()
    assert ((hh.distress >= 0) & (hh.distress <= 1)).all()
    assert m.price_index >= 1.0 and np.isfinite(m.price_index)
    # reported implies open; hidden is open and not reported
    assert not (hh.reported & ~hh.open).any()
    assert not (hh.hidden & ~hh.open).any()
    assert (hh.raised_day[hh.open] <= m.day - 1).all()  # `day` has already moved on to tomorrow
    # the day's row reads the arrays and the ledger
    assert row["unmet_total"] == hh.open.sum()
    assert row["hidden_total"] == hh.hidden.sum()
    assert row["raised_total"] == m.ledger.raised.sum() and row["met_total"] == m.ledger.met.sum()
    assert row["met_total"] == sum(m.ledger.met_by.values())
    assert row["unmet_total"] == sum(row[f"unmet_{c}"] for c in CATEGORIES)
    assert row["hidden_total"] == sum(row[f"hidden_{c}"] for c in CATEGORIES)
    assert row["raised_total"] == sum(row[f"raised_{c}"] for c in CATEGORIES)
    assert row["met_total"] == sum(row[f"met_{c}"] for c in CATEGORIES)
    assert 0 <= row["hidden_total"] <= row["unmet_total"]
    for c in CATEGORIES:
        assert 0 <= row[f"hidden_{c}"] <= row[f"unmet_{c}"]
    for g in GROUPS:  # groups overlap, but none holds more than all the needs
        assert 0 <= row[f"hidden_{g}"] <= row[f"unmet_{g}"] <= row["unmet_total"]
    # group columns recomputed from the household attributes
    per_household = hh.open.sum(axis=1)
    hidden_per_household = hh.hidden.sum(axis=1)
    groups = {"elderly_alone": hh.alone, "chronic": hh.chronic, "low_income": hh.low_income,
              "offline": ~hh.digital, "offline_elderly": hh.elderly & ~hh.digital,
              "vulnerable": hh.vulnerable}
    for group, members in groups.items():
        assert row[f"unmet_{group}"] == per_household[members].sum(), group
        assert row[f"hidden_{group}"] == hidden_per_household[members].sum(), group
    # the mean age of open needs, recomputed from the arrays (`day` has already moved on to tomorrow)
    ages = (m.day - 1) - hh.raised_day[hh.open]
    assert np.isclose(row["mean_wait_open"], ages.mean() if len(ages) else 0.0)
    assert row["met_wait_days"] >= 0
    # the met needs and their waits, split by side of each wait group, add up to the totals
    for side, other in (("vulnerable", "not_vulnerable"), ("offline", "online")):
        assert row[f"met_{side}"] + row[f"met_{other}"] == row["met_total"]
        assert row[f"met_wait_days_{side}"] + row[f"met_wait_days_{other}"] == row["met_wait_days"]
        assert min(row[f"met_{side}"], row[f"met_{other}"], row[f"met_wait_days_{side}"],
                   row[f"met_wait_days_{other}"]) >= 0
    assert row["coordinator_capacity"] >= 0 and row["coordinator_load"] >= 0
    assert 0 <= row["cadre_fatigue"] <= 1 and row["cadre_hours_used"] >= 0
    assert row["reported_total"] >= 0 and row["critical_failures"] >= 0
    assert row["cadres"] == len(m.cadres) >= 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(overrides=scenarios_(), seed=st.integers(0, 2**32 - 1))
def test_bookkeeping_holds_after_every_step(overrides, seed):
    m = CommunityModel(rng=seed, **overrides)
    raised = met = medical_raised = failures = reported = by_cadre = sessions_due = 0
    hh, interval = m.households, m.config.needs.dialysis_interval
    while m.running:
        sessions_due += int(((m.day + hh.dialysis_offset[hh.dialysis_rows]) % interval == 0).sum())
        m.step()
        row = m.today
        _check_day(m, row)
        raised += row["raised_total"]
        met += row["met_total"]
        medical_raised += row[f"raised_{CATEGORIES[MEDICAL]}"]
        failures += row["critical_failures"]
        reported += row["reported_total"]
        by_cadre += m.ledger.met_by.get("cadre", 0)
        # each need raised so far is exactly one of: met, open and reported, open and hidden
        assert met <= raised
        assert raised == met + row["unmet_total"]
        assert raised == met + (row["unmet_total"] - row["hidden_total"]) + row["hidden_total"]
        assert failures <= medical_raised + sessions_due  # a need fails once, or once per dialysis session missed
        assert by_cadre <= reported <= raised  # responders serve only needs someone reported
        assert m.households.failed.sum() <= failures

    daily = m.daily()
    assert len(daily) == overrides["days"] and daily["day"].tolist() == list(range(overrides["days"]))
    assert daily["raised_total"].sum() == daily["met_total"].sum() + daily["unmet_total"].iloc[-1]
    summary = m.summary()
    types = [t for t, n in m.compounds.households().items() if n > 0] if m.compounds.declared else []
    assert set(summary) == set(SUMMARY_KEYS) | {f"{k}_{t}" for t in types
                                                for k in ("unmet_need_days_per_1000", "critical_failures")}
    unmet = daily["unmet_total"].to_numpy()
    assert summary["unmet_need_days"] == unmet.sum()
    assert np.isclose(summary["unmet_need_days_per_1000"], unmet.sum() / overrides["households"] * 1000)
    assert summary["peak_unmet_day"] == daily["day"].iloc[int(np.argmax(unmet))]
    assert unmet[summary["peak_unmet_day"]] == unmet.max()
    assert summary["critical_failures"] == failures
    assert 0.0 <= summary["hidden_need_share"] <= 1.0
    assert 0 <= summary["coordinator_overload_days"] <= overrides["days"]
    # either kind of overload day is one, and a day of both is counted once
    cadres, volunteers = summary["cadre_overload_days"], summary["volunteer_coordinator_overload_days"]
    assert max(cadres, volunteers) <= summary["coordinator_overload_days"] <= cadres + volunteers
    assert summary["price_index_peak"] >= 1.0
    assert 0.0 <= summary["mean_distress_end"] <= 1.0
    if met:
        assert np.isclose(summary["mean_days_to_meet"], daily["met_wait_days"].sum() / met)
    else:
        assert np.isnan(summary["mean_days_to_meet"])
