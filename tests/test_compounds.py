"""Compound types inside a community (simulation/compounds.py): the layout, what each type changes, property staff,
the per-type outcomes, and stylized fact 7 (old open compounds fare worse) with what narrows the gap."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

import scenarios
import simulation
from scenarios.schema import COMPOUND_TYPES
from simulation import compounds, delivery
from simulation.households import FOOD, SUPPLIES

HALF = {"compounds.mix": {"old_open": 0.5, "commodity": 0.5}}
UNDECLARED = {"compounds.mix": {}}  # one compound of no type


def _run(scenario="wuhan_2020", seed=0, households=1500, **overrides):
    m = simulation.CommunityModel(scenario=scenario, rng=seed, households=households, **overrides)
    while m.running:
        m.step()
    return m


def test_the_buildings_are_shared_out_in_runs_by_the_shares():
    s = scenarios.load("wuhan_2020").with_overrides(
        {"households": 3000, "compounds.mix": {"old_open": 0.3, "commodity": 0.5, "resettlement": 0.2}})
    layout = compounds.lay_out(s)
    counts = np.bincount(layout.of_building, minlength=len(COMPOUND_TYPES))
    assert counts.tolist() == [15, 25, 0, 10]  # 50 buildings of 60
    assert np.all(np.diff(layout.of_building) >= 0)  # runs of neighbouring buildings, in the types' order
    assert layout.households() == {"old_open": 900, "commodity": 1500, "work_unit": 0, "resettlement": 600}


def test_a_type_that_changes_nothing_gives_the_community_itself():
    """Every multiplier 1, no property staff, no late leaders, and the type its own reference: the run is the
    undeclared community's, day for day."""
    plain = _run(households=800, seed=3, **UNDECLARED).daily()
    neutral = {"elderly": 1.0, "alone": 1.0, "digital": 1.0, "low_income": 1.0, "ties": 1.0, "gates": 1.0,
               "property_staff_per_1000": 0.0, "leaders": 1.0, "leader_delay_days": 0}
    typed = _run(households=800, seed=3, **{"compounds.mix": {"work_unit": 1.0},
                                            "compounds.reference_mix": {"work_unit": 1.0},
                                            "compounds.work_unit": neutral})
    daily = typed.daily()
    for column in plain.columns:
        if not column.endswith("_work_unit"):
            assert daily[column].equals(plain[column]), column
    assert daily["unmet_work_unit"].equals(daily["unmet_total"])  # every household is in the one compound
    assert daily["critical_failures_work_unit"].equals(daily["critical_failures"])
    assert plain["unmet_work_unit"].eq(0).all() and plain["critical_failures_work_unit"].eq(0).all()


def test_the_default_community_is_the_city_mix_and_keeps_the_scenario_figures_on_average():
    """Every preset declares the city's mix (so every run reports per-type outcomes), and each multiplier is divided
    by its mean over the reference mix: at 6,000 households (100 buildings) the mix's shares are whole buildings, so
    the households' mean multiplier is 1 to rounding, and the sampled shares stay at the scenario's own (3 standard
    errors)."""
    from scenarios.schema import CITY_MIX, MULTIPLIERS

    for name in scenarios.names():
        s = scenarios.load(name)
        assert s.compounds.mix == CITY_MIX == s.compounds.reference_mix, name
    s = scenarios.load("wuhan_2020", {"households": 6000})
    layout = compounds.lay_out(s)
    assert layout.households() == {t: round(CITY_MIX[t] * 6000) for t in COMPOUND_TYPES}
    for field in MULTIPLIERS:
        assert layout.per_household(s, field).mean() == pytest.approx(1.0, abs=1e-12), field
    assert layout.per_household(s, "gates").std() > 0.3  # but they differ between types
    share, n = s.population.elderly_share, 0
    draws = []
    for seed in range(5):
        m = simulation.CommunityModel(scenario="wuhan_2020", rng=seed, households=3000)
        draws.append(m.households.elderly.mean())
        n += 3000
    assert abs(np.mean(draws) - share) < 3 * math.sqrt(share * (1 - share) / n)
    summary = _run(households=600, seed=0, days=30).summary()
    assert all(f"unmet_need_days_per_1000_{t}" in summary for t in COMPOUND_TYPES)


