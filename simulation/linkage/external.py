"""External linkage: community group buying, scheduled supply and love vegetables, donated protective supplies, and
how what is handed out is targeted.

Source: domain.md, "Three kinds of linkage" (Song): *external linkage — outside the community, the internet links
residents and volunteers and brings in real help: buying and distributing masks, disinfectant and other supplies*;
"Actors" and "Prices and supply" (Huang): residents kept life going through community group buying (社区团购); the
city guaranteed supply and handed out "love vegetables" (爱心菜); "Last-mile precision" (Song, Huang): charity
resources reach the right people when those who know the recipients direct them. Figures: domain-facts, "Supply and
group buying": a package of ~6 kg for ~3 people x 3 days; an order goes ahead at 50 or 100 packages; early waits
5-6 days, next day by mid-March (M); 8,500 t of donated vegetables in city stock on 31 Jan (H); Timeline: from days
24-26 supermarkets sell only to group buyers (H). Stylized facts 1 (waits drop from 5-6 days to next day), 3
(group-buy thresholds favour organised, digitally connected compounds; where nobody organises, households go
unserved) and 9 (the problem was distribution, not total supply; a donated load stood blocked at a gate).

**Group buying** (from `group_buy_start_day`). Each building has an organiser: its resident leader where internal
linkage gave it one (`internal.leader_share`), else, with chance `organiser_share`, a digital resident; cadres take
the orders of the other buildings (`cadres_organise`), at `organise_hours` of the grid cell's cadre hours per order,
as far as their hours go. A household orders one package at a time. A digital household, which sees the orders in
its building's online group, orders ahead: whenever the food it has plus the packages it has on order fall to
`needs.food_reorder_days` plus the current lead time (an order-up-to rule; resident groups ordered about every 4
days with 5-6-day waits, so several orders were on their way at once: domain-facts). An offline household orders
only once it has an open food need that a responder knows of (reported) and nothing on order. A grid cell (the
stand-in for a compound gate) pools its organisers' lists; the pooled order goes ahead once it holds `batch_min`
packages, and arrives at the gate after a lead time that falls linearly from `lead_days_initial` to
`lead_days_final` over `maturation_days`. Sign-ups provided for some other way before the order went out are
dropped.

At the gate, households allowed out that day (the phase's outing rule) fetch their own packages, as they would go
shopping (frail ones with chance `needs.frail_self_provision`); each organiser carries packages to its own
building's doors for `organiser_hours` a day; the cadres carry the rest at `distribution_hours` each, out of the
cell's delivery hours; earliest arrivals first. Packages nobody carried wait at the gate. A package adds
`needs.package_days` of food (scaled by household size, like a cadre's delivery) and meets the open food need.
While a household has a package ordered or at the gate it waits for it: the cadres do not buy food for it as well.

**Scheduled supply and donations.** On each of `supply_days`, `supply_per_1000` food packages per 1,000 households
(guaranteed supply, love vegetables) arrive, split among the grid cells by households; on `donation_days`, kits of
protective supplies likewise. The cadres hand them out at `distribution_hours` each from what group buying left of
their hours; the rest waits at the gate. A household gets at most one package (or kit) a day. Who gets them is the
`targeting` mode, the same in every cell:

- `equal`: every household in turn (a fixed random rotation of the cell's households), short or not;
- `first_come`: households who see the notice in the online group come first, short ones first, then the other
  digital households (free goods are taken whether needed or not), then offline households whose need is known to
  a responder, then the rest; random order inside each class, since arrival at the gate is a race. This is "first
  come" as the digital divide makes it (domain-facts stylized fact 4): the notice travels online, so offline
  households come last whatever their need;
- `need`: assessed need: known (reported) needs of vulnerable households, then other known needs, with the least
  food first; then the households on the register of special groups; then the rest.

A food package meets an open food need or adds to the household's stock; a kit meets an open supplies need at once
or is kept for the household's next one.

Cadre hours spent organising and distributing are spent from the cadres' hours in the day's ledger (simulation/
hours.py: tasks `organising` and `distribution`, from every cadre of the cell, sunk or not), so the cadres' own
deliveries get only what is left and their fatigue counts them; the organisers' carrying is spent from their own
hours (kind `organiser`, `organiser_hours` per organised building). Random draws come from the streams
`external:<part>` of the day, so nothing changes before the first start day (common random numbers).
"""

from __future__ import annotations

import numpy as np

from simulation.delivery import Queue
from simulation.hours import CADRES
from simulation.households import FOOD, SUPPLIES
from simulation import linkage
from simulation.linkage import Mechanism
from simulation.linkage.internal import InternalLinkage


