"""Mental health and cadres' health: who is in need of psychological help, who reaches the remote services and is
answered, the aftermath in key groups, and cadres who fall ill, leave, or are relieved.

Unit tests set the arrays by hand on a small community; the pattern tests compare paired runs (same seeds: the
streams are per process per day, so only the lever differs) over ten seeds.
"""

from __future__ import annotations

import numpy as np
import pytest

import simulation
from simulation import CommunityModel, consequences
from simulation.households import RECOVERY_MARGIN

SEEDS = range(10)


def build(seed: int = 1, households: int = 400, days: int = 30, **dotted) -> CommunityModel:
    return CommunityModel(rng=seed, households=households, days=days, **dotted)


def online(seed: int = 1, households: int = 1000, days: int = 20, **dotted) -> CommunityModel:
    return build(seed, households, days, **{"online.enabled": True, **dotted})


# --- in need of help: a state with a margin -------------------------------------------------------------------

def test_a_household_is_in_need_from_above_the_threshold_until_well_below_it():
    m = build()
    hh, t = m.households, m.config.needs.psych_threshold
    d = np.array([t + 0.05, t, t - 0.05, t - RECOVERY_MARGIN - 0.01, t - 0.05, t + 0.2])
    was = np.array([False, False, True, True, False, True])
    rows = np.arange(len(d))
    hh.in_need[rows] = was
    hh.distress[rows] = d
    consequences._update_in_need(hh.in_need, hh.distress, t, t - RECOVERY_MARGIN)
    # above: in need; at the threshold and never in need: not; in need and within the margin: still; below the
    # margin: eased; within the margin but never in need: not
    np.testing.assert_array_equal(hh.in_need[rows], [True, False, True, False, False, True])


def test_a_cadres_conversation_does_not_end_the_need_a_professional_session_does():
    """The margin is the cadres' counselling effect: a conversation with a household just above the threshold
    leaves it within the margin (still in need); a professional session takes it out."""
    m = build()
    hh, t = m.households, m.config.needs.psych_threshold
    assert m.config.cadres.counselling_effect <= RECOVERY_MARGIN < m.config.online.counselling_effect
    for effect, still in ((m.config.cadres.counselling_effect, True), (m.config.online.counselling_effect, False)):
        hh.in_need[:] = True
        hh.distress[:] = t + 1e-6 - effect
        consequences._update_in_need(hh.in_need, hh.distress, t, t - RECOVERY_MARGIN)
        assert hh.in_need.all() == still


# --- the remote services: callers, capacity, sessions ---------------------------------------------------------

def test_the_services_answer_at_most_their_capacity_and_lower_distress():
    m = online(**{"online.psych_seek_prob": 1.0, "online.psych_sessions_per_1000": 10.0,
                  "online.counselling_effect": 0.3})
    hh = m.households
    hh.distress[:] = 0.3
    hh.distress[:100] = 0.9  # 100 households in need, every one of them calls
    hh.in_need[:] = hh.distress > m.config.needs.psych_threshold
    before = hh.distress.copy()
    m.step()
    row = m.today
    assert row["psych_help_sought"] == 100 and row["psych_help_capacity"] == 10 and row["psych_sessions"] == 10
    counselled = np.flatnonzero(np.isclose(before[:100] - hh.distress[:100], 0.3, atol=0.05))
    assert len(counselled) == 10  # the others found the line busy (their distress moved by a day's drift only)
    assert "online_psych" in m.ledger.met_by  # those with an open request had it met


def test_nobody_who_does_not_call_is_answered_and_callers_come_only_from_those_in_need():
    m = online(**{"online.psych_seek_prob": 0.0})
    m.step()
    assert m.today["psych_help_sought"] == 0 and m.today["psych_sessions"] == 0
    m = online(**{"online.psych_seek_prob": 1.0})
    need = int(m.households.in_need.sum())
    m.step()
    assert m.today["psych_help_sought"] == need > 0


def test_a_fraction_of_a_session_is_a_chance_of_one_more():
    """0.5 sessions a day per 1,000 households in a community of 1,000: half a session a day, on average."""
    m = online(days=200, **{"online.psych_sessions_per_1000": 0.5})
    while m.running:
        m.step()
    capacity = m.daily()["psych_help_capacity"]
    assert set(capacity.unique()) <= {0, 1}
    assert abs(capacity.mean() - 0.5) < 4 * np.sqrt(0.25 / 200)


