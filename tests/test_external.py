"""External linkage (simulation/linkage/external.py): group buying, scheduled supply and donations, targeting.

Unit tests of each part (the batch threshold, the shrinking lead time, organisers, the last hundred metres and its
capacity, the three targeting modes, donated kits), common random numbers before the start day, bookkeeping, and
pattern 8 (sources: stylized fact 9: with adequate total supply and `first_come` targeting vulnerable
households still go short; needs-based targeting narrows the gap) over ten paired seeds, each tolerance argued in
its test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import scenarios
import simulation
from experiments import patterns
from simulation import CommunityModel
from simulation.hours import CADRES
from simulation.households import FOOD, SUPPLIES
from simulation.linkage.external import ExternalLinkage, rank_within

SEEDS = range(10)
SMALL = {"households": 1000, "days": 45}
GROUP_BUY = {"external.group_buy": True}
# One compound of no type: every building and cell alike, for the tests whose arithmetic assumes it (how many
# buildings are led, that every cell has the hours to carry what arrives).
ONE_COMPOUND = {"compounds.mix": {}}


def _external(m: CommunityModel) -> ExternalLinkage:
    (ext,) = [x for x in m.mechanisms if isinstance(x, ExternalLinkage)]
    return ext


NO_STAMP = {"external.approval_days": 0, "external.approval_hours": 0.0}  # donated loads pass the gate at once


def _supply(days, per_1000: float, targeting: str, **more) -> dict:
    """Scheduled love vegetables; tests of hand-outs let donated loads in without a stamp (tested on its own)."""
    return {"external.supply_days": list(days), "external.supply_per_1000": per_1000,
            "external.targeting": targeting, **NO_STAMP, **more}


# --- the scenario section and the preset -------------------------------------------------------------------
def test_preset_extends_no_linkage_and_changes_only_external():
    base, ext = scenarios.load("no_linkage"), scenarios.load("external")
    assert ext.external.group_buy and not base.external.group_buy
    assert ext.external.supply_days and ext.external.donation_days
    assert ext.model_dump(exclude={"name", "description", "external"}) == \
        base.model_dump(exclude={"name", "description", "external"})
    assert "source panel" in ext.description


def test_mechanism_is_off_by_default_and_built_after_internal_before_triage_and_online():
    assert not any(isinstance(x, ExternalLinkage) for x in CommunityModel(rng=0, households=200, days=2).mechanisms)
    m = CommunityModel(scenario="internal", rng=0, households=200, days=2,
                       **{"external.group_buy": True, "triage.enabled": True, "online.enabled": True})
    names = [x.name for x in m.mechanisms]
    assert names.index("internal") < names.index("external") < names.index("needs_triage")
    assert names.index("external") < names.index("emergency_online")


@pytest.mark.parametrize("override, words", [
    ({"external.targeting": "lottery"}, ["external.targeting", "equal", "first_come", "need"]),
    ({"external.lead_days_final": 6}, ["lead_days_final", "lead_days_initial"]),
    ({"external.supply_days": [3, -1]}, ["external.supply_days", "-1"]),
    ({"external.batch_min": 0}, ["batch_min"]),
])
def test_bad_values_are_clear_errors(override, words):
    with pytest.raises(scenarios.ScenarioError) as err:
        scenarios.load("no_linkage", override)
    for word in words:
        assert word in str(err.value)


# --- group buying ------------------------------------------------------------------------------------------
def test_lead_time_falls_from_initial_to_final_over_maturation():
    m = CommunityModel(rng=0, households=200, days=2, **GROUP_BUY)
    ext, c = _external(m), m.config.external
    leads = [ext.lead_days(d) for d in range(0, 90)]
    assert leads[c.group_buy_start_day] == c.lead_days_initial == 5
    assert leads[c.group_buy_start_day + c.maturation_days] == c.lead_days_final == 1
    assert leads[-1] == 1 and leads[0] == 5
    assert all(a >= b for a, b in zip(leads, leads[1:]))  # never lengthens
    quick = CommunityModel(rng=0, households=200, days=2, **GROUP_BUY, **{"external.maturation_days": 0})
    assert _external(quick).lead_days(24) == 1


def test_orders_go_ahead_only_at_the_minimum_batch_and_arrive_after_the_lead_time():
    """Every shipment holds at least `batch_min` packages of each grid cell in it, is due the lead time after the
    order day, and reaches the gate on that day; waits fall as group buying matures."""
    m = CommunityModel(rng=3, households=1000, days=60, **GROUP_BUY)
    ext = _external(m)
    seen, waits = set(), {}
    while m.running:
        m.step()
        day = m.day - 1
        for due, rows, *_ in ext.shipments:
            if id(rows) in seen:
                continue
            seen.add(id(rows))
            per_grid = np.bincount(m.network.grid[rows])
            assert (per_grid[per_grid > 0] >= m.config.external.batch_min).all(), (day, per_grid)
            assert due - day == ext.lead_days(day)
            waits[day] = due - day
        assert all(s[0] > day for s in ext.shipments)  # what fell due has reached the gate
    assert waits and min(waits) >= 24
    # Each wait is the lead time of its order day (asserted above), so the waits start at the initial lead and never
    # lengthen. How far they fall depends on the last day households still order, which moves with the seed and
    # with the last bits of numpy's floating point on another CPU: the test asks only that they fall.
    days = sorted(waits)
    assert waits[days[0]] == m.config.external.lead_days_initial, waits
    assert all(waits[a] >= waits[b] for a, b in zip(days, days[1:])), waits
    assert waits[days[-1]] < waits[days[0]], waits


def test_no_order_goes_ahead_below_the_batch():
    """With a minimum batch larger than any grid cell, households sign up but no order ever leaves; with a batch of
    one, orders leave on the first day of group buying."""
    m = CommunityModel(rng=1, households=1000, days=35, **GROUP_BUY, **{"external.batch_min": 100_000})
    while m.running:
        m.step()
    ext = _external(m)
    assert ext.total["signed_up"] > 0 and ext.total["ordered"] == 0 and ext.total["group_buy"] == 0
    assert ext.pooled.sum() > 0 and (ext.on_order == ext.pooled).all()

    m = CommunityModel(rng=1, households=1000, days=25, **GROUP_BUY, **{"external.batch_min": 1})
    while m.running:
        m.step()
    assert _external(m).today["ordered"] == _external(m).today["signed_up"] > 0


def test_where_nobody_organises_nobody_group_buys():
    """Stylized fact 3: without organisers (no leaders, no resident organisers, cadres not organising) nobody
    signs up; with cadres organising, their hours are spent on it."""
    off = {**GROUP_BUY, "external.organiser_share": 0.0, "external.cadres_organise": False}
    m = CommunityModel(rng=2, **SMALL, **off)
    while m.running:
        m.step()
    assert _external(m).total["signed_up"] == 0 and not _external(m).organised.any()

    m = CommunityModel(rng=2, **SMALL, **{**off, "external.cadres_organise": True})
    while m.running:
        m.step()
    assert _external(m).total["signed_up"] > 0 and _external(m).total["cadre_hours"] > 0


def test_building_leaders_organise_their_buildings():
    m = CommunityModel(scenario="internal", rng=4, households=600, days=2,
                       **{**GROUP_BUY, **ONE_COMPOUND, "internal.leader_share": 1.0, "external.organiser_share": 0.0})
    ext = _external(m)
    assert ext.leader_buildings.all() and ext.organised.all() and ext.resident_organisers == 0


def test_without_organisers_lists_or_neighbours_only_digital_households_order_ahead():
    """With no organiser keeping offline households on a list and no neighbour ordering for them, an offline
    household orders only once a responder knows of its open food need, and then one package."""
    m = CommunityModel(rng=5, **SMALL, **GROUP_BUY,
                       **{"external.organiser_reach": 0.0, "external.neighbour_order_rate": 0.0})
    ext, hh = _external(m), m.households
    while m.running:
        pooled_before = ext.pooled.copy()
        m.step()
        new = ext.pooled & ~pooled_before & ~hh.digital
        # new offline sign-ups (still pooled at the end of the day) had a reported food need when they signed up
        assert (ext.on_order[~hh.digital] <= 1).all()
        assert (hh.reported[new, FOOD] | ~hh.open[new, FOOD]).all()
        assert ext.today["by_organiser"] == ext.today["by_neighbour"] == 0
    assert ext.total["offline_orders"] == ext.total["by_cadre"] > 0


def test_offline_households_order_through_an_organiser_a_neighbour_or_a_cadre():
    """Every sign-up of an offline household is placed by one orderer: its building's organiser (only for listed
    households of organised buildings), a digital neighbour (only for households with a digital tie), or a cadre
    who knows its need; each costs the orderer's hours in the ledger (organisers and neighbours
    `proxy_order_hours` an order, cadres `organise_hours`), and organisers and neighbours order ahead, so an
    offline household may have several packages on order."""
    m = CommunityModel(rng=5, **SMALL, **GROUP_BUY)
    ext, hh, c = _external(m), m.households, m.config.external
    assert not ext.on_list[hh.digital].any() and not ext.on_list[~ext.organised].any()
    assert (ext.neighbour_chance[hh.digital] == 0).all() and (ext.neighbour_chance > 0).any()
    neighbour_hours = 0.0
    while m.running:
        m.step()
        t = ext.today
        assert t["offline_orders"] == t["by_organiser"] + t["by_neighbour"] + t["by_cadre"]
        assert m.hours.offered("neighbour") == pytest.approx(t["by_neighbour"] * c.proxy_order_hours)
        assert m.hours.idle("neighbour") == pytest.approx(0.0)
        neighbour_hours += m.hours.spent("organising", "neighbour")
        assert m.hours.spent("organising", "organiser") == pytest.approx(t["by_organiser"] * c.proxy_order_hours)
    assert ext.total["by_organiser"] > 0 and ext.total["by_neighbour"] > 0 and ext.total["by_cadre"] > 0
    assert neighbour_hours == pytest.approx(ext.total["by_neighbour"] * c.proxy_order_hours)
    assert ext.on_order[~hh.digital].max() >= 2


def test_group_buying_cuts_unmet_need_and_favours_organised_buildings(cached_run):
    """Group buying must lower unmet need-days in every seed (it adds a channel for food that costs the cadres less
    than buying and delivering: 0.1 h to carry a package against 0.5 h), and, in every seed, households in
    buildings with an organiser (who carries their packages) must have fewer unmet food need-days each than
    households in buildings the cadres organise (stylized fact 3), over the weeks of full closure."""
    for seed in SEEDS:
        base = cached_run("no_linkage", seed=seed, **SMALL)
        m = CommunityModel(rng=seed, **SMALL, **GROUP_BUY)
        ext = _external(m)
        org, short_org, short_other = ext.organised, 0, 0
        while m.running:
            m.step()
            if m.day - 1 >= 25:
                short = m.households.open[:, FOOD]
                short_org += short[org].sum()
                short_other += short[~org].sum()
        assert m.summary()["unmet_need_days"] < base.summary["unmet_need_days"], seed
        assert short_org / org.sum() < short_other / (~org).sum(), seed


# --- the last hundred metres -------------------------------------------------------------------------------
def test_what_nobody_carries_waits_at_the_gate():
    """Stylized fact 9. Packages for everyone every day (400 per 1,000 households, more than the ~1 in 3 who run
    low each day) but only the community's own cadres to carry them: at 1,000 households they have a few delivery
    hours a day in full closure, i.e. a few dozen packages at 0.1 h each, so thousands of packages must be waiting
    at the gate at the end while households still go short. Packages are conserved: arrived = handed out + at the
    gate, and the cadre hours spent never exceed what the day left them."""
    m = CommunityModel(rng=0, **SMALL, **_supply(range(25, 45), 400.0, "need"))
    ext = _external(m)
    handed = 0
    while m.running:
        m.step()
        handed += ext.today["supply"]
        assert (m.hours.left(CADRES) >= 0).all()  # carrying fits in what the day left the cadres
        assert m.hours.idle(CADRES) == pytest.approx(m.hours.offered(CADRES).sum() - m.hours.spent(kind=CADRES))
    arrived = ext.total["supply_in"]
    assert arrived == handed + int(ext.gate[FOOD].sum())
    assert arrived <= sum(int(v.sum()) for d, v in ext.arrivals[FOOD].items() if d < 45)
    assert ext.gate[FOOD].sum() > arrived / 2
    assert m.households.open[:, FOOD].mean() > 0.3


def test_distribution_capacity_sets_how_much_is_handed_out():
    """The same arrivals with carrying ten times cheaper hand out more in every seed, and with carrying free in
    effect (0.001 h) everything that arrived goes out the same day."""
    for seed in range(3):
        handed = []
        for hours in (0.2, 0.02, 0.001):
            m = CommunityModel(rng=seed, households=1000, days=30,  # no cadre falls ill: every cell has hands
                               **_supply([26], 500.0, "equal", **{"external.distribution_hours": hours,
                                                                  "cadres.sick_rate": 0.0, **ONE_COMPOUND}))
            while m.running:
                m.step()
            handed.append(_external(m).total["supply"])
        assert handed[0] < handed[1] <= handed[2] == 500, (seed, handed)


def test_organisers_and_cadres_carry_within_their_hours():
    """Each organiser carries at most organiser_hours / distribution_hours packages a day in its building."""
    m = CommunityModel(rng=6, households=1000, days=60, **GROUP_BUY, **{"external.organiser_share": 1.0})
    ext = _external(m)
    cap = int(m.config.external.organiser_hours / m.config.external.distribution_hours)
    n_buildings = len(ext.organised_buildings)
    while m.running:
        m.step()
        assert ext.today["organiser_packages"] <= cap * n_buildings
        assert ext.today["group_buy"] == ext.today["fetched"] + ext.today["organiser_packages"] + \
            ext.today["cadre_packages"]
    assert ext.total["organiser_packages"] > 0


# --- targeting ---------------------------------------------------------------------------------------------
def _model_in_closure(targeting: str, seed: int = 7) -> CommunityModel:
    m = CommunityModel(rng=seed, households=1000, days=40, **_supply([39], 10.0, targeting))
    while m.day < 32:  # deep in full closure: many open food needs, some reported, some hidden
        m.step()
    return m


def test_equal_targeting_goes_round_every_household_in_turn():
    """Under `equal` each cell's households are served in a fixed rotation: over enough rounds the packages a
    household received differ by at most one across the community, need or not."""
    m = CommunityModel(rng=8, households=1000, days=36,  # no cadre falls ill: every cell has hands
                       **_supply(range(25, 36), 130.0, "equal", **{"external.distribution_hours": 0.001,
                                                                   "cadres.sick_rate": 0.0, **ONE_COMPOUND}))
    ext, hh = _external(m), m.households
    got = np.zeros(hh.n, dtype=np.int64)
    give = ext._give_food

    def counting(model, rows, by):
        np.add.at(got, rows, 1)
        give(model, rows, by)

    ext._give_food = counting
    while m.running:
        m.step()
    assert got.sum() == ext.total["supply"] == 11 * 130 and ext.gate[FOOD].sum() == 0
    assert got.max() - got.min() <= 1  # 1,430 packages for 1,000 households: one or two each
    line = ext.priority(m, FOOD)
    for g in range(m.network.n_grids):
        assert sorted(line[m.network.grid == g]) == list(range(m.households_per_grid[g]))


def test_first_come_serves_digital_households_first():
    m = _model_in_closure("first_come")
    hh, ext = m.households, _external(m)
    line = ext.priority(m, FOOD)
    for g in range(m.network.n_grids):
        cell = m.network.grid == g
        digital_short = cell & hh.digital & hh.open[:, FOOD]
        digital_other = cell & hh.digital & ~hh.open[:, FOOD]
        offline = cell & ~hh.digital
        assert line[digital_short].max() < line[digital_other].min()
        assert line[digital_other].max() < line[offline].min()
        known = offline & hh.open[:, FOOD] & hh.reported[:, FOOD]
        if known.any() and (offline & ~known).any():
            assert line[known].max() < line[offline & ~known].min()


def test_need_targeting_serves_known_needs_of_the_vulnerable_first_and_least_food_first():
    m = _model_in_closure("need")
    hh, ext = m.households, _external(m)
    line = ext.priority(m, FOOD)
    known = hh.open[:, FOOD] & hh.reported[:, FOOD]
    for g in range(m.network.n_grids):
        cell = m.network.grid == g
        first, second = cell & known & hh.vulnerable, cell & known & ~hh.vulnerable
        register = cell & ~known & hh.on_register
        rest = cell & ~known & ~hh.on_register
        classes = [c for c in (first, second, register, rest) if c.any()]
        for a, b in zip(classes, classes[1:]):
            assert line[a].max() < line[b].min()
        rows = np.flatnonzero(first)
        by_line = rows[np.argsort(line[rows])]
        assert (np.diff(hh.food_stock[by_line]) >= 0).all()  # least food first


def test_rank_within_ranks_inside_each_group():
    group = np.array([1, 0, 1, 0, 1])
    key = np.array([5.0, 2.0, 1.0, 3.0, 1.0])
    tie = np.array([0.0, 0.0, 0.9, 0.0, 0.1])
    assert rank_within(group, key, tie).tolist() == [2, 0, 1, 1, 0]


# --- donations ---------------------------------------------------------------------------------------------
def test_donated_kits_meet_supplies_needs_now_or_later():
    """A kit meets an open supplies need at once; a household without one keeps its kit for the next. With a kit
    for every household (1,000 per 1,000) and carrying made cheap, every supplies need open after the handout is
    met by a kit the day it is raised, until kits run out."""
    m = CommunityModel(rng=9, households=1000, days=30,
                       **{"external.donation_days": [20], "external.donation_per_1000": 1000.0,
                          "external.distribution_hours": 0.001, **NO_STAMP})
    ext, hh = _external(m), m.households
    while m.day <= 20:
        m.step()
    assert ext.total["donation"] == 1000 and ext.gate[SUPPLIES].sum() == 0
    assert not hh.open[:, SUPPLIES].any()  # every open supplies need used its kit
    held = int(ext.kits.sum())
    while m.running:
        m.step()
        assert not (hh.open[:, SUPPLIES] & (ext.kits > 0)).any()
        assert m.ledger.met_by.get("donation", 0) == held - int(ext.kits.sum())
        held = int(ext.kits.sum())


# --- common random numbers and bookkeeping -----------------------------------------------------------------
def test_nothing_changes_before_the_first_start_day(cached_run):
    """Common random numbers: the mechanism draws from its own streams and does nothing before its start days, so
    every daily series is identical to `no_linkage` before them, and differs after (all but the mechanism's own
    state columns: its suppliers' stock is there from day 0)."""
    own = [c for c in ExternalLinkage.COLUMNS if c != "volunteers_active"]
    for seed in range(3):
        base = cached_run("no_linkage", seed=seed, **SMALL).daily.drop(columns=own)
        ext = simulation.run("no_linkage", seed=seed, **SMALL,
                             **{**GROUP_BUY, **_supply([30], 100.0, "need")}).daily.drop(columns=own)
        preset = simulation.run("external", seed=seed, **SMALL).daily  # donations from day 7, group buying day 24
        assert (preset["supply_stock_days"].iloc[:24] == preset["supply_stock_days"].iloc[0]).all()
        preset = preset.drop(columns=own)
        pd.testing.assert_frame_equal(base.iloc[:24], ext.iloc[:24])
        pd.testing.assert_frame_equal(base.iloc[:7], preset.iloc[:7])
        assert not base.iloc[24:].equals(ext.iloc[24:])


@pytest.mark.parametrize("seed, overrides", [
    (11, {"external.organiser_share": 0.3, "external.batch_min": 20, "external.targeting": "first_come"}),
    (12, {"external.organiser_share": 1.0, "external.lead_days_initial": 1, "external.targeting": "need"}),
    (13, {"network.building_size": 7, "network.grid_cells": 3, "external.distribution_hours": 0.5}),
])
def test_bookkeeping_holds_with_external_linkage(seed, overrides):
    """Needs met here leave the queue (no need is met twice), and every package on order is somewhere: in the pool,
    on its way, or at the gate."""
    m = CommunityModel(scenario="external", rng=seed, households=500, days=60,
                       **{"external.supply_days": list(range(26, 60, 3)), **overrides})
    ext, hh = _external(m), m.households
    raised = met = 0
    while m.running:
        m.step()
        raised += m.today["raised_total"]
        met += m.today["met_total"]
        assert raised == met + m.today["unmet_total"]
        assert (hh.open_count == hh.open.sum(axis=0)).all()
        assert (hh.known_count == (hh.open & hh.reported).sum(axis=0)).all()
        assert (hh.food_stock >= 0).all() and (ext.on_order >= 0).all() and (ext.kits >= 0).all()
        on_way = np.bincount(np.concatenate([s[1] for s in ext.shipments] or [np.zeros(0, np.int64)]),
                             minlength=hh.n)
        at_gate = np.bincount(ext.gate_rows, minlength=hh.n)
        back = np.bincount(ext.back[0], minlength=hh.n)
        assert (ext.on_order == ext.pooled + back + on_way + at_gate).all()
        assert len(ext.gate_rows) == len(ext.gate_days) == len(ext.gate_signup) == len(ext.gate_promise)
        assert (ext.gate[FOOD] >= 0).all() and (ext.gate[SUPPLIES] >= 0).all()


# --- pattern 8 ---------------------------------------------------------------------------------------------
# The suppliers' stock holds the whole schedule (20 days x 400 per 1,000 < 30 days of need): the pattern is about
# who gets what arrives, not how much arrives.
PATTERN8 = {"households": 1000, "days": 45, "internal.sunk_cadres_per_1000": 10.0, "external.stock_days": 30.0,
            **ONE_COMPOUND}  # every cell with the hours to carry what arrives (checked below)
SUPPLY_DAYS = range(25, 45)


def _food_need_days(seed: int, targeting: str):
    """Unmet food need-days per vulnerable and per other household over the supply window, the run's summary,
    the packages handed out and the food needs raised in the window."""
    m = CommunityModel(rng=seed, **PATTERN8, **_supply(SUPPLY_DAYS, 400.0, targeting))
    vulnerable, other, raised = patterns.food_shortfall(m, SUPPLY_DAYS[0])
    ext = _external(m)
    return vulnerable, other, m.summary(), ext.total["supply"], raised, ext.at_gate()


def test_adequate_supply_first_come_leaves_the_vulnerable_short_and_need_targeting_narrows_the_gap():
    """Pattern 8 (sources: stylized fact 9; the model requirements Patterns: "total supply can be adequate while
    households go short"). Free packages arrive every day from day 25 to 44, 400 per 1,000 households: more than the
    food needs raised in the window (a household runs low about every 3 days, ~330 per 1,000 a day at most), and sunk
    cadres (10 per 1,000, from day 19) give the hours to carry all of them (checked: nothing is left at the gate).
    Supply and distribution capacity are adequate; only who gets the packages differs.

    Under `first_come` the notice travels online: all ~780 digital households per 1,000 come before any offline
    household, and 400 packages a day never reach the end of that line, so offline households (all of them
    vulnerable) get none and live on cadre deliveries, while digital households get a package about every two
    days (more food than they eat). Hence, in every seed, vulnerable households must have more than twice the
    unmet food need-days of the others. Under `need`, known needs of vulnerable households come first: in every
    seed their unmet food need-days per household and the community's equity ratio must both be lower than under
    `first_come`. (Measured at 1,000 households, seeds 0-9: first_come about 4 vs 0 food need-days, equity ratio
    about 3.5; need about 2.2 vs 1.2, equity ratio about 2.)
    """
    for seed in SEEDS:
        v_fc, o_fc, s_fc, handed_fc, raised_fc, gate_fc = _food_need_days(seed, "first_come")
        v_nd, o_nd, s_nd, handed_nd, raised_nd, gate_nd = _food_need_days(seed, "need")
        assert handed_fc >= raised_fc and handed_nd >= raised_nd, (seed, handed_fc, raised_fc)  # supply adequate
        assert gate_fc == gate_nd == 0, seed  # and carried
        assert v_fc > 2 * o_fc and v_fc > 0, (seed, v_fc, o_fc)  # vulnerable still go short
        verdict = patterns.need_targeting_narrows_the_food_gap(v_fc, v_nd)
        assert verdict, (seed, str(verdict))  # needs-based targeting narrows the gap
        assert s_nd["equity_ratio"] < s_fc["equity_ratio"], (seed, s_nd["equity_ratio"], s_fc["equity_ratio"])