def test_each_type_changes_its_own_households():
    m = simulation.CommunityModel(scenario="wuhan_2020", rng=1, households=6000, **HALF)
    hh, kind = m.households, m.compounds.of_household
    old, new = kind == COMPOUND_TYPES.index("old_open"), kind == COMPOUND_TYPES.index("commodity")
    assert hh.elderly[old].mean() > 1.5 * hh.elderly[new].mean()  # factors 1.4 and 0.7 of the same share
    assert hh.digital[old].mean() < hh.digital[new].mean()
    assert hh.low_income[old].mean() > 2 * hh.low_income[new].mean()  # 1.5 and 0.5
    degree = np.diff(m.network.ties.indptr)
    assert degree[new].mean() < 0.8 * degree[old].mean()  # weaker ties (0.6) in commodity housing


def test_property_staff_guard_their_gates_and_serve_only_their_own_compound():
    m = simulation.CommunityModel(scenario="wuhan_2020", rng=2, households=1500, **HALF)
    served_any = False
    while m.day < 40:
        m.step()
        q = delivery.queue(m)
        before = set(zip(q.rows.tolist(), q.cats.tolist()))
        m.hours.offer("property_staff", np.full(m.network.n_grids, 50.0))  # hours to serve with, on top
        after = m._property_staff_serve(q)
        gone = before - set(zip(after.rows.tolist(), after.cats.tolist()))
        served_any |= bool(gone)
        for row, cat in gone:
            assert m.staffed_household[row] and cat in (FOOD, SUPPLIES)
    assert served_any
    daily = m.daily()
    assert daily["hours_offered_property_staff"].gt(0).all()
    assert (daily["hours_gates"] > 0).any()
    # the staff's hours are booked: what they offered is spent or idle, every day
    spent = daily["hours_offered_property_staff"] - daily["hours_idle_property_staff"]
    assert (spent >= -1e-6).all() and (spent > 0).any()


def test_staff_take_gate_hours_off_the_cadres():
    staffed = _run(households=1500, seed=4, **{"compounds.mix": {"commodity": 1.0}}).daily()
    unstaffed = _run(households=1500, seed=4, **{"compounds.mix": {"commodity": 1.0},
                                                 "compounds.commodity.property_staff_per_1000": 0.0}).daily()
    cadre_hours = (staffed["hours_offered_cadre"] + staffed["hours_offered_sunk_cadre"]
                   - staffed["hours_idle_cadre"] - staffed["hours_idle_sunk_cadre"])
    assert staffed["hours_gates"].sum() == pytest.approx(unstaffed["hours_gates"].sum(), rel=1e-9)
    assert cadre_hours.sum() < (unstaffed["hours_offered_cadre"] + unstaffed["hours_offered_sunk_cadre"]
                                - unstaffed["hours_idle_cadre"] - unstaffed["hours_idle_sunk_cadre"]).sum()


def test_summary_keys_per_type_only_for_the_types_present():
    summary = _run(households=600, seed=0, days=40, **HALF).summary()
    assert summary["unmet_need_days_per_1000_old_open"] > 0
    assert "unmet_need_days_per_1000_work_unit" not in summary
    plain = _run(households=600, seed=0, days=40, **UNDECLARED).summary()
    assert not any(k.startswith("unmet_need_days_per_1000_") for k in plain)
    m = _run(households=600, seed=0, days=40, **HALF)
    daily, n = m.daily(), m.compounds.households()
    assert daily["unmet_old_open"].add(daily["unmet_commodity"]).equals(daily["unmet_total"])
    expected = daily["unmet_old_open"].sum() / n["old_open"] * 1000
    assert math.isclose(m.summary()["unmet_need_days_per_1000_old_open"], expected)


def test_critical_failures_are_counted_by_compound_type():
    m = _run(scenario="no_linkage", households=1500, seed=1, **HALF)  # cadres alone: patients go unserved
    daily, summary = m.daily(), m.summary()
    by_type = daily["critical_failures_old_open"] + daily["critical_failures_commodity"]
    assert by_type.equals(daily["critical_failures"]) and daily["critical_failures"].sum() > 0
    assert summary["critical_failures_old_open"] + summary["critical_failures_commodity"] == summary[
        "critical_failures"]
    assert "critical_failures_work_unit" not in summary


