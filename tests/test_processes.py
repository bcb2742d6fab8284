"""Each daily process on its own, on a small community: the network, needs arising, self-provision under the
phase, reporting and screening, triage, delivery, cadre fatigue, prices and consequences.

Most tests build a `CommunityModel`, set up the household arrays by hand where that isolates the process, call
`model.step()` and read `model.households` and `model.ledger`. Responders are starved of hours (cadres with a
hundredth of an hour a day) where a test must see needs that nobody serves.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import scenarios
import simulation
from scenarios import Phase
from simulation import CommunityModel, consequences, delivery, prices, triage
from simulation.hours import CADRES
from simulation.households import CATEGORIES, FOOD, MEDICAL, MEDICINE, PSYCH
from simulation.model import Cadre, Household  # not from `agents`: see test_agents_import_on_their_own

STARVED = {"cadres.hours_per_day": 0.01}  # responders who can serve nothing: what arises stays open
GENEROUS = {"cadres.per_1000_households": 60.0, "cadres.hours_per_day": 24.0}


def phase(name: str = "test_phase", start: int = 0, **settings) -> dict:
    return {"name": name, "start": start, **settings}


def build(seed: int = 1, households: int = 400, days: int = 30, phases: list[dict] | None = None,
          **dotted) -> CommunityModel:
    overrides = {"households": households, "days": days, "compounds.mix": {}, **dotted}  # one compound, no staff
    if phases is not None:
        overrides["phases"] = phases
    return CommunityModel(rng=seed, **overrides)


def edges(model: CommunityModel) -> np.ndarray:
    e = np.array(sorted(tuple(sorted(edge)) for edge in model.network.graph.edges()), dtype=np.int64)
    return e.reshape(-1, 2)


def test_agents_import_on_their_own():
    proc = subprocess.run([sys.executable, "-c", "import agents; print(agents.Household.__name__)"],
                          capture_output=True, text=True, timeout=60, cwd=Path(__file__).resolve().parents[1])
    assert proc.returncode == 0, proc.stderr


# --- network ------------------------------------------------------------------------------------------------

def test_ties_mostly_inside_buildings_and_never_across_grid_cells():
    m = build(households=600, **{"network.grid_cells": 4})  # 10 buildings in 4 cells: ties may cross them
    net, e = m.network, edges(m)
    assert len(e) > 600
    assert (e[:, 0] != e[:, 1]).all()  # no self-ties
    same_building = net.building[e[:, 0]] == net.building[e[:, 1]]
    assert same_building.mean() > 0.7
    assert not same_building.all()  # but some ties cross buildings
    assert (net.grid[e[:, 0]] == net.grid[e[:, 1]]).all()
    # the weighted adjacency matches the graph, symmetric, with trust in (0, 1)
    assert net.ties.nnz == 2 * len(e)
    assert abs(net.ties - net.ties.T).max() == 0
    assert ((net.ties.data > 0) & (net.ties.data < 1)).all()


@pytest.mark.parametrize("households, building_size, grid_cells",
                         [(600, 60, 10), (430, 50, 3), (300, 60, 40)])
def test_buildings_and_grid_cells_are_contiguous(households, building_size, grid_cells):
    m = build(households=households,
              **{"network.building_size": building_size, "network.grid_cells": grid_cells})
    net = m.network
    sizes = np.bincount(net.building)
    assert (sizes[:-1] == building_size).all() and 0 < sizes[-1] <= building_size
    assert (np.diff(net.building) >= 0).all()
    assert (np.diff(net.grid) >= 0).all()  # cells are runs of consecutive households
    assert net.n_grids == min(grid_cells, len(sizes))
    assert set(net.grid.tolist()) == set(range(net.n_grids))
    for b in range(len(sizes)):  # a building lies in one cell
        assert len(set(net.grid[net.building == b].tolist())) == 1
    # every household is a Mesa agent reading its own row
    hh_agents = list(m.agents_by_type[Household])
    assert len(hh_agents) == households
    a = hh_agents[-1]
    assert (a.building, a.grid) == (net.building[a.index], net.grid[a.index])


def test_mass_base_gives_more_ties_more_trust_and_more_neighbour_reporting():
    weak, strong = build(households=600, mass_base=0.0), build(households=600, mass_base=1.0)
    assert len(edges(strong)) > 1.5 * len(edges(weak))
    assert strong.network.ties.data.mean() > weak.network.ties.data.mean()
    assert strong.neighbour_report_prob.mean() > weak.neighbour_report_prob.mean()
    assert strong.social_support.mean() > weak.social_support.mean()
    assert ((strong.neighbour_report_prob >= 0) & (strong.neighbour_report_prob < 1)).all()


def test_same_seed_same_graph_whatever_else_changes():
    a = build(seed=7)
    b = build(seed=7, phases=[phase(outing_interval=0)],
              **{"reporting.call_prob": 0.0, "cadres.hours_per_day": 3.0})
    c = build(seed=8)
    np.testing.assert_array_equal(edges(a), edges(b))
    assert (a.network.ties != b.network.ties).nnz == 0
    assert edges(a).shape != edges(c).shape or (edges(a) != edges(c)).any()


# --- needs arise --------------------------------------------------------------------------------------------

def test_food_need_opens_when_stock_reaches_reorder_level():
    m = build(phases=[phase(outing_interval=0, shop_access=0.0)], **STARVED)
    hh = m.households
    hh.food_stock[:] = np.linspace(0.0, 6.0, hh.n)
    before = hh.food_stock.copy()
    m.step()
    expected = np.maximum(before - 1.0, 0.0) <= m.config.needs.food_reorder_days
    assert 0 < expected.sum() < hh.n
    np.testing.assert_array_equal(hh.open[:, FOOD], expected)
    assert m.ledger.raised[FOOD] == expected.sum()
    assert m.ledger.met[FOOD] == 0
    # eaten, and nothing bought or delivered
    np.testing.assert_allclose(hh.food_stock, np.maximum(before - 1.0, 0.0))


def test_dialysis_households_raise_medical_needs_on_their_schedule():
    interval, days = 3, 7
    m = build(households=300, phases=[phase(self_medical=1.0)], **{
        "population.dialysis_share": 1.0, "population.elderly_share": 0.0, "population.disability_share": 0.0,
        "needs.acute_rate": 0.0, "needs.acute_rate_chronic": 0.0, "needs.dialysis_interval": interval})
    hh = m.households
    assert hh.dialysis.all() and not hh.frail.any()
    raised_on = np.zeros((days, hh.n), dtype=bool)
    counts = []
    for day in range(days):
        m.step()
        raised_on[day] = hh.raised_day[:, MEDICAL] == day  # (ambiguous on day 0: raised_day starts at 0)
        counts.append(int(m.ledger.raised[MEDICAL]))
        assert not hh.open[:, MEDICAL].any()  # self_medical=1: every session arranged the same day
    later = raised_on[1:]
    # from day 1 on, every household has a session exactly every `interval` days
    per_household = later.sum(axis=0)
    assert (per_household == (days - 1) // interval).all()
    first = later.argmax(axis=0) + 1
    assert set(first.tolist()) == set(range(1, interval + 1))  # sessions are staggered over the days
    for day in range(1, days):
        assert counts[day] == later[day - 1].sum() == ((day - first) % interval == 0).sum()
    assert counts[0] == (first == interval).sum()  # day 0 is the same turn as day `interval`


def test_no_medical_needs_without_dialysis_or_acute_events():
    m = build(households=300, **{"population.dialysis_share": 0.0, "needs.acute_rate": 0.0,
                                 "needs.acute_rate_chronic": 0.0})
    for _ in range(5):
        m.step()
        assert m.ledger.raised[MEDICAL] == 0


def test_psych_need_when_distress_above_threshold():
    m = build(**STARVED)
    hh, threshold = m.households, m.config.needs.psych_threshold
    hh.distress[:] = np.where(np.arange(hh.n) % 3 == 0, 0.9, 0.3)
    hh.distress[1] = threshold  # exactly at the threshold: not above it
    before = hh.distress.copy()
    m.step()
    expected = before > threshold
    np.testing.assert_array_equal(hh.open[:, PSYCH], expected)
    assert m.ledger.raised[PSYCH] == expected.sum()


# --- self-provision follows the phase -----------------------------------------------------------------------

def test_no_self_provision_when_phase_forbids_it():
    m = build(days=20, phases=[phase(outing_interval=0, shop_access=0.0, self_medical=0.0)],
              **{"needs.psych_threshold": 1.0})
    raised_food = 0
    for _ in range(20):
        m.step()
        assert m.ledger.met_by.get("self", 0) == 0, m.ledger.met_by
        assert m.ledger.met[FOOD] <= m.ledger.met_by.get("cadre", 0)
        raised_food += int(m.ledger.raised[FOOD])
    assert raised_food > 100  # plenty of food needs arose; none was met by the household itself


def test_self_provision_under_permissive_phase():
    m = build(days=10, phases=[phase(outing_interval=1, shop_access=1.0, self_medical=1.0)],
              **{"needs.frail_self_provision": 1.0, **STARVED})
    self_met = 0
    for _ in range(10):
        m.step()
        hh = m.households
        assert not hh.open[:, FOOD].any() and not hh.open[:, MEDICINE].any() and not hh.open[:, MEDICAL].any()
        assert m.ledger.met_by.get("self", 0) >= m.ledger.raised[FOOD]
        self_met += m.ledger.met_by.get("self", 0)
    assert self_met > 100


def test_outings_only_every_interval_days_and_nobody_waits_longer():
    interval = 3
    m = build(days=12, phases=[phase(outing_interval=interval, shop_access=1.0)],
              **{"needs.frail_self_provision": 1.0, **STARVED})
    hh = m.households
    turn = np.full(hh.n, -1)  # the day of the cycle on which each household has been seen shopping
    waiting = shoppers = 0
    for day in range(12):
        before = hh.food_stock.copy()
        m.step()
        bought = np.flatnonzero(hh.food_stock > np.maximum(before - 1.0, 0.0) + 1e-9)
        assert ((turn[bought] == -1) | (turn[bought] == day % interval)).all()  # one turn per household
        turn[bought] = day % interval
        shoppers += len(bought)
        # with shops that always have food, a food need waits at most until the household's next turn
        assert (day - hh.raised_day[hh.open[:, FOOD], FOOD] <= interval - 2).all()
        waiting += int(hh.open[:, FOOD].sum())
        assert m.ledger.met[FOOD] == len(bought)  # every food need met was a shopping trip (no deliveries)
    assert waiting > 0 and shoppers > 50  # households do wait for their turn, and do shop on it
    assert set(turn[turn >= 0].tolist()) == set(range(interval))  # turns are staggered


# --- reporting and screening --------------------------------------------------------------------------------

def test_offline_households_never_report_online():
    m = build(days=10, **GENEROUS, **{"reporting.online_prob": 1.0, "reporting.call_prob": 0.0,
                                      "reporting.neighbour_prob": 0.0, "cadres.screening_share": 0.0})
    hh = m.households
    offline = ~hh.digital
    assert 10 < offline.sum() < hh.n
    assert not m.neighbour_report_prob.any()
    hidden_offline = reported = 0
    for _ in range(10):
        m.step()
        assert not hh.reported[offline].any()
        np.testing.assert_array_equal(hh.hidden[offline], hh.open[offline])
        assert not hh.hidden[~offline].any()  # every digital household posted, and the cadres read it all
        assert m.today["hidden_offline"] == m.today["unmet_offline"]
        hidden_offline += int(hh.hidden[offline].sum())
        reported += m.ledger.reported
    assert hidden_offline > 0 and reported > 0


def test_coordination_capacity_limits_reports_taken():
    channels = {"reporting.online_prob": 1.0, "reporting.call_prob": 1.0, "cadres.screening_share": 0.0}
    tiny = build(**channels, **{"cadres.hours_per_day": 0.05})
    ample = build(**channels, **GENEROUS)
    tiny.step()
    ample.step()
    r = tiny.config.reporting
    reached = tiny.households.reported.any(axis=1).sum()
    capacity = tiny.today["coordinator_capacity"]
    assert reached <= capacity / min(r.message_hours, r.call_hours) + 1e-9
    assert tiny.hours.spent("calls") + tiny.hours.spent("posts") <= capacity + 1e-6
    assert tiny.today["coordinator_load"] > tiny.today["coordinator_capacity"]
    assert tiny.households.hidden[tiny.households.digital].any()  # willing to report, not heard
    assert ample.today["coordinator_load"] <= ample.today["coordinator_capacity"]
    assert ample.ledger.reported > 5 * max(tiny.ledger.reported, 1)


def test_report_and_screening_shares_cannot_exceed_all_hours():
    with pytest.raises(scenarios.ScenarioError) as info:
        build(**{"cadres.coordination_share": 0.8, "cadres.screening_share": 0.7})
    assert "cadres.coordination_share" in str(info.value) and "cadres.screening_share" in str(info.value)


def test_reports_and_screening_never_take_more_hours_than_cadres_have():
    m = build(**{"cadres.coordination_share": 0.6, "cadres.screening_share": 0.4, "reporting.call_prob": 1.0,
                 "reporting.call_hours": 1.0, "reporting.screen_hours": 1.0,
                 "population.low_income_share": 0.5})
    busy = []
    for _ in range(3):
        m.step()
        h, c = m.hours, m.config.cadres
        reports, screening = h.spent("calls") + h.spent("posts"), h.spent("screening")
        own = h.offered("cadre").sum() - h.spent("gates", "cadre")
        assert reports + screening <= own + 1e-9
        busy.append(reports > 0.9 * c.coordination_share * own and screening > 0.9 * c.screening_share * own)
    assert any(busy)  # the bound was tested while both budgets were nearly spent


def test_screening_reveals_register_households_needs():
    m = build(days=10, **GENEROUS, **{"reporting.online_prob": 0.0, "reporting.call_prob": 0.0,
                                      "reporting.neighbour_prob": 0.0, "cadres.screening_share": 0.5})
    hh = m.households
    register = hh.on_register
    assert 0 < register.sum() < hh.n
    for _ in range(5):
        m.step()
        assert not hh.hidden[register].any()  # the whole register is screened every day
        assert not hh.reported[~register].any()
        np.testing.assert_array_equal(hh.hidden[~register], hh.open[~register])
    assert m.daily()["reported_total"].sum() > 0


def test_screening_works_down_the_register_in_turn():
    m = build(days=10, **{"reporting.online_prob": 0.0, "reporting.call_prob": 0.0,
                          "reporting.neighbour_prob": 0.0, "reporting.screen_hours": 2.0})
    hh, reg = m.households, m.register
    for _ in range(4):
        start = m.register_pointer
        m.step()
        k = round(m.hours.spent("screening") / m.config.reporting.screen_hours)
        assert 0 < k < len(reg)
        window = reg[(start + np.arange(k)) % len(reg)]
        assert m.register_pointer == (start + k) % len(reg)
        reported_rows = np.flatnonzero((hh.reported & (hh.reported_day == m.day - 1)).any(axis=1))
        assert set(reported_rows.tolist()) <= set(window.tolist())
        assert not hh.hidden[window].any()


# --- triage and delivery ------------------------------------------------------------------------------------

def _clear(m: CommunityModel) -> None:
    hh = m.households
    for arr in (hh.open, hh.reported, hh.failed):
        arr[:] = False


def test_first_come_classes_follow_reported_day():
    m = build()
    rng = np.random.default_rng(0)
    rows = rng.choice(m.households.n, 50, replace=False)
    cats = rng.integers(0, len(CATEGORIES), 50)
    m.households.reported_day[rows, cats] = rng.integers(0, 10, 50)
    classes = triage.first_come(m, rows, cats)
    day = m.households.reported_day[rows, cats]
    earlier = day[:, None] < day[None, :]
    assert (classes[:, None] < classes[None, :])[earlier].all()
    assert (classes[:, None] == classes[None, :])[day[:, None] == day[None, :]].all()


def test_delivery_serves_earlier_reports_first():
    m = build(days=40)
    _clear(m)
    hh = m.households
    m.day = 30
    grid = m.network.grid
    rows = np.flatnonzero(grid == 0)[:40]
    hh.open[rows, FOOD] = hh.reported[rows, FOOD] = True
    hh.reported_day[rows, FOOD] = np.arange(40) % 8 + 20
    q = delivery.queue(m)
    capacity = np.zeros(m.network.n_grids)
    capacity[0] = 10 * m.config.cadres.food_hours  # room for 10 of the 40
    served, used = delivery.serve(m, q, capacity, m.cadre_task_hours, "cadre", 0.1)
    assert served.sum() == 10
    days_served = hh.reported_day[q.rows[served], q.cats[served]]
    days_waiting = hh.reported_day[q.rows[~served], q.cats[~served]]
    assert days_served.max() <= days_waiting.min()
    assert used[0] <= capacity[0] + 1e-9


@pytest.mark.parametrize("seed", range(8))
def test_a_queue_in_category_order_reads_one_categorys_entries_as_a_scan_of_all_would(seed):
    """The day's queue knows where each category's entries start. A team of some categories, a need closed in one,
    the social workers' entries: each read from the blocks alone, it is what a scan of the whole queue gives, with
    entries taken out before (`gone`) and a part mask or none."""
    from simulation.linkage.organisations import _theirs

    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(0, 400)), len(CATEGORIES)
    cats = np.sort(rng.integers(0, k, n)).astype(np.int64)
    rows = rng.integers(0, 300, n).astype(np.int64)
    classes = rng.integers(0, 30, n).astype(np.int64)
    starts = delivery._starts_of(cats, k)
    assert np.array_equal(starts, np.searchsorted(cats, np.arange(k + 1)))
    grid = rng.integers(0, 4, 300).astype(np.int64)
    for _ in range(6):
        team_of = np.where(rng.random(k) < 0.4, 0, -1).astype(np.int64)
        bounds = np.array([0, 1 if rng.random() < 0.5 else 4], dtype=np.int64)
        cost = rng.random((1, k))
        gone = rng.random(n) < 0.3 if rng.random() < 0.5 else np.zeros(0, dtype=bool)
        part = rng.random(n) < 0.6 if rng.random() < 0.5 else np.zeros(0, dtype=bool)
        scanned = delivery._team_entries(rows, cats, classes, grid, team_of, bounds, cost, gone, part,
                                         np.zeros(0, dtype=np.int64))
        by_blocks = delivery._team_entries(rows, cats, classes, grid, team_of, bounds, cost, gone, part, starts)
        for a, b in zip(scanned, by_blocks):
            assert np.array_equal(a, b)
        category = int(rng.integers(0, k))
        open_c = rng.random(300) < 0.5
        whole = delivery._closed(rows, cats, gone, open_c, category, 0, n)
        block = delivery._closed(rows, cats, gone, open_c, category, starts[category], starts[category + 1])
        assert np.array_equal(whole[0], block[0]) and whole[1] == block[1]
        distress = rng.random(300)
        whole = _theirs(rows, cats, distress, 0.5, category, 0, n)
        block = _theirs(rows, cats, distress, 0.5, category, starts[category], starts[category + 1])
        assert np.array_equal(whole[0], block[0]) and whole[1] == block[1]


def test_the_days_queue_keeps_its_category_blocks_as_entries_leave_it():
    m = build(households=400, days=40)
    while m.day < 30:
        m.step()
    q = delivery.queue(m)
    assert len(q) > 0
    q = q.less_closed(m.households.open, PSYCH)
    left, _ = delivery.serve_teams(m, q, [delivery.pool_team((FOOD,), 5.0, {FOOD: 1.0}, "cadre", 0.0)])
    for queue in (left, left.part(np.arange(len(left)) % 2 == 0)):
        for c in range(len(CATEGORIES)):
            lo, hi = queue.span(c)
            assert np.all(queue.cats[lo:hi] == c) and np.count_nonzero(queue.cats == c) == hi - lo
    mixed = delivery.Queue(left.rows[::-1].copy(), left.cats[::-1].copy(), left.classes[::-1].copy())
    assert mixed.span(FOOD) == (0, len(mixed))  # not in category order: the whole queue


def _hand_queue(m: CommunityModel, rng: np.random.Generator, size: int, n_classes: int):
    _clear(m)
    hh = m.households
    flat = rng.choice(hh.n * len(CATEGORIES), size, replace=False)
    rows, cats = flat // len(CATEGORIES), flat % len(CATEGORIES)
    hh.open[rows, cats] = hh.reported[rows, cats] = True
    return delivery.Queue(rows, cats, rng.integers(0, n_classes, size))


@pytest.mark.parametrize("seed", range(6))
def test_delivery_never_exceeds_capacity_and_serves_class_by_class(seed):
    m = build(households=300)
    rng = np.random.default_rng(seed)
    q = _hand_queue(m, rng, 120, n_classes=4)
    hours = np.array([0.5, 2.0, 3.0, 1.0, 0.3])
    capacity = rng.uniform(0.0, 25.0, m.network.n_grids)
    capacity[0] = 0.0  # a cell with no hours serves nobody
    hh = m.households
    food_before = hh.food_stock.copy()
    served, used = delivery.serve(m, q, capacity, hours, "cadre", 0.1)

    grid, cost = m.network.grid[q.rows], hours[q.cats]
    assert (used <= capacity + 1e-9).all()
    np.testing.assert_allclose(used, np.bincount(grid[served], weights=cost[served], minlength=len(capacity)))
    assert not served[grid == 0].any()
    for g in range(len(capacity)):
        mine = grid == g
        if not (mine & ~served).any():
            continue
        left = capacity[g] - used[g]
        waiting = mine & ~served
        # the cell stopped because nothing still waiting within the look-ahead fits what is left
        horizon = q.classes[waiting].min() + delivery.LOOKAHEAD
        assert (cost[waiting & (q.classes <= horizon)] > left - 1e-9).all()
        # a need of a later class was served while one of an earlier class waits only if the earlier one did not
        # fit: every waiting need that a later-class served need jumped is dearer than that served need
        for i in np.flatnonzero(served & mine):
            jumped = waiting & (q.classes < q.classes[i])
            assert (cost[jumped] > cost[i]).all()
    # served needs are closed, the rest still open and known
    assert not hh.open[q.rows[served], q.cats[served]].any()
    assert hh.open[q.rows[~served], q.cats[~served]].all()
    assert hh.reported[q.rows[~served], q.cats[~served]].all()
    assert m.ledger.met_by["cadre"] == served.sum() and m.ledger.met.sum() == served.sum()
    fed = q.rows[served & (q.cats == FOOD)]
    assert (hh.food_stock[fed] > food_before[fed]).all()


@pytest.mark.parametrize("seed", range(4))
def test_teams_served_in_one_pass_equal_teams_served_one_after_the_other(seed):
    """`serve_teams` is an optimisation of separate `serve` calls for teams with disjoint categories: the same
    needs served, the same hours used per cell, the same household state, because each team keeps its stream."""
    hours = np.array([0.5, 2.0, 3.0, 1.0, 0.3])
    outcomes = []
    for together in (True, False):
        m = build(households=300)
        rng = np.random.default_rng(seed)
        q = _hand_queue(m, rng, 150, n_classes=5)
        n = m.network.n_grids
        teams = [delivery.Team((FOOD, 4), rng.uniform(0.0, 6.0, n), hours, "volunteer_general"),
                 delivery.Team((MEDICINE, MEDICAL), rng.uniform(0.0, 6.0, n), hours, "volunteer_medical"),
                 delivery.Team((PSYCH,), np.array([7.5]), hours, "online_psych", 0.3)]
        if together:
            left, used = delivery.serve_teams(m, q, teams)
        else:
            left, used = q, []
            for team in teams:
                mine = np.isin(left.cats, team.categories)
                sub = delivery.Queue(left.rows[mine], left.cats[mine], left.classes[mine])
                served, u = delivery.serve(m, sub, team.capacity, team.hours, team.by, team.counselling_effect)
                done = np.zeros(len(left), dtype=bool)
                done[np.flatnonzero(mine)[served]] = True
                left, _ = left.without(done), used.append(u)
        hh = m.households
        outcomes.append((left.rows, left.cats, used, hh.open.copy(), hh.food_stock.copy(), hh.distress.copy(),
                         dict(m.ledger.met_by)))
    a, b = outcomes
    assert 0 < len(a[0]) < 150, "the capacities must leave some needs waiting, or the test shows nothing"
    for x, y in zip(a, b):
        if isinstance(x, list):
            for u, v in zip(x, y):
                np.testing.assert_array_equal(u, v)
        elif isinstance(x, dict):
            assert x == y
        else:
            np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("seed", range(3))
def test_teams_serving_part_of_the_queue_serve_it_as_a_queue_of_its_own(seed):
    """`serve_part` serves the entries of a mask as `serve_teams` serves a queue of those entries alone, and leaves
    the other entries in their order (the property staff take their compounds' part of the queue this way)."""
    hours = np.array([0.5, 2.0, 3.0, 1.0, 0.3])
    outcomes = []
    for whole in (True, False):
        m = build(households=300)
        rng = np.random.default_rng(seed)
        q = _hand_queue(m, rng, 150, n_classes=5)
        part = rng.random(len(q)) < 0.5
        team = [delivery.Team((FOOD, 4), rng.uniform(0.0, 4.0, m.network.n_grids), hours, "property_staff")]
        if whole:
            left = delivery.serve_part(m, q, part, team)
        else:
            own = delivery.Queue(q.rows[part], q.cats[part], q.classes[part])
            rest, _ = delivery.serve_teams(m, own, team)
            kept = {(r, c) for r, c in zip(rest.rows.tolist(), rest.cats.tolist())}
            stay = ~part | np.array([(r, c) in kept for r, c in zip(q.rows.tolist(), q.cats.tolist())])
            left = delivery.Queue(q.rows[stay], q.cats[stay], q.classes[stay])
        outcomes.append((left.rows, left.cats, left.classes, m.households.open.copy(),
                         m.households.food_stock.copy()))
    a, b = outcomes
    assert len(q) - int(part.sum()) < len(a[0]) < len(q), "some of the part must be served and some left"
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def test_delivery_serves_everything_when_hours_suffice():
    m = build(households=300)
    q = _hand_queue(m, np.random.default_rng(9), 60, n_classes=3)
    hours = np.ones(len(CATEGORIES))
    served, used = delivery.serve(m, q, np.full(m.network.n_grids, 1000.0), hours, "volunteer", 0.0)
    assert served.all() and used.sum() == 60
    assert not m.households.open.any()
    assert m.ledger.met_by == {"volunteer": 60}


# --- cadres tire --------------------------------------------------------------------------------------------

def test_cadre_fatigue_rises_with_load_and_lowers_hours():
    m = build()
    c = m.config.cadres
    cadre = next(iter(m.cadres))
    assert isinstance(cadre, Cadre)
    assert cadre.hours_today() == c.hours_per_day
    cadre.end_day(1.0, cadre.hours_today())
    assert cadre.fatigue == pytest.approx(c.fatigue_rate)
    assert cadre.hours_worked == pytest.approx(c.hours_per_day)
    full = cadre.hours_today()
    assert full == pytest.approx(c.hours_per_day * (1 - c.fatigue_penalty * c.fatigue_rate))
    cadre.end_day(0.5, full)
    assert cadre.fatigue == pytest.approx(1.5 * c.fatigue_rate)
    assert cadre.hours_worked == pytest.approx(0.5 * full)
    assert cadre.hours_today() < full
    cadre.end_day(0.0, cadre.hours_today())
    assert cadre.fatigue == pytest.approx(1.5 * c.fatigue_rate)  # no load, no relief: fatigue stays
    for _ in range(1000):
        cadre.end_day(1.0, cadre.hours_today())
    assert cadre.fatigue == 1.0  # capped
    assert cadre.hours_today() == pytest.approx(c.hours_per_day * (1 - c.fatigue_penalty))


def test_no_cadres_means_no_hours_and_no_service():
    m = build(households=300, days=10, **{"cadres.per_1000_households": 0.0})
    assert len(m.cadres) == 0
    while m.running:
        m.step()
    assert (m.hours.offered(CADRES) == 0).all()
    assert "cadre" not in m.ledger.met_by
    assert m.daily()["reported_total"].sum() == 0  # nobody to take reports: every need stays hidden
    assert m.daily()["hidden_total"].iloc[-1] == m.daily()["unmet_total"].iloc[-1]


@pytest.mark.parametrize("per_1000", [1.0, 5.3, 40.0])
def test_every_grid_cell_gets_the_cadres_hours(per_1000):
    m = build(households=600, **{"cadres.per_1000_households": per_1000})
    cadres = list(m.cadres)
    assert len(cadres) == max(1, round(per_1000 * 600 / 1000))
    offered = sum(c.hours_today() for c in cadres)
    m.step()
    assert (m.hours.offered(CADRES) > 0).all()  # no cell is left without cadre time
    assert m.hours.offered(CADRES).sum() == pytest.approx(offered)  # and no hours are made up or lost
    assert m.hours.spent("gates") <= m.hours.offered(CADRES).sum() + 1e-9


def test_heavier_load_tires_cadres_more_in_the_model():
    light = build(days=15, **{"cadres.per_1000_households": 100.0})
    heavy = build(days=15, phases=[phase(outing_interval=0, shop_access=0.0, gate_hours_per_1000=10.0)],
                  **{"cadres.per_1000_households": 3.0})
    for m in (light, heavy):
        while m.running:
            m.step()
    dl, dh = light.daily(), heavy.daily()
    assert dh["cadre_fatigue"].iloc[-1] > dl["cadre_fatigue"].iloc[-1]
    assert (np.diff(dh["cadre_fatigue"]) >= 0).all()  # nobody relieves them
    assert (np.diff(dh["coordinator_capacity"]) <= 1e-9).all()  # so their hours shrink
    assert dh["coordinator_capacity"].iloc[-1] < dh["coordinator_capacity"].iloc[0]
    assert dh["cadre_fatigue"].iloc[-1] == pytest.approx(np.mean([c.fatigue for c in heavy.cadres]))


# --- prices -------------------------------------------------------------------------------------------------

def test_price_target_rises_as_food_supply_drops():
    m = build()
    p = m.config.prices
    m.food_seekers = int(round(p.normal_need_share * m.households.n))  # a normal day's demand
    after = []
    for supply in (2.0, 1.0, 0.5, 0.25):
        m.phase = Phase(name="x", start=0, food_supply=supply)
        m.price_index = 1.0
        prices.update(m)
        demand = m.food_seekers / m.households.n / p.normal_need_share
        target = max(1.0, demand / supply) ** p.elasticity
        assert m.price_index == pytest.approx(1.0 + p.adjustment * (target - 1.0))
        after.append(m.price_index)
    assert after[0] == pytest.approx(1.0)
    assert after[1] < after[2] < after[3]


def test_prices_rise_in_a_run_when_food_supply_drops():
    low = build(days=15, phases=[phase(food_supply=0.2)])
    high = build(days=15, phases=[phase(food_supply=5.0)])
    for m in (low, high):
        while m.running:
            m.step()
    pl, ph = low.daily()["price_index"], high.daily()["price_index"]
    assert (pl >= 1.0).all() and (ph >= 1.0).all()
    assert pl.iloc[-1] > ph.iloc[-1]
    assert low.summary()["price_index_peak"] > 1.5


def test_zero_normal_need_share_is_rejected_or_runs():
    try:
        m = build(days=2, **{"prices.normal_need_share": 0.0})
    except scenarios.ScenarioError:
        return
    m.step()
    assert np.isfinite(m.price_index)


# --- consequences -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("deadline", [0, 1, 2])
def test_every_missed_dialysis_session_is_a_critical_failure(deadline):
    """Nobody can meet a medical need, so each patient's first need stays open; every session that falls due after
    it is missed too, and each missed session fails once its own deadline passes (not once per open need)."""
    interval, days = 3, 9
    m = build(households=200, days=days, phases=[phase(self_medical=0.0)], **STARVED, **{
        "population.dialysis_share": 1.0, "needs.acute_rate": 0.0, "needs.acute_rate_chronic": 0.0,
        "needs.dialysis_interval": interval, "needs.medical_deadline_days": deadline})
    hh = m.households
    per_day = []
    for _ in range(days):
        m.step()
        assert m.ledger.met[MEDICAL] == 0
        per_day.append(m.ledger.critical_failures)
    assert hh.open[:, MEDICAL].all()  # one open need per patient: no second is raised
    first = hh.raised_day[:, MEDICAL]
    assert first.max() < interval
    sessions = [first + k * interval for k in range(days // interval + 1)]  # every session due, per patient
    expected = [int(sum(((due + deadline == day) & (due < days)).sum() for due in sessions)) for day in range(days)]
    assert per_day == expected
    assert sum(per_day) > hh.n  # more failures than patients: the sessions missed after the first count
    assert m.summary()["critical_failures"] == sum(per_day)
    assert hh.bereaved.all()  # each patient's household carries the loss


def test_critical_failure_only_for_medical_needs():
    m = build(days=10, **STARVED, **{"population.dialysis_share": 0.0, "needs.acute_rate": 0.0,
                                     "needs.acute_rate_chronic": 0.0})
    for _ in range(10):
        m.step()
    assert m.households.open.sum() > 40  # plenty of other needs left unmet for days
    assert m.summary()["critical_failures"] == 0


@pytest.mark.parametrize("stress, extreme", [(0.1, 1.0), (-0.1, 0.0)])
def test_distress_stays_in_unit_interval(stress, extreme):
    push = {"distress.unmet_stress": 1.0, "distress.hunger_stress": 1.0} if stress > 0 else \
        {"distress.relaxation": 1.0, "distress.support": 1.0}
    m = build(days=10, phases=[phase(isolation_stress=stress, outing_interval=0)], **push, **STARVED)
    for _ in range(10):
        m.step()
        d = m.households.distress
        assert ((d >= 0.0) & (d <= 1.0)).all()
    assert (d == extreme).mean() > 0.3  # the bound is reached, so the clip is exercised


def test_counselling_lowers_distress_and_isolation_raises_it():
    m = build()
    _clear(m)
    hh = m.households
    rows = np.arange(10)
    hh.distress[rows] = 0.8
    hh.open[rows, PSYCH] = hh.reported[rows, PSYCH] = True
    q = delivery.Queue(rows, np.full(10, PSYCH), np.zeros(10, dtype=np.int64))
    served, _ = delivery.serve(m, q, np.array([100.0]), np.ones(len(CATEGORIES)), "cadre", 0.25)  # room for all
    assert served.all() and not hh.open[rows, PSYCH].any()
    np.testing.assert_allclose(hh.distress[rows], 0.55)

    calm = build(days=10, phases=[phase(isolation_stress=-0.01)])
    tense = build(days=10, phases=[phase(isolation_stress=0.01)])
    for _ in range(10):
        calm.step()
        tense.step()
    assert tense.households.distress.mean() > calm.households.distress.mean() + 0.05


def test_consequences_apply_directly_marks_late_medical_needs():
    m = build()
    _clear(m)
    hh = m.households
    m.day = 5
    deadline = m.config.needs.medical_deadline_days
    hh.open[:6, MEDICAL] = True
    hh.raised_day[:6, MEDICAL] = [5, 5 - deadline, 5 - deadline - 1, 0, 5, 5]
    hh.failed[3, MEDICAL] = True  # already counted
    consequences.apply(m)
    assert m.ledger.critical_failures == 2
    np.testing.assert_array_equal(hh.failed[:6, MEDICAL], [False, True, True, True, False, False])


@pytest.mark.parametrize("categories_in_queue", [(), (FOOD,), (FOOD, MEDICINE)])
def test_a_pool_serves_a_queue_without_its_category(categories_in_queue):
    """A community-wide pool (social workers, PSYCH) given a queue that is empty or holds only other categories
    leaves it as it was, without looking up its cost table by a category the queue does not hold."""
    m = build(households=300)
    _clear(m)
    hh = m.households
    rows = np.arange(len(categories_in_queue) * 5) % hh.n
    cats = np.repeat(np.array(categories_in_queue, dtype=np.int64), 5)
    hh.open[rows, cats] = hh.reported[rows, cats] = True
    q = delivery.queue(m)
    left = delivery.serve_pool(m, q, (PSYCH,), 100.0, {PSYCH: 1.0}, "social_worker", 0.3)
    assert np.array_equal(left.rows, q.rows) and np.array_equal(left.cats, q.cats)
    assert m.ledger.met.sum() == 0


def test_three_social_runs_to_the_end_in_a_small_community():
    """300 households: days come when no psychological need is known while the social workers serve."""
    r = simulation.run("three_social", seed=1, households=300, days=90)
    assert len(r.daily) == 90


@pytest.mark.parametrize("preset", scenarios.names())
def test_every_preset_runs_in_tiny_communities(preset):
    """Edge sizes (one household, a handful, a building) leave queues and pools empty on many days: every
    preset still runs to its end with its bookkeeping whole."""
    for households in (1, 7, 50):
        for seed in (0, 1):
            r = simulation.run(preset, seed=seed, households=households, days=90)
            assert len(r.daily) == 90
            assert (r.daily["unmet_total"] >= r.daily["hidden_total"]).all()


def test_the_cadre_roster_grows_one_row_per_cadre_whatever_was_set_anew():
    """Rows come from spare room; a field replaced by a new array (not a view on it) is kept as it was set."""
    from agents.cadre import CadreRoster

    roster = CadreRoster(build(households=60).config.cadres)
    for k in range(40):
        assert roster.add(sunk=k % 2 == 1) == k
    assert len(roster) == 40 and roster.sunk.tolist() == [k % 2 == 1 for k in range(40)]
    assert (roster.off_until == -1).all() and not roster.gone.any() and (roster.fatigue == 0).all()
    roster.fatigue = roster.fatigue + 0.25  # set anew
    roster.add()
    assert roster.fatigue.tolist() == [0.25] * 40 + [0.0] and len(roster.load) == 41
    roster.truncate(10)
    roster.add(sunk=True)
    assert len(roster) == 11 and roster.sunk[-1] and roster.fatigue.tolist() == [0.25] * 10 + [0.0]


@pytest.mark.parametrize("n, p", [(1, 0.5), (50, 0.01), (3000, 0.003), (10_000, 0.2), (7, 0.999)])
def test_rare_events_strike_each_household_with_its_chance_from_geometric_gaps(n, p):
    """The struck households are the running sums of geometric gaps below n, drawn a chunk at a time until they
    pass n: the same numbers as drawing the gaps with NumPy and cutting their running sums at n."""
    from simulation.needs import _rare_events, _struck

    assert [list(x) if i == 0 else x for i, x in enumerate(_struck(np.array([1, 1, 3]), 10))] == [[0, 1, 4], False]
    assert [list(x) if i == 0 else x for i, x in enumerate(_struck(np.array([2, 9, 1]), 10))] == [[1], True]
    for seed in range(5):
        got = _rare_events(n, p, np.random.default_rng(seed))
        rng = np.random.default_rng(seed)
        chunk = int(n * p + 6 * np.sqrt(n * p) + 16)
        positions = np.cumsum(rng.geometric(p, chunk)) - 1
        while positions[-1] < n:
            positions = np.concatenate([positions, positions[-1] + np.cumsum(rng.geometric(p, chunk))])
        assert np.array_equal(got, positions[positions < n])
        assert np.all(np.diff(got) > 0) and (len(got) == 0 or 0 <= got[0] and got[-1] < n)


@pytest.mark.parametrize("seed", range(6))
def test_the_needs_marks_are_collected_as_flatnonzero_finds_them(seed):
    """`needs._collect` gives flatnonzero of the marks, after what `into` held, at every density (none, few, half,
    all: skipping empty words or not) and length."""
    from simulation.needs import _collect, _marked

    rng = np.random.default_rng(seed)
    for share in (0.0, 0.01, 0.1, 0.5, 1.0):
        n = int(rng.integers(0, 200))
        words = (n + 7) // 8
        marks = np.zeros(8 * words, np.uint8)
        marks[:n] = rng.random(n) < share
        marks_w = marks.view(np.uint64)
        count = _marked(marks_w)
        assert count == np.count_nonzero(marks)
        into = np.full(3 + count + 8, -1, np.int64)
        assert _collect(marks_w, count, into, 3) == 3 + count
        assert np.array_equal(into[3:3 + count], np.flatnonzero(marks)) and np.all(into[:3] == -1)
