"""Social organisations: leader demonstration (pattern 6), funding, three-social integration graded over 0-1, and
pattern 7.

Ten paired seeds for every statistical claim; tolerances argued in each test.
"""

from __future__ import annotations

import numpy as np
import pytest

import simulation
from experiments import patterns
from simulation import CommunityModel, linkage
from simulation.linkage.needs_triage import OTHER, URGENT, VULNERABLE, ranked_classes
from simulation.linkage.organisations import SocialOrganisations

SEEDS = range(10)


def test_inactive_leaders_lower_activation_and_raise_unmet_needs():
    """Pattern 6. The same organisations with leaders who do not act: their staff mostly wait (follow_share 0.2),
    so fewer social workers act on every day after the start, and with less screening, assessment and counselling
    unmet need-days must be higher in every seed (same seed, same needs and draws; the only difference is staff
    at work). Staff at work are not free for the cadres: at integration 0 every referral they make costs the
    cadres friction from what their report line left, so this holds because what the social workers reveal and
    counsel outweighs it (by 260-930 need-days a seed, of about 94,000), not by construction."""
    for seed in SEEDS:
        idle = simulation.run("leader_inactive", seed=seed, households=1500, days=60)
        acting = simulation.run("leader_inactive", seed=seed, households=1500, days=60,
                                **{"organisations.leader_active_prob": 1.0})
        verdict = patterns.inactive_leaders_lower_activation(idle.daily, acting.daily)
        assert verdict, (seed, str(verdict))


def test_funding_drop_cuts_the_staff_kept():
    m = CommunityModel(rng=0, households=500, days=40, **{"organisations.enabled": True,
                                                          "organisations.leader_active_prob": 1.0,
                                                          "organisations.start_day": 0,
                                                          "organisations.funding_drop_day": 20,
                                                          "organisations.funding_after_drop": 0.4})
    while m.running:
        m.step()
    workers = m.daily()["social_workers_active"]
    assert workers.iloc[5] == 2 * 3  # two organisations, three social workers each
    assert workers.iloc[25] == 2 * round(3 * 0.4)


def _mechanism(model) -> SocialOrganisations:
    found = linkage.find(model, SocialOrganisations)
    assert found is not None
    return found


LEVELS = (0.0, 0.25, 0.49, 0.5, 0.75, 1.0)


def test_integration_is_graded_not_a_switch():
    """Integration I is the share of vulnerable households held as joint cases, each joint when its own number
    (drawn once) is below I: the joint cases grow with I, those at a lower I stay joint at a higher one, and their
    share of the vulnerable households is I within three binomial standard deviations. Every referral from
    outside costs (1 - I) x `friction_hours`, so the day's friction is a whole number of such referrals, its total
    falls with I and is 0 at I = 1; the share of referrals accepted rises with I (between close levels, within
    two standard errors of the two shares' difference). Levels 0.49 and 0.5, which a
    switch at 0.5 would set apart, differ by about a hundredth of the vulnerable households only."""
    kw = {"households": 1000, "days": 40, "organisations.enabled": True, "organisations.start_day": 5,
          "organisations.leader_active_prob": 1.0}
    joint, friction, accepted = [], [], []
    for level in LEVELS:
        m = CommunityModel(rng=2, **kw, **{"organisations.integration": level})
        while m.running:
            m.step()
        found, d = _mechanism(m), m.daily()
        vulnerable = int(m.households.vulnerable.sum())
        share = found.joint.sum() / vulnerable
        assert abs(share - level) <= 3 * np.sqrt(level * (1 - level) / vulnerable) + 1e-12, level
        assert not (found.joint & ~m.households.vulnerable).any()
        if joint:
            assert not (joint[-1] & ~found.joint).any(), level  # nested
        joint.append(found.joint.copy())
        per = (1 - level) * 0.25
        if per > 0:
            taken = d["hours_referral_friction"] / per
            np.testing.assert_allclose(taken, taken.round(), atol=1e-6)
        friction.append(d["hours_referral_friction"].sum())
        accepted.append((d["referrals_accepted"].sum(), d["referrals_made"].sum()))
    assert friction[-1] == 0 and all(a > b for a, b in zip(friction, friction[1:-1])), friction
    share = [a / n for a, n in accepted]
    assert share[0] < share[1] < share[-1] == 1.0, share
    for (a, n), (b, k) in zip(accepted, accepted[1:]):  # no step falls by more than two standard errors
        p, q = a / n, b / k
        assert q >= p - 2 * np.sqrt(p * (1 - p) / n + q * (1 - q) / k), share
    at_049, at_05 = joint[2].sum(), joint[3].sum()
    assert 0 <= at_05 - at_049 <= 0.03 * m.households.vulnerable.sum()
    assert at_049 > joint[0].sum() + 0.4 * m.households.vulnerable.sum()


