"""Volunteer recruitment and mobilisation (issue 3): the 800-sign-up story and the mass base, over ten seeds.

Each statistical claim compares two presets on the same seeds (same population and network, same random numbers
before the call on day 31), with the tolerance argued in the test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import simulation
from experiments import patterns
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
def recruitment(cached_run):
    """The open and the organised call's daily series in the default community, seeds 0-9."""
    return {seed: (cached_run("open_recruitment", seed).daily, cached_run("categorized_recruitment", seed).daily)
            for seed in SEEDS}


def test_open_call_overloads_the_coordinator_where_the_organised_call_does_not(recruitment):
    """Pattern 4. The open call brings three times the applicants, unsorted, at three times the vetting time each:
    about 270 x 0.75 h = 200 h of vetting for one coordinator with 12 h a day, against 90 x 0.25 h = 23 h for the
    organised call. So the open call must overload the coordinator on many more days (at least 5 more: the backlog
    alone takes over a week to clear) and keep a longer vetting queue (at least twice as long at its peak), in
    every seed."""
    for seed, (d_open, d_cat) in recruitment.items():
        verdict = patterns.open_call_overloads_the_coordinator(d_open, d_cat)
        assert verdict.parts["overload"] and verdict.parts["vetting_queue"], (seed, str(verdict))


def test_the_organised_call_ends_with_more_volunteers_working(recruitment):
    """Pattern 4, last clause: the organised call ends with more volunteers working, in every seed, in the default
    community. The open call brings three times the applicants (`open_multiplier`, assumed), but loses them to
    the vetting queue, overload and conflicts; the margin depends on that assumed multiplier and on the overload
    attrition (at 1,500 households it is a toss-up in a few seeds), which is why both are in the sensitivity
    ranges."""
    for seed, (d_open, d_cat) in recruitment.items():
        verdict = patterns.open_call_overloads_the_coordinator(d_open, d_cat)
        assert verdict.parts["fewer_volunteers_at_the_end"], (seed, str(verdict))


def test_applicants_wait_in_order_and_some_give_up():
    """The drive's sign-ups arrive on days 31-34 (a fifth on the first day); after its last day nobody new joins the
    queue, which only shrinks as applicants are vetted or give up."""
    m_open, d_open = _run_default("open_recruitment", 0)
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
        (weak, _), (strong, _) = _run("weak_mass_base", seed), _run("strong_mass_base", seed)
        verdict = patterns.strong_mass_base_mobilises_more(weak, strong)
        assert verdict, (seed, str(verdict))


def test_volunteers_serve_by_category_and_are_agents():
    model, daily = _run("categorized_recruitment", 4)
    pool = _pool(model)
    from agents import Volunteer
    volunteers = list(model.agents_by_type[Volunteer])
    assert len(volunteers) == len(pool.kind) > 0
    assert {v.category for v in volunteers} == {"general", "medical", "psych"}
    assert daily["volunteers_active"].max() > 0


def test_the_volunteers_agents_are_made_when_looked_at_and_keep_up_with_the_pool():
    """The pool's days never read its agents, so they are made when read: through the model between days, as the
    pool grows, each volunteer once, a view on its own row."""
    from agents import Volunteer

    model = CommunityModel(scenario="categorized_recruitment", rng=4, **SIZE)
    pool = _pool(model)
    counts = []
    while model.running:
        model.step()
        if model.day % 10 == 0:
            made = list(model.agents_by_type[Volunteer]) if Volunteer in model.agents_by_type else []
            counts.append(len(made))
            assert len(made) == len(pool.kind), model.day
    assert counts[-1] > counts[0] >= 0 and len(set(counts)) > 2  # read while the pool grew
    assert [v.index for v in pool.agents] == list(range(len(pool.kind)))
    assert len(model.agents_by_type[Volunteer]) == len(pool.agents)  # none made twice
    assert all(v.category == ("general", "medical", "psych")[pool.kind[v.index]] for v in pool.agents)


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


