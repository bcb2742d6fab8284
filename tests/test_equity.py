"""The group ratios: `equity_ratio` (unmet need-days per household), `wait_ratio` and `offline_wait_ratio` (mean days
to meet a need), from hand-built cases whose ratios are known, and over seeds where they tell different stories."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import scenarios
import simulation
from experiments.stats import t_interval
from simulation.households import FOOD, GROUPS, MEDICINE, HouseholdState, Ledger
from simulation.outcomes import DAILY_COLUMNS, WAIT_COLUMNS, summarize

SEEDS = range(10)


def _bits(*groups: str) -> int:
    return sum(1 << GROUPS.index(g) for g in groups)


def _households() -> HouseholdState:
    """Four households with known groups: 0 vulnerable and offline, 1 vulnerable and online, 2 and 3 neither."""
    hh = HouseholdState(scenarios.load("no_linkage").with_overrides({"households": 4}), np.random.default_rng(0))
    hh.group_bits = np.array([_bits("vulnerable", "offline"), _bits("vulnerable"), 0, 0], dtype=np.uint8)
    return hh


def _frame(days: int, **columns) -> pd.DataFrame:
    """A daily series of zeros with `columns` (name -> values per day) filled in."""
    daily = pd.DataFrame(0, index=range(days), columns=list(DAILY_COLUMNS))
    daily["day"] = range(days)
    daily["phase"] = "p"
    for name, values in columns.items():
        daily[name] = values
    return daily


def test_the_ledger_counts_met_needs_and_their_waits_by_group():
    """Needs raised on day 0 and met on known days: vulnerable households wait 6 and 2 days, the others 1 and 3
    (wait ratio 4 / 2 = 2); the offline household waits 6, the online ones 2, 1 and 3 (offline wait ratio 3)."""
    hh = _households()
    raise_ledger = Ledger()
    raise_ledger.raise_each(hh, [(np.arange(4), FOOD)], 0)
    meet_on = {1: [2], 2: [1], 3: [3], 6: [0]}
    rows = []
    for day in range(7):
        ledger = Ledger()  # the model starts each day's flows afresh
        if day in meet_on:
            ledger.meet_rows(hh, np.array(meet_on[day]), FOOD, day, "cadre")
        met, waited = int(ledger.met.sum()), ledger.met_wait_days
        (v_met, off_met), (v_wait, off_wait) = ledger.met_in_group.tolist(), ledger.wait_in_group.tolist()
        rows.append(dict(zip(WAIT_COLUMNS, (v_met, v_wait, met - v_met, waited - v_wait,
                                            off_met, off_wait, met - off_met, waited - off_wait)),
                         met_total=met, met_wait_days=waited))
    daily = _frame(7, **pd.DataFrame(rows).to_dict(orient="list"))
    assert daily["met_vulnerable"].sum() == 2 and daily["met_wait_days_vulnerable"].sum() == 8
    assert daily["met_not_vulnerable"].sum() == 2 and daily["met_wait_days_not_vulnerable"].sum() == 4
    assert daily["met_offline"].sum() == 1 and daily["met_wait_days_offline"].sum() == 6
    summary = summarize(daily, households=4, vulnerable=2)
    assert summary["wait_ratio"] == pytest.approx(2.0)
    assert summary["offline_wait_ratio"] == pytest.approx(3.0)
    assert summary["mean_days_to_meet"] == pytest.approx(3.0)


def test_a_need_of_a_household_in_both_groups_counts_in_both_and_others_in_neither():
    hh = _households()
    ledger = Ledger()
    ledger.raise_each(hh, [(np.arange(4), MEDICINE)], 2)
    ledger.meet(hh, np.array([0, 3]), np.array([MEDICINE, MEDICINE]), 5, "cadre")
    assert ledger.met_in_group.tolist() == [1, 1] and ledger.wait_in_group.tolist() == [3, 3]
    assert ledger.met_wait_days == 6


def test_equity_ratio_is_unmet_need_days_per_household_vulnerable_over_the_others():
    # 2 vulnerable households of 5 with 9 of the 12 unmet need-days: 4.5 per household against 3 / 3 = 1
    daily = _frame(3, unmet_total=[4, 4, 4], unmet_vulnerable=[3, 3, 3])
    assert summarize(daily, households=5, vulnerable=2)["equity_ratio"] == pytest.approx(4.5)


def test_undefined_ratios_are_nan_and_a_zero_denominator_alone_is_inf():
    # nobody outside the vulnerable group had a need met: the others' mean wait is undefined
    only_vulnerable = _frame(2, met_total=[2, 1], met_wait_days=[3, 1], met_vulnerable=[2, 1],
                             met_wait_days_vulnerable=[3, 1], met_online=[2, 1], met_wait_days_online=[3, 1])
    s = summarize(only_vulnerable, households=4, vulnerable=2)
    assert math.isnan(s["wait_ratio"]) and math.isnan(s["offline_wait_ratio"])
    # the others' needs were all met the day they arose (mean wait 0) and the vulnerable waited: inf
    zero_wait = _frame(1, met_total=[3], met_wait_days=[4], met_vulnerable=[1], met_wait_days_vulnerable=[4],
                       met_not_vulnerable=[2], met_offline=[3], met_wait_days_offline=[4])
    assert summarize(zero_wait, households=4, vulnerable=2)["wait_ratio"] == math.inf
    # both waited 0 days: 0 / 0 is undefined
    no_wait = _frame(1, met_total=[3], met_vulnerable=[1], met_not_vulnerable=[2], met_offline=[1], met_online=[2])
    s = summarize(no_wait, households=4, vulnerable=2)
    assert math.isnan(s["wait_ratio"]) and math.isnan(s["offline_wait_ratio"])
    # no unmet need-days anywhere: the equity ratio is undefined too
    assert math.isnan(summarize(_frame(2), households=4, vulnerable=2)["equity_ratio"])


def test_the_wait_columns_add_up_in_a_run():
    daily = simulation.run("wuhan_2020", seed=1, households=600, days=40).daily
    for side, other in (("vulnerable", "not_vulnerable"), ("offline", "online")):
        assert (daily[f"met_{side}"] + daily[f"met_{other}"] == daily["met_total"]).all()
        assert (daily[f"met_wait_days_{side}"] + daily[f"met_wait_days_{other}"] == daily["met_wait_days"]).all()
    assert daily["met_vulnerable"].sum() > 0 and daily["met_offline"].sum() > 0


def _summaries(cached_run, name: str) -> list[dict]:
    return [cached_run(name, seed=s).summary for s in SEEDS]


def test_wait_ratio_is_not_the_equity_ratio_in_wuhan_2020(cached_run):
    """`equity_ratio` counts need-days, so it rises with how often a group's needs arise; `wait_ratio` only with how
    long they wait. Vulnerable households raise more needs per household (chronic medicine, frail households
    fending less for themselves), so over ten seeds the equity ratio lies above the wait ratio: the paired interval
    of their difference excludes 0. (Measured at this commit: difference 0.11, 95% interval 0.09-0.13; equity
    2.63, wait 2.52.)"""
    rows = _summaries(cached_run, "wuhan_2020")
    n, mean, _, low, high = t_interval([r["equity_ratio"] - r["wait_ratio"] for r in rows])
    assert n == len(SEEDS) and low > 0, (mean, low, high)
    assert all(r["wait_ratio"] > 1 for r in rows)  # vulnerable needs also wait longer: both gaps are real


def test_group_buying_widens_the_offline_wait_gap(cached_run):
    """Stylized facts 3 and 4 (group buying favours the digitally connected; older residents lose out in online
    ordering): with community group buying (`external`) a digital household signs up when it sees the notice,
    an offline one only when its organiser or a neighbour orders for it, or once its need is known, so offline
    households' needs wait longer relative to online ones than under cadres alone. Paired over ten common seeds,
    the increase in `offline_wait_ratio` has a 95% interval above 0 (measured: +0.20, from 0.98 under `no_linkage`;
    +0.88 before offline households could order through others)."""
    base, external = _summaries(cached_run, "no_linkage"), _summaries(cached_run, "external")
    n, mean, _, low, high = t_interval([e["offline_wait_ratio"] - b["offline_wait_ratio"]
                                        for e, b in zip(external, base)])
    assert n == len(SEEDS) and low > 0, (mean, low, high)