def test_joint_cases_are_ordered_by_need_and_the_rest_wait_first_come():
    """The cadres' order under integration: a joint case's medical need is urgent and its food need ranks with the
    vulnerable; every need of a household that is not a joint case waits in the general line, by report day, as
    under first come (the same order, shifted by a whole rank)."""
    m = CommunityModel(rng=0, households=600, days=30, **{"organisations.enabled": True,
                                                          "organisations.integration": 0.5,
                                                          "organisations.start_day": 0,
                                                          "organisations.leader_active_prob": 1.0})
    for _ in range(10):
        m.step()
    found, span = _mechanism(m), m.config.days + 1
    assert m.triage == found.classes
    joint = np.flatnonzero(found.joint)[:3]
    apart = np.flatnonzero(~found.joint)[:3]
    rows = np.concatenate([joint, joint, apart, apart])
    cats = np.array([2] * 3 + [0] * 3 + [2] * 3 + [0] * 3)  # medical, food, for each
    classes = ranked_classes(m, rows, cats, found.joint, found.threshold)
    day = m.households.reported_day[rows, cats]
    np.testing.assert_array_equal(classes[:3] // span, URGENT)
    np.testing.assert_array_equal(classes[3:6] // span, VULNERABLE)  # joint cases are vulnerable households
    np.testing.assert_array_equal(classes[6:], OTHER * span + day[6:])
    m0 = CommunityModel(rng=0, households=600, days=30, **{"organisations.enabled": True,
                                                           "organisations.start_day": 0})
    m0.step()
    np.testing.assert_array_equal(m0.triage(m0, rows, cats) - OTHER * span, m0.households.reported_day[rows, cats])


def test_no_social_workers_no_order_by_need():
    """The order by need is the social workers' method in the cadres' hands: on days no social worker is at work
    (no funding) the queue is first come, whatever the integration."""
    m = CommunityModel(rng=0, households=500, days=12, **{"organisations.enabled": True, "organisations.start_day": 0,
                                                          "organisations.integration": 1.0,
                                                          "organisations.funding": 0.0,
                                                          "organisations.funding_after_drop": 0.0})
    while m.running:
        m.step()
        assert m.triage.__name__ == "first_come"
    assert (m.daily()["joint_cases_ordered"] == 0).all() and (m.daily()["referrals_made"] == 0).all()


@pytest.fixture(scope="module")
def ladder(cached_run):
    """The two presets at five integrations and three fundings, ten paired seeds each (default community)."""
    out = {}
    for scenario in ("wuhan_2020", "three_social"):
        for level in (0.0, 0.25, 0.5, 0.75, 1.0):
            out[scenario, "I", level] = [cached_run(scenario, seed=s, **{"organisations.integration": level})
                                         for s in SEEDS]
        for f in (0.0, 0.5, 1.0):
            out[scenario, "f", f] = [cached_run(scenario, seed=s, **{"organisations.funding": f,
                                                                     "organisations.funding_after_drop": f})
                                     for s in SEEDS]
    return out


def _mean(runs, key: str) -> float:
    return float(np.mean([r.summary[key] for r in runs]))


def _vulnerable_wait(r) -> float:
    d = r.daily
    return d["met_wait_days_vulnerable"].sum() / d["met_vulnerable"].sum()


@pytest.mark.patterns
@pytest.mark.parametrize("scenario", ["wuhan_2020", "three_social"])
def test_more_integration_serves_the_vulnerable_sooner(ladder, scenario):
    """Needs first, last-mile precision (sources): the more of the vulnerable households the community and the
    social workers hold jointly, the sooner their needs reach the right responder and the more they gain.

    Over integration 0, 0.25, 0.5, 0.75, 1 (ten paired seeds): the ten-seed means of `wait_ratio` (days a
    vulnerable household's need waits over the others') and `equity_ratio` fall at every step, within 0.02 (the
    standard error of a paired step's mean is about 0.01-0.02: the paired differences between the ends have a
    standard deviation of 0.04-0.06); at 1 both are lower than at 0 in every seed. The vulnerable households'
    own mean wait is lower at 1 than at 0 on the ten-seed mean (in `wuhan_2020` by about 1% only, 3 standard errors
    of the paired mean, and not in every seed: their gap there is mostly group buying's, ODD 7.18, which the
    cadres' order does not touch). The vulnerable gain most: from 0 to 1 the unmet need-days per vulnerable household
    fall by more than those per other household (which rise under the order by need, ODD 7.15). Critical failures
    (urgent needs of joint cases first) are fewer at 1 than at 0 on the ten-seed mean (about 4 and 24 fewer in
    `wuhan_2020` and `three_social`, 3 standard errors of the paired mean or more)."""
    runs = {level: ladder[scenario, "I", level] for level in (0.0, 0.25, 0.5, 0.75, 1.0)}
    for key in ("wait_ratio", "equity_ratio"):
        means = [_mean(r, key) for r in runs.values()]
        assert all(b <= a + 0.02 for a, b in zip(means, means[1:])), (key, means)
        assert all(one.summary[key] < zero.summary[key] for zero, one in zip(runs[0.0], runs[1.0])), key
    waits = np.array([[_vulnerable_wait(zero), _vulnerable_wait(one)] for zero, one in zip(runs[0.0], runs[1.0])])
    assert waits[:, 1].mean() < waits[:, 0].mean(), waits
    m = CommunityModel(scenario=scenario, rng=0)
    vulnerable = int(m.households.vulnerable.sum())
    others = m.households.n - vulnerable

    def gain(level: float) -> tuple[float, float]:
        days = np.array([[r.daily["unmet_vulnerable"].sum(), r.summary["unmet_need_days"]] for r in runs[level]])
        return days[:, 0].mean() / vulnerable, (days[:, 1] - days[:, 0]).mean() / others

    (v0, o0), (v1, o1) = gain(0.0), gain(1.0)
    assert v1 - v0 < o1 - o0 and v1 < v0, (v0, v1, o0, o1)
    assert _mean(runs[1.0], "critical_failures") < _mean(runs[0.0], "critical_failures")


@pytest.mark.patterns
def test_integration_cuts_unmet_need_days_where_the_others_are_served_well_and_costs_little_where_not(ladder):
    """Unmet need-days over integration 0-1 (ten paired seeds). In `three_social`, where online groups, building
    leaders and organised volunteers already reach many households, integration cuts them at every step (by
    0.2-1.3 thousand a step; 51,500 -> 48,000 over the range; the paired mean's standard error is a few hundred),
    so each step's ten-seed mean must not be above the previous one by more than 1%. In `wuhan_2020` the order by need
    costs more than the joint cases gain in total: medical and medicine needs of joint cases, at 2-3 hours each,
    go first, fewer cheap needs fit in the same hours and the other households wait longer (ODD 7.15, 7.19), so
    unmet need-days rise a little with integration (about +3.4% from 0.25 to 1, while the vulnerable households'
    own fall; +2% before the volunteers' drive and the chasing calls changed the model): the test bounds that cost
    at 5% over the whole range."""
    means = [_mean(ladder["three_social", "I", level], "unmet_need_days") for level in (0.0, 0.25, 0.5, 0.75, 1.0)]
    assert all(b <= a * 1.01 for a, b in zip(means, means[1:])) and means[-1] < 0.96 * means[0], means
    wuhan = [_mean(ladder["wuhan_2020", "I", level], "unmet_need_days") for level in (0.0, 0.25, 0.5, 0.75, 1.0)]
    assert max(wuhan) <= 1.05 * min(wuhan), wuhan


@pytest.mark.patterns
@pytest.mark.parametrize("scenario", ["wuhan_2020", "three_social"])
def test_funding_cuts_unmet_need_days(ladder, scenario):
    """Funding keeps social workers, and social workers, who screen, assess and refer in their own hours and take
    outside referrals only from what the residents' calls left of the cadres' report line, cannot leave more
    unmet need for more staff: over funding 0, 0.5 and 1 (both before and after the drop; 0, 2 and 3 social
    workers per organisation) the ten-seed mean of unmet need-days falls at each step, and no organisations
    funded leave more than some organisations in at least 8 of the 10 paired seeds. From 0.5 to 1 the gain in
    `wuhan_2020` is small (about 90 need-days, 0.5%: the third social worker of each organisation screens a
    roster already phoned every few days) and a single seed can go either way (the paired differences' standard
    deviation is about 150), so that step is tested on the mean only, with a tolerance of one standard error of
    the paired mean (50 need-days). (In `three_social` the steps are 52,700 -> 48,000 -> 47,400.)"""
    runs = [ladder[scenario, "f", f] for f in (0.0, 0.5, 1.0)]
    means = [_mean(r, "unmet_need_days") for r in runs]
    assert means[1] < means[0] and means[2] <= means[1] + 50, means
    assert sum(b.summary["unmet_need_days"] < a.summary["unmet_need_days"]
               for a, b in zip(runs[0], runs[1])) >= 8


@pytest.fixture(scope="module")
def linkage_runs(cached_run):
    return {name: [cached_run(name, seed=s) for s in SEEDS] for name in patterns.LINKAGE_SCENARIOS}


def test_three_social_leaves_fewest_unmet_need_days(linkage_runs):
    """Pattern 7, first half. All linkages integrated must leave fewer unmet need-days than no linkage and than each
    single linkage, in every seed: the combined community has every single linkage's extra hands and channels at
    once, so anything else means the linkages interfere."""
    for seed in SEEDS:
        verdict = patterns.three_social_leaves_fewest_unmet({name: runs[seed].summary
                                                             for name, runs in linkage_runs.items()})
        assert verdict, (seed, str(verdict))


def test_three_social_has_the_best_equity_ratio(linkage_runs):
    """Pattern 7, second half. Integration shares the register and orders the queue by need, so the vulnerable
    gain most. The claim is tested on the mean over ten paired seeds: with so few need-days left under
    three_social, the non-vulnerable households' part of the ratio rests on a few hundred need-days and a single
    run's ratio is noisy (seed to seed it moves by about 0.1 to 0.2), while the mean over ten seeds has a standard
    error near 0.04; the single linkages' ratios move by a few hundredths only."""
    verdict = patterns.three_social_has_the_best_mean_equity([{name: runs[seed].summary
                                                                for name, runs in linkage_runs.items()}
                                                               for seed in SEEDS])
    assert verdict, str(verdict)
