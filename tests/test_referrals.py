"""The referral queue (simulation/referrals.py), and the social workers' crisis referrals to the remote psychological
services through it."""

from __future__ import annotations

import numpy as np
import pytest

from simulation import CommunityModel
from simulation.referrals import Referrals


def test_the_queue_keeps_the_order_of_referral_and_each_household_once():
    q = Referrals()
    assert list(q.refer("remote_psych", np.array([5, 2, 9]), day=3)) == [5, 2, 9]
    assert list(q.refer("remote_psych", np.array([2, 7]), day=4)) == [7]  # 2 is waiting already: keeps its place
    assert list(q.waiting("remote_psych")) == [5, 2, 9, 7]
    assert q.made("remote_psych", 4) == 1 and q.made("remote_psych", 3) == 0  # a day's count is that day's only
    assert list(q.take("remote_psych", 2, day=4)) == [5, 2]
    assert list(q.waiting("remote_psych")) == [9, 7] and q.taken("remote_psych", 4) == 2


def test_households_who_no_longer_need_the_service_leave_untaken():
    q = Referrals()
    q.refer("remote_psych", np.array([1, 3, 4]), day=0)
    still = np.array([False, False, False, True, True])  # household 1 is no longer in need
    assert list(q.take("remote_psych", 1, day=1, still=still)) == [3]
    assert list(q.waiting("remote_psych")) == [4]
    assert list(q.take("remote_psych", 0, day=1)) == [] and list(q.take("remote_psych", -3, day=1)) == []


def test_an_unknown_service_is_a_clear_error():
    with pytest.raises(KeyError, match="unknown referral service 'cadres'.*remote_psych"):
        Referrals().refer("cadres", np.array([1]), day=0)


def test_social_workers_refer_crises_and_the_remote_services_take_them_first():
    """Crisis cases the social workers assess go to the remote psychological services, which give each a session
    before the callers on the busy line: with the services' default capacity (several sessions a day for 1,000
    households) and a handful of crises a day, the households referred on a day have all been taken by its end, or
    are no longer in need."""
    m = CommunityModel(scenario="three_social", rng=0, households=1000, days=45)
    referred = taken = 0
    while m.running:
        m.step()
        referred += m.today["crisis_referrals"]
        taken += m.referrals.taken("remote_psych", m.day - 1)
        assert m.today["crisis_referrals_waiting"] == 0
    assert referred > 0 and taken == referred
    d = m.daily()
    assert (d["crisis_households_total"].diff().fillna(0) >= 0).all()
    assert d["crisis_households_total"].iloc[-1] <= referred


def test_without_online_services_nobody_is_referred():
    """Where no remote psychological service runs (online linkage off), the social workers have nobody to refer a
    crisis to: they counsel it themselves and the queue stays empty."""
    m = CommunityModel(scenario="leader_inactive", rng=1, households=800, days=40,
                       **{"organisations.leader_active_prob": 1.0, "triage.crisis_threshold": 0.63})
    while m.running:
        m.step()
    d = m.daily()
    assert d["households_assessed"].sum() > 0
    assert d["crisis_referrals"].sum() == 0 and len(m.referrals.waiting("remote_psych")) == 0