def test_more_capacity_serves_more_and_leaves_fewer_in_need(cached_run):
    """Paired seeds, the survey week of `wuhan_2020`: twice the services' capacity gives more sessions and leaves
    fewer households in need, in every seed (callers outnumber the sessions, so every extra session is given and
    takes a household out of need)."""
    for seed in SEEDS[:5]:
        base = cached_run("wuhan_2020", seed=seed, days=11)
        more = simulation.run("wuhan_2020", seed=seed, days=11, **{"online.psych_sessions_per_1000": 5.4})
        week = slice(4, 11)
        assert more.daily["psych_sessions"].iloc[week].sum() > base.daily["psych_sessions"].iloc[week].sum(), seed
        assert more.daily["psych_need_households"].iloc[10] < base.daily["psych_need_households"].iloc[10], seed


def test_uptake_is_small_against_need_in_the_survey_week(cached_run):
    """Stylized fact 10: need large, uptake tiny. In every seed, fewer than a quarter of the households in need
    get a professional session in the survey week, and the callers outnumber the sessions."""
    for seed in SEEDS:
        d = cached_run("wuhan_2020", seed=seed, days=11).daily.iloc[4:11]
        assert d["psych_sessions"].sum() < 0.25 * d["psych_need_households"].mean(), seed
        assert d["psych_help_sought"].sum() > 3 * d["psych_help_capacity"].sum(), seed


# --- the aftermath ---------------------------------------------------------------------------------------------

def test_a_failed_urgent_need_raises_the_households_baseline():
    m = build(**{"distress.scar": 0.0})
    hh = m.households
    m.day = 5
    hh.open[:3, 2] = True  # MEDICAL
    hh.raised_day[:3, 2] = 0
    base = hh.baseline_distress[:4].copy()
    consequences.apply(m)
    assert hh.bereaved[:3].all() and not hh.bereaved[3]
    np.testing.assert_allclose(hh.baseline_distress[:3], np.minimum(base[:3] + m.config.distress.bereavement, 1.0))


def test_hardship_leaves_a_scar_on_the_baseline():
    scarred, clean = (build(days=10, **{"cadres.hours_per_day": 0.01, "distress.scar": s,
                                        "distress.bereavement": 0.0}) for s in (0.5, 0.0))
    for m in (scarred, clean):
        start = m.households.baseline_distress.copy()
        while m.running:
            m.step()
        m.rise = m.households.baseline_distress - start
    assert (clean.rise == 0).all()  # without a scar (and no bereavement) the baseline stays
    assert (scarred.rise >= 0).all() and scarred.rise.mean() > 0.001  # 10 days of 0.003-0.01 a day, halved


def test_key_groups_keep_their_need_after_reopening(cached_run):
    """Paired seeds, `wuhan_2020`: with the aftermath switched off (no scar, no bereavement, full relief at
    reopening for everyone) the key groups' need in the fortnight after reopening is lower in every seed."""
    off = {"distress.scar": 0.0, "distress.bereavement": 0.0, "distress.key_group_recovery": 1.0}
    for seed in SEEDS[:5]:
        on = cached_run("wuhan_2020", seed=seed).daily
        no = simulation.run("wuhan_2020", seed=seed, **off).daily
        assert on["psych_need_key_groups"].iloc[76:90].mean() > no["psych_need_key_groups"].iloc[76:90].mean(), seed


# --- cadres' health ---------------------------------------------------------------------------------------------

def test_a_cadre_off_sick_gives_no_hours_and_comes_back_rested():
    m = build(**{"cadres.sick_rate": 1.0, "cadres.leave_share": 0.0, "cadres.sick_days": 3})
    roster = m.cadre_roster
    roster.fatigue[:] = 0.0
    roster.fatigue[0] = 0.8
    u = np.full(len(roster), 0.5)
    ill, left = roster.health(0, u)  # chance 1.0 x 0.8 > 0.5 for cadre 0 only
    assert (ill, left) == (1, 0)
    assert roster.hours_today()[0] == 0.0 and (roster.hours_today()[1:] > 0).all()
    for day in (1, 2):
        roster.health(day, np.ones(len(roster)))
        assert roster.hours_today()[0] == 0.0
    roster.health(3, np.ones(len(roster)))  # its last day off
    assert roster.on_duty()[0] and roster.fatigue[0] == pytest.approx(0.4)