# --- the drive, vetting and what volunteers do in wuhan_2020 -----------------------------------------------------
def test_the_drive_splits_its_signups_over_its_days():
    from simulation.linkage.volunteers import drive

    assert drive(37, 4, 0.2).tolist() == [7, 10, 10, 10]  # the default community's open call: 37 of 12.3 per 1,000
    assert drive(270, 4, 0.2).sum() == 270 and drive(270, 4, 0.2)[0] == 54
    assert drive(12, 1, 0.2).tolist() == [12]
    assert drive(0, 4, 0.2).tolist() == [0, 0, 0, 0]
    for total, days, share in [(5, 7, 0.5), (100, 3, 0.0), (100, 3, 1.0)]:
        counts = drive(total, days, share)
        assert counts.sum() == total and (counts >= 0).all() and len(counts) == days


WUHAN_VARIANTS = {
    "base": {},
    "off": {"volunteers.enabled": False},
    "incentives": {"volunteers.incentives": True},
    "conflict_handling": {"volunteers.conflict_handling": True},
    "no_leader_example": {"internal.leader_example": 0.0},
}


@pytest.fixture(scope="module")
def wuhan(cached_run):
    """`wuhan_2020` in the default community, seeds 0-9, as it is and with one volunteer lever changed."""
    return {name: [cached_run("wuhan_2020", seed=seed, **overrides).daily for seed in SEEDS]
            for name, overrides in WUHAN_VARIANTS.items()}


def _after_drive(daily, column):
    return float(daily.loc[daily["day"] >= 31, column].sum())


@pytest.mark.patterns
def test_wuhan_volunteers_change_nothing_before_the_drive(wuhan):
    for off, on in zip(wuhan["off"], wuhan["base"]):
        pd.testing.assert_frame_equal(off.iloc[:31], on.iloc[:31])


@pytest.mark.patterns
def test_wuhan_volunteers_find_the_needs_the_cadres_leave_waiting(wuhan):
    """Stylized facts 1 and 4: approved volunteers deploy from day 31, and offline households' needs are discovered
    late. After the drive the cadres have hours to spare (wuhan_2020's backlog is group-buy waits and needs nobody
    knows of); the volunteers' doorstep visits find the offline households' needs that the phone line and the
    register have not. So, paired seed by seed, hidden need-days of offline households after day 31 must fall by at
    least a tenth and unmet need-days after day 31 (the days volunteers work) by at least 3%, in every seed
    (measured over seeds 0-9: 17-31% and 4.8-12.2%; over the whole run 1.6-4.5%, since the backlog before the drive
    is beyond any volunteer's reach; the rest of it is packages on their way, which a visit does not bring
    sooner)."""
    for seed, (off, on) in enumerate(zip(wuhan["off"], wuhan["base"])):
        hidden = [_after_drive(d, "hidden_offline") for d in (off, on)]
        unmet = [_after_drive(d, "unmet_total") for d in (off, on)]
        assert hidden[1] < 0.9 * hidden[0], (seed, hidden)
        assert unmet[1] < 0.97 * unmet[0], (seed, unmet)
        assert on["volunteer_visits"].sum() > 0 and on["volunteer_visits_found"].sum() > 0, seed


@pytest.mark.patterns
def test_wuhan_approvals_take_days_and_vetting_rejects_some(wuhan):
    """The drive brings 37 sign-ups in the default community (12.3 per 1,000 households), 7 on day 31 and 10 a day
    to day 34; checks take `approval_days` (2), so nobody is approved before day 33; vetting rejects the unsuitable
    (a share of 0.15 of an open call's applicants: some in most seeds); approved, rejected and still waiting never
    exceed the sign-ups."""
    rejected = 0
    for seed, daily in enumerate(wuhan["base"]):
        d = daily.set_index("day")
        assert d.loc[31, "applicants_total"] == 7 and d.loc[34, "applicants_total"] == 37, seed
        assert (d.loc[:32, "volunteers_approved_total"] == 0).all() and d.loc[33, "volunteers_approved_total"] > 0
        assert (d["volunteers_approved_total"] + d["vetting_rejected_total"] <= d["applicants_total"]).all()
        assert (d["applicants_total"].diff().dropna() >= 0).all()
        rejected += int(d["vetting_rejected_total"].iloc[-1])
    assert rejected > 0