@pytest.mark.parametrize("mix, message", [
    ({"old_open": 0.5, "villa": 0.5}, "unknown compound type 'villa'"),
    ({"old_open": 0.5}, "add up to 0.5"),
])
def test_a_bad_mix_names_the_field_and_the_fix(tmp_path, mix, message):
    entries = ", ".join(f"{k} = {v}" for k, v in mix.items())
    path = tmp_path / "bad.toml"
    path.write_text(f'name = "bad"\n[compounds]\nmix = {{ {entries} }}\n')
    out = subprocess.run([sys.executable, "-m", "liandong", "validate", str(path)], capture_output=True, text=True)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert str(path) in out.stderr and "compounds.mix" in out.stderr and message in out.stderr


@pytest.fixture(scope="module")
def fact_7():
    """Unmet need-days per 1,000 households of each type over 10 seeds, in wuhan_2020 at 1,500 households half old
    open, half commodity: as it is, with no building leaders, with leaders in 80% of buildings, and without the
    social organisations' social workers."""
    variants = {"preset": {}, "no_leaders": {"internal.leader_share": 0.0},
                "leaders": {"internal.leader_share": 0.8}, "no_social_workers": {"organisations.enabled": False}}
    out = {}
    for name, overrides in variants.items():
        rows = []
        for seed in range(10):
            s = _run(seed=seed, **HALF, **overrides).summary()
            rows.append((s["unmet_need_days_per_1000_old_open"], s["unmet_need_days_per_1000_commodity"]))
        out[name] = np.array(rows)
    return out


def test_old_open_compounds_fare_worse_with_the_same_resources(fact_7):
    """Stylized fact 7, in every seed: the old open compounds' households have more unmet need-days each."""
    old, new = fact_7["preset"].T
    assert (old > new).all()
    assert old.mean() > 1.5 * new.mean()


@pytest.mark.parametrize("without, with_", [("no_leaders", "leaders"), ("no_social_workers", "preset")])
def test_leaders_and_social_workers_narrow_the_gap(fact_7, without, with_):
    """The gap (old open minus commodity, per 1,000 households) is smaller with building leaders (social workers)
    than without, on common seeds: the paired reduction's 95% interval (t, 9 degrees of freedom) lies above 0.
    Leaders and social workers find the hidden needs of offline and elderly households, who are more of the old
    compounds' households."""
    gap = lambda a: a[:, 0] - a[:, 1]  # noqa: E731
    reduction = gap(fact_7[without]) - gap(fact_7[with_])
    half_width = 2.262 * reduction.std(ddof=1) / math.sqrt(len(reduction))
    assert reduction.mean() - half_width > 0, (reduction.mean(), half_width)


def test_group_buy_organisers_in_buildings_whose_leaders_start_late_wait_for_them():
    """A building led by a resident leader is organised by that leader: in resettlement compounds, whose leaders
    start 14 days after the others (day 32 in `wuhan_2020`), nobody organises the building's group buying from
    day 24 until then, and the organisers' hours grow on the day the late leaders start. With no delay the
    organisers are all at work from the first day of group buying."""
    mix = {"compounds.mix": {"commodity": 0.5, "resettlement": 0.5}, "internal.leader_share": 0.8}
    late = _run(seed=1, **mix).daily().set_index("day")["hours_offered_organiser"]
    on_time = _run(seed=1, **mix, **{"compounds.resettlement.leader_delay_days": 0}).daily().set_index(
        "day")["hours_offered_organiser"]
    start, leaders_late = 24, 18 + 14
    assert late.loc[:start - 1].eq(0).all() and on_time.loc[:start - 1].eq(0).all()
    assert late.loc[start:leaders_late - 1].nunique() == 1 and on_time.loc[start:].nunique() == 1
    assert 0 < late.loc[start] < late.loc[leaders_late] == on_time.loc[start]


def test_a_file_that_extends_a_preset_replaces_its_mix_whole(tmp_path):
    """A mix's shares belong together: a file's `mix` replaces the preset's (merged, they would not add up to 1),
    and `mix = {}` leaves one compound of no type."""
    for text, expected in (("mix = { commodity = 1.0 }", {"commodity": 1.0}), ("mix = {}", {})):
        path = tmp_path / "mine.toml"
        path.write_text(f'name = "mine"\nextends = "wuhan_2020"\n[compounds]\n{text}\n', encoding="utf-8")
        s = scenarios.load(path)
        assert s.compounds.mix == expected
        assert s.compounds.reference_mix == scenarios.load("wuhan_2020").compounds.reference_mix
    m = simulation.CommunityModel(scenario=path, rng=0, households=300, days=2)
    assert not m.compounds.declared