def test_a_cadre_who_leaves_never_comes_back():
    m = build(**{"cadres.sick_rate": 1.0, "cadres.leave_share": 1.0, "cadres.sick_days": 1})
    roster = m.cadre_roster
    roster.fatigue[:] = 1.0
    assert roster.health(0, np.full(len(roster), 0.5)) == (len(roster), len(roster))
    for day in range(1, 10):
        roster.health(day, np.zeros(len(roster)))
        assert not roster.on_duty().any() and (roster.hours_today() == 0).all()


def test_an_off_duty_cadre_does_not_tire():
    m = build(**{"cadres.sick_rate": 1.0, "cadres.leave_share": 0.0})
    roster = m.cadre_roster
    roster.fatigue[:] = 1.0
    roster.health(0, np.zeros(len(roster)))
    tired = roster.fatigue.copy()
    roster.end_day(np.ones(len(roster)), np.full(len(roster), 12.0))
    np.testing.assert_array_equal(roster.fatigue, tired)
    assert (roster.hours_worked == 0).all()


def test_sunk_cadres_relieve_the_community_s_own():
    m = build()
    roster = m.cadre_roster
    own = len(roster)
    for _ in range(own // 2):  # half as many sunk cadres as own: half the relief
        m.add_cadre("sunk")
    roster.fatigue[:] = 0.5
    roster.health(0, np.ones(len(roster)))
    r = m.config.cadres.relief_recovery
    np.testing.assert_allclose(roster.fatigue[:own], 0.5 - r * (own // 2) / own)
    np.testing.assert_allclose(roster.fatigue[own:], 0.5)  # the relief is the sunk cadres, not for them


def test_without_relief_tired_cadres_fall_ill_and_hours_shrink(cached_run):
    """Paired seeds, `no_linkage` (nobody relieves the cadres): with sickness, cadres are off sick or gone and the
    cadres' hours worked over the run are lower than with `sick_rate` 0 in every seed; with sunk cadres relieving
    them (`internal`), the community's own cadres are out fewer days than without relief."""
    for seed in SEEDS[:5]:
        sick = cached_run("no_linkage", seed=seed).daily
        well = simulation.run("no_linkage", seed=seed, **{"cadres.sick_rate": 0.0}).daily
        assert (sick["cadres_off_sick"] + sick["cadres_left"]).max() > 0, seed
        assert (well["cadres_off_sick"] + well["cadres_left"]).max() == 0, seed
        assert sick["cadre_hours_used"].sum() < well["cadre_hours_used"].sum(), seed
    out = {}
    for relief in (0.0, 0.006):
        days = 0
        for seed in SEEDS:
            m = CommunityModel(scenario="internal", rng=seed, **{"cadres.relief_recovery": relief})
            while m.running:
                m.step()
                r = m.cadre_roster
                days += int((~r.sunk & ~r.on_duty()).sum())
        out[relief] = days
    assert out[0.006] < out[0.0], out


@pytest.mark.parametrize("seed", range(6))
def test_the_callers_are_the_households_in_need_whose_number_falls_below_the_chance(seed):
    """`online._callers` is flatnonzero(in_need)[u < chance], whatever the length (words of eight and the rows past
    them) and share in need; it refuses a u of another length than the households in need."""
    from simulation.linkage.online import _callers

    rng = np.random.default_rng(seed)
    for share in (0.0, 0.05, 0.5, 1.0):
        n = int(rng.integers(0, 100))
        in_need = rng.random(n) < share
        u = rng.random(int(in_need.sum()))
        assert np.array_equal(_callers(in_need, u, 0.3), np.flatnonzero(in_need)[u < 0.3])
    with pytest.raises(ValueError):
        _callers(np.ones(9, dtype=bool), np.zeros(3), 0.3)