def test_vetting_rejects_exactly_the_unsuitable_share_it_is_given():
    base = {"households": 600, "days": 45}
    none = simulation.run("wuhan_2020", seed=1, **base, **{"volunteers.unsuitable_share": 0.0}).daily
    assert none["vetting_rejected_total"].max() == 0 and none["volunteers_approved_total"].max() > 0
    everyone = simulation.run("wuhan_2020", seed=1, **base, **{"volunteers.unsuitable_share": 1.0}).daily
    assert everyone["volunteers_approved_total"].max() == 0 and everyone["vetting_rejected_total"].max() > 0
    late = simulation.run("wuhan_2020", seed=1, **base, **{"volunteers.approval_days": 5}).daily.set_index("day")
    assert (late.loc[:35, ["volunteers_approved_total", "vetting_rejected_total"]] == 0).all().all()
    assert late.loc[36, "volunteers_approved_total"] + late.loc[36, "vetting_rejected_total"] > 0


@pytest.mark.patterns
def test_wuhan_incentives_and_conflict_handling_keep_volunteers_at_work(wuhan):
    """Chen: what worked included incentive and conflict-handling mechanisms. They act through the volunteers'
    process: incentives halve attrition; conflict handling has the coordinators (two in wuhan_2020, with hours to
    spare after the drive) resolve conflicts that would otherwise end in the volunteer leaving. So more volunteers
    must be at work after day 31 in every seed (measured: +0.8 to +5.7 and +2.5 to +7.3 a day), they must make more
    doorstep visits in every seed, and on the ten seeds' mean fewer offline households' need-days must stay hidden
    (measured: about -40 and -90). Unmet need-days are not asserted here: in wuhan_2020 the effect is about -20 to
    -25 of some 16,700 need-days, within the seeds' noise (5 and 7 seeds of 10 go down), because most visits find
    nothing hidden and the rest of the backlog is group-buy waits; where volunteers' hours are scarce the effect on
    unmet need-days is large and is tested in every seed (`test_presets_levers_move_unmet_needs_...`)."""
    base = wuhan["base"]
    for lever in ("incentives", "conflict_handling"):
        at_work, visits, hidden = [], [], []
        for b, v in zip(base, wuhan[lever]):
            at_work.append(v.loc[v["day"] >= 31, "volunteers_active"].mean()
                           - b.loc[b["day"] >= 31, "volunteers_active"].mean())
            visits.append(v["volunteer_visits"].sum() - b["volunteer_visits"].sum())
            hidden.append(_after_drive(v, "hidden_offline") - _after_drive(b, "hidden_offline"))
        assert min(at_work) > 0 and min(visits) > 0, (lever, at_work, visits)
        assert np.mean(hidden) < 0, (lever, hidden)


@pytest.mark.patterns
def test_wuhan_building_leaders_raise_mobilisation_around_them(wuhan):
    """Leaders set the example: a building leader adds `internal.leader_example` (0.15) to the share of active
    volunteers among the ties of every household of its building, so a single tie to an active volunteer tips a
    willing household there (the threshold at the default mass base is 0.21). The example only adds to the share, so
    without it no seed has more residents joining, and over the seeds fewer join: the paired difference's 95%
    interval lies above zero (measured in the city mix: 0-8 fewer of 3-18, mean 2.9). Within a run, willing
    households of led buildings join more often than those of other buildings (pooled over seeds)."""
    diffs = np.array([b["volunteers_mobilised_total"].iloc[-1] - v["volunteers_mobilised_total"].iloc[-1]
                      for b, v in zip(wuhan["base"], wuhan["no_leader_example"])], dtype=float)
    assert (diffs >= 0).all(), diffs
    half = stats.t.ppf(0.975, len(diffs) - 1) * diffs.std(ddof=1) / np.sqrt(len(diffs))
    assert diffs.mean() - half > 0, (diffs, half)
    joined = {True: [0, 0], False: [0, 0]}  # led: [joined, willing]
    for seed in range(5):
        m = CommunityModel(scenario="wuhan_2020", rng=seed)
        while m.running:
            m.step()
        pool, internal = _pool(m), next(x for x in m.mechanisms if x.name == "internal")
        mobilised = np.zeros(m.households.n, dtype=bool)
        mobilised[pool.home[~pool.recruit]] = True
        for led in (True, False):
            where = pool.willing & (internal.led_household == led)
            joined[led][0] += int((mobilised & where).sum())
            joined[led][1] += int(where.sum())
    assert joined[True][0] / joined[True][1] > 1.5 * joined[False][0] / joined[False][1], joined


