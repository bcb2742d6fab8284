"""The linkage mechanisms built so far: emergency online linkage, internal linkage (sunk cadres, building leaders),
needs triage, price stabilisation; and scenario files that extend a preset.

Statistical claims are checked over ten paired seeds (the same seed gives both scenarios the same population,
network and, before a mechanism starts, the same random numbers), with the tolerance argued in each test.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import scenarios
from simulation import CommunityModel

SEEDS = range(10)
SMALL = {"households": 1000, "days": 45}


def test_presets_extend_no_linkage_and_change_only_their_sections():
    base = scenarios.load("no_linkage")
    online = scenarios.load("emergency_online")
    internal = scenarios.load("internal")
    assert online.online.enabled and not base.online.enabled
    assert online.phases == base.phases and online.needs == base.needs
    assert internal.internal.sunk_cadres_per_1000 > 0 and internal.internal.leader_share > 0
    assert internal.online == base.online


def test_a_file_can_extend_a_preset_or_a_sibling_file(tmp_path):
    (tmp_path / "a.toml").write_text('extends = "no_linkage"\nname = "a"\n[reporting]\ncall_prob = 0.5\n')
    (tmp_path / "b.toml").write_text('extends = "a.toml"\nname = "b"\n[online]\nenabled = true\n')
    b = scenarios.load(tmp_path / "b.toml")
    assert b.name == "b" and b.reporting.call_prob == 0.5 and b.online.enabled
    assert b.phases == scenarios.load("no_linkage").phases


def test_extending_an_unknown_base_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('extends = "no_such_preset"\n')
    with pytest.raises(scenarios.ScenarioError) as err:
        scenarios.load(path)
    assert "no_such_preset" in str(err.value)


def _paired(cached_run, name_a, name_b, seed, **overrides):
    return (cached_run(name_a, seed=seed, **SMALL, **overrides),
            cached_run(name_b, seed=seed, **SMALL, **overrides))


def test_mechanisms_leave_every_series_identical_before_they_start(cached_run):
    """Common random numbers: each process draws from its own stream, so nothing differs before the start day."""
    for seed in range(3):
        base = cached_run("no_linkage", seed=seed, **SMALL)
        online = cached_run("no_linkage", seed=seed, **SMALL, **{"online.enabled": True, "online.start_day": 12})
        internal = cached_run("internal", seed=seed, **SMALL)  # leaders from day 18, sunk cadres day 19
        pd.testing.assert_frame_equal(base.daily.iloc[:12], online.daily.iloc[:12])
        pd.testing.assert_frame_equal(base.daily.iloc[:18], internal.daily.iloc[:18])
        assert not base.daily.iloc[12:].equals(online.daily.iloc[12:])


def test_online_linkage_reduces_hidden_needs_of_online_households_more(cached_run):
    """Pattern 2 (sources: stylized fact 4, digital divide). Only digital households can join the groups, so the
    proportional fall in hidden need-days per household must be larger for online than for offline households, in
    every seed. Proportional, because offline households start with several times the hidden need-days of online
    ones, so a small relative gain for them can exceed a large one for online households in absolute terms.
    Offline households may still gain a little (cadres freed from online reports take more calls, needs met sooner
    leave less to hide), which is why the test compares the two falls rather than asking the offline one to be 0.
    """
    for seed in SEEDS:
        base, online = _paired(cached_run, "no_linkage", "emergency_online", seed)
        hh = CommunityModel(rng=seed, **SMALL).households
        n_off = int((~hh.digital).sum())
        n_on = hh.n - n_off

        def hidden(r):
            off = r.daily["hidden_offline"].sum()
            return (r.daily["hidden_total"].sum() - off) / n_on, off / n_off

        (on_b, off_b), (on_o, off_o) = hidden(base), hidden(online)
        assert (on_b - on_o) / on_b > (off_b - off_o) / off_b, (seed, on_b, on_o, off_b, off_o)
        assert on_o < on_b


def test_online_volunteers_counsel_and_show_in_their_own_column(cached_run):
    """The remote volunteers are counted in `remote_volunteers_active` (`volunteers_active` is resident volunteers):
    the psychological volunteers the day's sessions take (sessions x hours per session / hours a volunteer gives,
    rounded up), with the medical volunteers."""
    r = cached_run("emergency_online", seed=3, **SMALL)
    c = r.scenario.online
    sessions = c.psych_sessions_per_1000 * r.scenario.households / 1000
    assert r.daily["remote_volunteers_active"].max() == math.ceil(sessions * c.psych_hours / c.hours_per_day) \
        + c.medical_volunteers
    assert r.summary["volunteers_active_peak"] == 0
    met = {"online_psych": 0, "online_medical": 0}
    m = CommunityModel(scenario="emergency_online", rng=3, **SMALL)
    while m.running:
        m.step()
        for by in met:
            met[by] += m.ledger.met_by.get(by, 0)
    assert met["online_medical"] > 0, met
    assert m.daily()["psych_sessions"].sum() > 0


def test_sunk_cadres_arrive_on_their_day_and_cut_unmet_need(cached_run):
    """Pattern 1's mechanism: sunk cadres (10 per 1,000 households, about three times the community's own staff)
    must lower unmet need-days in every seed; with three times the hours a smaller backlog is arithmetic, so any
    seed where it does not fall means the cadres are not working."""
    m = CommunityModel(scenario="internal", rng=0, **SMALL)
    own = len(m.cadres)
    while m.day <= 19:
        m.step()
    assert len(m.cadres) == own + 10
    assert {c.role for c in m.cadres[own:]} == {"sunk"}
    for seed in SEEDS:
        base, internal = _paired(cached_run, "no_linkage", "internal", seed)
        assert internal.summary["unmet_need_days"] < base.summary["unmet_need_days"], seed


def test_building_leaders_report_hidden_needs(cached_run):
    """Leaders alone (no sunk cadres) must lower the hidden share in every seed: they only add a reporting path."""
    for seed in SEEDS:
        base = cached_run("no_linkage", seed=seed, **SMALL)
        led = cached_run("no_linkage", seed=seed, **SMALL, **{"internal.leader_share": 0.8})
        assert led.summary["hidden_need_share"] < base.summary["hidden_need_share"], seed


def test_needs_triage_narrows_the_equity_gap(cached_run):
    """With triage, the needs of vulnerable households are ranked ahead of the others' (after urgent ones), so with
    the same cadre hours the unmet need-days per vulnerable household fall relative to the rest: the equity ratio
    must fall in every seed. The social workers are set to 0 here, so that the test isolates the ordering from
    the extra screening.

    Not tested: fewer critical failures. At 1,000 households in full closure each grid cell has only 0.7-2.4
    delivery hours a day, less than one 3-hour medical escort, so ordering cannot get escorts done in this small
    community; the cells need more hands (sunk cadres, volunteers), which is what the combined presets test.
    """
    for seed in SEEDS:
        base = cached_run("no_linkage", seed=seed, **SMALL)
        tri = cached_run("no_linkage", seed=seed, **SMALL, **{"triage.enabled": True, "triage.social_workers": 0})
        assert tri.summary["equity_ratio"] < base.summary["equity_ratio"], seed


def test_triage_classes_put_urgent_first():
    m = CommunityModel(rng=1, households=300, days=5, **{"triage.enabled": True, "triage.start_day": 0})
    m.step()
    from simulation.households import FOOD, MEDICAL
    rows = np.arange(m.households.n)
    medical = m.triage(m, rows, np.full(len(rows), MEDICAL))
    food = m.triage(m, rows, np.full(len(rows), FOOD))
    assert (medical < food).all()


def test_price_cap_holds(cached_run):
    r = cached_run("no_linkage", seed=2, **SMALL, **{"prices.cap": 1.25})
    assert r.daily["price_index"].max() <= 1.25 + 1e-12
    assert cached_run("no_linkage", seed=2, **SMALL).daily["price_index"].max() > 1.25