def rank_within(group: np.ndarray, *keys: np.ndarray) -> np.ndarray:
    """Rank (from 0) of each element inside its group, ordered by `keys` (the first key most significant)."""
    if len(group) == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((*reversed(keys), group))
    g = group[order]
    rank = np.empty(len(group), dtype=np.int64)
    rank[order] = np.arange(len(group)) - np.searchsorted(g, g, side="left")
    return rank


def _split(total: int, sizes: np.ndarray) -> np.ndarray:
    """`total` items split among cells in proportion to `sizes` (largest remainders, ties to the lower cell)."""
    share = total * sizes / sizes.sum()
    base = np.floor(share).astype(np.int64)
    extra = total - int(base.sum())
    if extra > 0:
        base[np.argsort(-(share - base), kind="stable")[:extra]] += 1
    return base


class ExternalLinkage(Mechanism):
    name = "external"
    COLUMNS = {"organisers_active": 0}  # the resident organisers (leaders are counted as leaders, not here)

    def setup(self, model) -> None:
        self.cfg = c = model.config.external
        net, hh = model.network, model.households
        n, n_grids = hh.n, net.n_grids
        n_buildings = int(net.building[-1]) + 1
        internal = linkage.find(model, InternalLinkage)  # buildings that internal linkage gave a resident leader
        leader = internal.led_buildings.copy() if internal is not None else np.zeros(n_buildings, dtype=bool)
        has_digital = np.bincount(net.building, weights=hh.digital, minlength=n_buildings) > 0
        drawn = model.streams("external:organisers").random(n_buildings) < c.organiser_share
        resident = ~leader & has_digital & drawn
        self.leader_buildings = leader
        self.organised_buildings = leader | resident
        self.resident_organisers = int(resident.sum())
        self.n_organisers = int(self.organised_buildings.sum())
        self.organised = self.organised_buildings[net.building]  # per household
        # Group-buy packages: signed up and pooled (at most one per household), on order (pooled, on the way or at
        # the gate), orders on the way (arrival day, households), and packages waiting at the gate.
        self.pooled = np.zeros(n, dtype=bool)
        self.on_order = np.zeros(n, dtype=np.int64)
        self.shipments: list[tuple[int, np.ndarray]] = []
        self.gate_rows = np.zeros(0, dtype=np.int64)
        self.gate_days = np.zeros(0, dtype=np.int64)
        # Scheduled supply and donated kits: arrivals per day and grid cell, and what waits at each cell's gate.
        sizes = model.households_per_grid.astype(float)
        self.arrivals = {FOOD: self._schedule(c.supply_days, c.supply_per_1000, n, sizes),
                         SUPPLIES: self._schedule(c.donation_days, c.donation_per_1000, n, sizes)}
        self.gate = {FOOD: np.zeros(n_grids, dtype=np.int64), SUPPLIES: np.zeros(n_grids, dtype=np.int64)}
        self.kits = np.zeros(n, dtype=np.int64)
        # Equal shares: each cell's households in a fixed random rotation, one pointer per kind of goods.
        self.rotation = rank_within(net.grid, model.streams("external:rotation").random(n))
        self.pointer = {FOOD: np.zeros(n_grids, dtype=np.int64), SUPPLIES: np.zeros(n_grids, dtype=np.int64)}
        # What happened, for tests and inspection: the day's counts and their totals over the run.
        self.total = dict.fromkeys(self._COUNTS, 0)
        self.total["cadre_hours"] = 0.0
        self.today: dict = {}

    _COUNTS = ("signed_up", "ordered", "arrived", "fetched", "organiser_packages", "cadre_packages", "group_buy",
               "supply", "donation")

    @staticmethod
    def _schedule(days: list[int], per_1000: float, n: int, sizes: np.ndarray) -> dict[int, np.ndarray]:
        total = int(per_1000 * n / 1000.0 + 0.5)
        if total == 0:
            return {}
        per_grid = _split(total, sizes)
        out: dict[int, np.ndarray] = {}
        for day in days:
            out[day] = out.get(day, 0) + per_grid
        return out

    # --- the day ----------------------------------------------------------------------------------------------
    def group_buying(self, model) -> bool:
        return self.cfg.group_buy and model.day >= self.cfg.group_buy_start_day

    def lead_days(self, day: int) -> int:
        """Days from order to arrival for an order placed on `day`."""
        c = self.cfg
        if c.maturation_days == 0:
            return c.lead_days_final
        progress = min(max((day - c.group_buy_start_day) / c.maturation_days, 0.0), 1.0)
        return int(round(c.lead_days_initial + (c.lead_days_final - c.lead_days_initial) * progress))

    def at_gate(self) -> int:
        """Packages and kits waiting at the gates now."""
        return len(self.gate_rows) + int(self.gate[FOOD].sum() + self.gate[SUPPLIES].sum())

    def start_day(self, model) -> None:
        if self.group_buying(model):
            # every organiser (leader or resident) carries its own building's packages for `organiser_hours`
            model.hours.offer("organiser", self.cfg.organiser_hours * self.n_organisers)

    def observe(self, model) -> dict:
        return {"organisers_active": self.resident_organisers if self.group_buying(model) else 0}

    def deliver(self, model, queue: Queue) -> Queue:
        day = model.day
        self.today = dict.fromkeys(self._COUNTS, 0)
        for kind in (FOOD, SUPPLIES):
            arriving = self.arrivals[kind].get(day)
            if arriving is not None:
                self.gate[kind] += arriving
        buying = self.group_buying(model)
        holding = buying or self.gate[FOOD].any() or self.gate[SUPPLIES].any()
        if not holding and not self.kits.any():
            return queue
        if buying:
            self._group_buy(model)
        for kind, by in ((FOOD, "supply"), (SUPPLIES, "donation")):
            if self.gate[kind].any():
                self._hand_out(model, kind, by)
        self._use_kits(model)
        for key in self._COUNTS:
            self.total[key] += self.today[key]
        return self._still_open(model, queue, buying)

    # --- group buying -----------------------------------------------------------------------------------------
    def _cadres(self, model, task: str, cells: np.ndarray, each: float) -> None:
        """Book `each` cadre hours per item handled in each grid cell (`cells`: the cell of every item)."""
        hours = np.bincount(cells, minlength=model.network.n_grids) * each
        self.total["cadre_hours"] += float(model.hours.spend(CADRES, task, hours).sum())

    def _fit(self, model, each: float) -> np.ndarray:
        """How many items of `each` cadre hours still fit in each grid cell's hours today."""
        return np.floor(np.maximum(model.hours.left(CADRES), 0.0) / each + 1e-9).astype(np.int64)

    def _group_buy(self, model) -> None:
        c, hh, net, day = self.cfg, model.households, model.network, model.day
        rng = model.streams("external:group_buy", day)
        n_grids = net.n_grids
        package = model.config.needs.package_days * hh.food_days_factor
        food_open = hh.open[:, FOOD]
        threshold = model.config.needs.food_reorder_days + self.lead_days(day)
        # Sign-ups provided for some other way while they waited in the pool are dropped.
        low = hh.food_stock + (self.on_order - self.pooled) * package <= threshold
        drop = self.pooled & ~(low | food_open)
        self.pooled[drop] = False
        self.on_order[drop] -= 1
        # New sign-ups: digital households order up to their threshold; offline ones once their need is known.
        position = hh.food_stock + self.on_order * package
        wants = (hh.digital & (position <= threshold)) | (food_open & hh.reported[:, FOOD] & (self.on_order == 0))
        can = wants & ~self.pooled
        signed = np.flatnonzero(can & self.organised)
        if c.cadres_organise:
            rest = np.flatnonzero(can & ~self.organised)
            if len(rest):
                g = net.grid[rest]
                taken = rest[rank_within(g, rng.random(len(rest))) < self._fit(model, c.organise_hours)[g]]
                self._cadres(model, "organising", net.grid[taken], c.organise_hours)
                signed = np.concatenate([signed, taken])
        self.pooled[signed] = True
        self.on_order[signed] += 1
        self.today["signed_up"] = len(signed)

        # Each cell's pooled order goes ahead once it holds the minimum batch.
        pooled = np.flatnonzero(self.pooled)
        count = np.bincount(net.grid[pooled], minlength=n_grids)
        ordered = pooled[(count >= c.batch_min)[net.grid[pooled]]]
        if len(ordered):
            self.shipments.append((day + self.lead_days(day), ordered))
            self.pooled[ordered] = False
        self.today["ordered"] = len(ordered)

        arrived = [rows for due, rows in self.shipments if due <= day]
        if arrived:
            self.shipments = [(due, rows) for due, rows in self.shipments if due > day]
            rows = np.concatenate(arrived)
            self.gate_rows = np.concatenate([self.gate_rows, rows])
            self.gate_days = np.concatenate([self.gate_days, np.full(len(rows), day, dtype=np.int64)])
            self.today["arrived"] = len(rows)
        if len(self.gate_rows):
            self._carry(model, rng)

    def _carry(self, model, rng: np.random.Generator) -> None:
        """The last hundred metres: households allowed out fetch, organisers carry in their buildings, then cadres."""
        c, hh, net, day = self.cfg, model.households, model.network, model.day
        rows, days = self.gate_rows, self.gate_days
        tie = rng.random(len(rows))
        carried = np.zeros(len(rows), dtype=bool)
        interval = model.phase.outing_interval
        if interval > 0:
            out = hh.outing_days(interval, day)
            out = out[rows] if isinstance(out, np.ndarray) else out
            carried |= out & (rng.random(len(rows)) < hh.self_provision[rows])
            self.today["fetched"] = int(np.count_nonzero(carried))
        per_organiser = int(c.organiser_hours / c.distribution_hours + 1e-9)
        if per_organiser > 0:  # each organiser carries its own building's packages
            mine = np.flatnonzero(self.organised[rows] & ~carried)
            take = mine[rank_within(net.building[rows[mine]], days[mine], tie[mine]) < per_organiser]
            carried[take] = True
            model.hours.spend("organiser", "distribution", len(take) * c.distribution_hours)
            self.today["organiser_packages"] = len(take)
        left = np.flatnonzero(~carried)
        if len(left):  # the cadres carry the rest, cell by cell
            g = net.grid[rows[left]]
            take = left[rank_within(g, days[left], tie[left]) < self._fit(model, c.distribution_hours)[g]]
            carried[take] = True
            self._cadres(model, "distribution", net.grid[rows[take]], c.distribution_hours)
            self.today["cadre_packages"] = len(take)
        done = rows[carried]
        self.gate_rows, self.gate_days = rows[~carried], days[~carried]
        np.subtract.at(self.on_order, done, 1)
        self._give_food(model, done, "group_buy")

    def _give_food(self, model, rows: np.ndarray, by: str) -> None:
        """Packages to households `rows` (a household may appear more than once)."""
        hh = model.households
        np.add.at(hh.food_stock, rows, model.config.needs.package_days * hh.food_days_factor[rows])
        fed = np.unique(rows)
        model.ledger.meet_rows(hh, fed[hh.open[:, FOOD][fed]], FOOD, model.day, by)
        self.today[by] += len(rows)

    # --- scheduled supply and donations -----------------------------------------------------------------------
    def _hand_out(self, model, kind: int, by: str) -> None:
        c, grid = self.cfg, model.network.grid
        k = np.minimum(self.gate[kind], self._fit(model, c.distribution_hours))
        if not k.any():
            return
        rows = np.flatnonzero(self.priority(model, kind) < k[grid])
        handed = np.bincount(grid[rows], minlength=len(k))
        self.gate[kind] -= handed
        self.total["cadre_hours"] += float(model.hours.spend(CADRES, "distribution",
                                                             handed * c.distribution_hours).sum())
        if c.targeting == "equal":
            self.pointer[kind] = (self.pointer[kind] + handed) % np.maximum(model.households_per_grid, 1)
        if kind == FOOD:
            self._give_food(model, rows, by)
        else:
            self.kits[rows] += 1
            self.today[by] += len(rows)

    def priority(self, model, kind: int) -> np.ndarray:
        """Each household's place (from 0) in its grid cell's line for goods of `kind` under the targeting mode."""
        hh, grid, mode = model.households, model.network.grid, self.cfg.targeting
        if mode == "equal":
            size = model.households_per_grid[grid]
            return (self.rotation - self.pointer[kind][grid]) % size
        rng = model.streams(f"external:{mode}:{kind}", model.day)
        short = hh.open[:, kind]
        known = short & hh.reported[:, kind]
        if mode == "first_come":
            line = np.select([hh.digital & short, hh.digital, known], [0, 1, 2], 3)
            return rank_within(grid, line, rng.random(hh.n))
        line = np.select([known & hh.vulnerable, known, hh.on_register], [0, 1, 2], 3)
        # least food first among known needs (households say how much they have left); least held for kits
        held = hh.food_stock if kind == FOOD else self.kits.astype(float)
        return rank_within(grid, line, np.where(line <= 1, held, 0.0), rng.random(hh.n))

    def _use_kits(self, model) -> None:
        hh = model.households
        rows = np.flatnonzero(hh.open[:, SUPPLIES] & (self.kits > 0))
        if len(rows):
            model.ledger.meet_rows(hh, rows, SUPPLIES, model.day, "donation")
            self.kits[rows] -= 1

    # --- what the cadres still have to serve ------------------------------------------------------------------
    def _still_open(self, model, queue: Queue, buying: bool) -> Queue:
        """The queue without the needs met here and, while their package is on its way, the food needs of
        households waiting for a group-buy order."""
        if len(queue) == 0:
            return queue
        keep = model.households.open[queue.rows, queue.cats]
        if buying:
            waiting = self.on_order > self.pooled  # a package ordered or at the gate
            keep &= ~((queue.cats == FOOD) & waiting[queue.rows])
        return queue if keep.all() else queue.without(~keep)
