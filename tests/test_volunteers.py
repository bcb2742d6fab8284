"""Volunteer recruitment and mobilisation (issue 3): the 800-sign-up story and the mass base, over ten seeds.

Each statistical claim compares two presets on the same seeds (same population and network, same random numbers
before the call on day 31), with the tolerance argued in the test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import simulation
from simulation import CommunityModel

SEEDS = range(10)
SIZE = {"households": 1500, "days": 90}


def _pool(model):
    return next(m for m in model.mechanisms if m.name == "volunteers")


def _run(name, seed):
    model = CommunityModel(scenario=name, rng=seed, **SIZE)
    while model.running:
        model.step()
    return model, model.daily()


def _run_default(name, seed):
    model = CommunityModel(scenario=name, rng=seed)  # the default community: 3,000 households, 90 days
    while model.running:
        model.step()
    return model, model.daily()


@pytest.fixture(scope="module")
def recruitment():
    return {seed: (_run_default("open_recruitment", seed), _run_default("categorized_recruitment", seed))
            for seed in SEEDS}


def test_open_call_overloads_the_coordinator_where_the_organised_call_does_not(recruitment):
    """Pattern 4. The open call brings three times the applicants, unsorted, at three times the vetting time each:
    about 270 x 0.75 h = 200 h of vetting for one coordinator with 12 h a day, against 90 x 0.25 h = 23 h for the
    organised call. So the open call must overload the coordinator on many more days (at least 5 more: the backlog
    alone takes over a week to clear) and keep a longer vetting queue (at least twice as long at its peak), in
    every seed."""
    for seed, ((m_open, d_open), (m_cat, d_cat)) in recruitment.items():
        def overload(d):
            return int((d["volunteer_coordinator_load"] > d["volunteer_coordinator_capacity"]).sum())
        assert overload(d_open) >= overload(d_cat) + 5, (seed, overload(d_open), overload(d_cat))
        assert d_open["volunteers_vetting"].max() >= 2 * d_cat["volunteers_vetting"].max(), seed


def test_the_organised_call_ends_with_more_volunteers_working(recruitment):
    """Pattern 4, last clause: the organised call ends with more volunteers working, in every seed, in the default
    community. The open call brings three times the applicants (`open_multiplier`, assumed), but loses them to
    the vetting queue, overload and conflicts; the margin depends on that assumed multiplier and on the overload
    attrition (at 1,500 households it is a toss-up in a few seeds), which is why both are in the sensitivity
    ranges."""
    for seed, ((m_open, d_open), (m_cat, d_cat)) in recruitment.items():
        assert d_cat["volunteers_active"].iloc[-1] > d_open["volunteers_active"].iloc[-1], seed


def test_applicants_wait_in_order_and_some_give_up(recruitment):
    """The drive's sign-ups arrive on days 31-34 (a fifth on the first day); after its last day nobody new joins the
    queue, which only shrinks as applicants are vetted or give up."""
    (m_open, d_open), _ = recruitment[0]
    pool = _pool(m_open)
    assert (pool.status == 3).sum() > 0  # dropped: applicants who gave up, volunteers who left
    first, last = 31, 31 + m_open.config.volunteers.drive_days - 1
    assert d_open["volunteers_vetting"].iloc[first] == 54  # 270 x 0.2, this morning's count
    assert d_open["volunteers_vetting"].iloc[last] > d_open["volunteers_vetting"].iloc[first]
    assert (d_open["volunteers_vetting"].iloc[last:].diff().dropna() <= 0).all()  # nobody new joins the queue


def test_the_call_changes_nothing_before_its_day():
    for seed in range(3):
        base = simulation.run("no_linkage", seed=seed, **SIZE)
        call = simulation.run("open_recruitment", seed=seed, **SIZE)
        pd.testing.assert_frame_equal(base.daily.iloc[:31], call.daily.iloc[:31])


def test_strong_mass_base_mobilises_more_and_leaves_fewer_needs_unmet():
    """Pattern 5. With a strong mass base more households would volunteer (15% x 0.925 against 15% x 0.325), ties
    are denser and the tipping threshold lower (0.14 against 0.28 of one's ties), so more residents must join by
    example in every seed, and unmet need-days must be lower in every seed (the mass base also raises reporting
    by neighbours and social support, all in the same direction)."""
    for seed in SEEDS:
        weak, d_weak = _run("weak_mass_base", seed)
        strong, d_strong = _run("strong_mass_base", seed)
        mobilised = [int((~_pool(m).recruit).sum()) for m in (weak, strong)]
        assert mobilised[1] > mobilised[0], (seed, mobilised)
        assert d_strong["unmet_total"].sum() < d_weak["unmet_total"].sum(), seed


def test_volunteers_serve_by_category_and_are_agents():
    model, daily = _run("categorized_recruitment", 4)
    pool = _pool(model)
    from agents import Volunteer
    volunteers = list(model.agents_by_type[Volunteer])
    assert len(volunteers) == len(pool.kind) > 0
    assert {v.category for v in volunteers} == {"general", "medical", "psych"}
    assert daily["volunteers_active"].max() > 0


def test_open_call_brings_only_general_volunteers():
    model, _ = _run("open_recruitment", 4)
    pool = _pool(model)
    assert set(np.unique(pool.kind[pool.recruit]).tolist()) == {0}


def test_incentives_and_conflict_handling_keep_volunteers():
    """Incentives halve attrition and conflict handling removes conflict drop-outs: with both, fewer volunteers
    leave, in every one of five seeds (same seed, same call, same draws)."""
    for seed in range(5):
        base = CommunityModel(scenario="categorized_recruitment", rng=seed, **SIZE,
                              **{"volunteers.incentives": False, "volunteers.conflict_handling": False})
        held = CommunityModel(scenario="categorized_recruitment", rng=seed, **SIZE)
        for m in (base, held):
            while m.running:
                m.step()
        left = [int((_pool(m).status == 3).sum()) for m in (base, held)]
        assert left[1] < left[0], (seed, left)