def test_leader_share_matters_for_mobilisation(cached_run):
    """More led buildings, more residents who join (the same buildings stay led as the share grows: one uniform
    per building)."""
    counts = []
    for share in (0.0, 0.3, 0.8):
        r = cached_run("wuhan_2020", seed=2, **{"internal.leader_share": share})
        counts.append(int(r.daily["volunteers_mobilised_total"].iloc[-1]))
    assert counts[0] < counts[1] < counts[2], counts


@pytest.mark.patterns
def test_wuhan_volunteers_active_counts_resident_volunteers_only(wuhan):
    """Remote volunteers (from day 0) and group-buy organisers (from day 24) have their own columns;
    `volunteers_active` counts the pool's resident volunteers at work, none before the drive."""
    for daily in wuhan["base"]:
        d = daily.set_index("day")
        assert (d.loc[:31, "volunteers_active"] == 0).all()
        assert (d.loc[0:, "remote_volunteers_active"] > 0).all() and d.loc[30, "organisers_active"] > 0
        assert d.loc[40, "volunteers_active"] > 0


def test_conflict_handling_spends_coordinators_hours_and_fails_without_them():
    """A conflict costs `conflict_hours` of the coordinators' day (booked as supervision); with the hours to spare
    (wuhan_2020's two coordinators) every conflict is resolved; without conflict handling none is; with one
    coordinator swamped by an open call (supervision and vetting take its day) and a conflict costing 3 hours, some
    are not (measured in this seed: 20 of 68)."""
    small = {"households": 1500, "days": 70}
    handled = simulation.run("wuhan_2020", seed=3, **small, **{"volunteers.conflict_handling": True,
                                                                "volunteers.conflict_rate": 0.05}).daily
    assert handled["volunteer_conflicts"].sum() > 0 and handled["volunteer_conflicts_unresolved"].sum() == 0
    plain = simulation.run("wuhan_2020", seed=3, **small, **{"volunteers.conflict_rate": 0.05}).daily
    assert (plain["volunteer_conflicts_unresolved"] == plain["volunteer_conflicts"]).all()
    assert (handled["hours_supervision"] > plain["hours_supervision"]).any()
    swamped = simulation.run("open_recruitment", seed=3, **small, **{
        "volunteers.conflict_handling": True, "volunteers.conflict_rate": 0.05,
        "volunteers.conflict_hours": 3.0}).daily
    assert 0 < swamped["volunteer_conflicts_unresolved"].sum() < swamped["volunteer_conflicts"].sum()


# --- the levers where they are switched on: the presets -----------------------------------------------------------
@pytest.fixture(scope="module")
def preset_levers(cached_run):
    """The organised call with and without each of its mechanisms, and the open call as it is, organised, and with
    more supervision per volunteer: seeds 0-9, the default community."""
    cases = {"organised": ("categorized_recruitment", {}),
             "no_incentives": ("categorized_recruitment", {"volunteers.incentives": False}),
             "no_conflict_handling": ("categorized_recruitment", {"volunteers.conflict_handling": False}),
             "open": ("open_recruitment", {}),
             "open_categorized": ("open_recruitment", {"volunteers.mode": "categorized"}),
             "open_supervision": ("open_recruitment", {"volunteers.supervision_hours": 0.3})}
    return {name: [cached_run(preset, seed=seed, **overrides).summary["unmet_need_days"] for seed in SEEDS]
            for name, (preset, overrides) in cases.items()}


@pytest.mark.patterns
def test_presets_levers_move_unmet_needs_the_way_the_source_says(preset_levers):
    """Where the cadres are short (the presets build on no_linkage), every volunteer at work serves needs that
    would wait, so the levers' effects on the volunteers show in unmet need-days, paired seed by seed, in every
    seed: without incentives or without conflict handling the organised call leaves more need-days unmet
    (measured: +1,500 to +6,800 and +3,400 to +9,500); an open call run by referral into categories leaves fewer
    (-1,800 to -16,900: its one coordinator is not swamped); more supervision per volunteer (0.3 h instead of
    0.15) leaves more (+16,700 to +18,500: the coordinator covers fewer volunteers' hours and is overloaded longer).
    Chen's account: what worked was referral into categories, incentives and conflict handling."""
    v = {name: np.array(values) for name, values in preset_levers.items()}
    assert (v["no_incentives"] > v["organised"]).all(), v
    assert (v["no_conflict_handling"] > v["organised"]).all(), v
    assert (v["open_categorized"] < v["open"]).all(), v
    assert (v["open_supervision"] > v["open"]).all(), v
