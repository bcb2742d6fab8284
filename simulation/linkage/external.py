"""External linkage: community group buying from a finite supply, scheduled supply and love vegetables, subsidised
packs, donated protective supplies, and how what is handed out is targeted.

Source: the source panel, "Three kinds of linkage" (Song): *external linkage — outside the community, the internet links
residents and volunteers and brings in real help: buying and distributing masks, disinfectant and other supplies*;
"Actors" and "Prices and supply" (Huang): residents kept life going through community group buying (社区团购); the
city guaranteed supply, stabilised prices and handed out "love vegetables" (爱心菜); "Last-mile precision" (Song,
Huang). Figures: sources, "Supply and group buying": a package of ~6 kg, ~¥100, for ~3 people x 3 days; an order
goes ahead at 50 or 100 packages; early waits 5-6 days, next day by mid-March; resident groups ordered about every 4
days (M); the city's stock of 34,400 t on 31 Jan, about a week (H); subsidised packs ¥10 for 5 kg, ~20-30 per
compound (L). Stylized facts 1, 3 (group-buy thresholds favour organised, digitally connected compounds), 4 (the
digital divide) and 9 (the problem was distribution, not total supply; a donated load stood blocked at a gate).

**Group buying** (from `group_buy_start_day`). Each building has an organiser: its resident leader where internal
linkage gave it one, else, with chance `organiser_share`, a digital resident; cadres take the orders of the other
buildings (`cadres_organise`, `organise_hours` of the cell's cadre hours an order, as far as their hours go). A
household orders one package at a time, by an order-up-to rule: whenever its food plus its packages on order fall
to `needs.food_reorder_days` plus the current lead time. Digital households see the orders in their building's group
and follow the rule themselves. Offline households follow it through someone who orders for them: their organiser,
for the share `organiser_reach` of the building's offline households it keeps on a list (`proxy_order_hours` an
order, from its own `organiser_hours`); else a digital neighbour, with daily chance 1 - exp(-`neighbour_order_rate`
x trust-weighted digital ties (`proxy_order_hours` of the neighbour's hours, kind `neighbour`); else, once a
responder knows their open food need and nothing is on order, a cadre (`organise_hours`). A low-income household
signs up only when its purse holds the package's price, `prices.package_price` x the price index (supply.py). A grid
cell (the stand-in for a compound gate) pools its sign-ups; the pooled order goes ahead once it holds `batch_min`
packages. The suppliers fill orders, oldest first, from their stock (supply.py); a filled order arrives at the gate
after a lead time that falls linearly from `lead_days_initial` to `lead_days_final` over `maturation_days`; an order
the stock cannot fill waits for the next delivery. Sign-ups provided for some other way before their order went out
are dropped and refunded.

At the gate, households allowed out that day fetch their own packages (frail ones with chance
`needs.frail_self_provision`); each organiser carries its own building's packages with the hours its orders left
it (`distribution_hours` each); the cadres carry the rest from the cell's hours; earliest arrivals first. Packages
nobody carried wait at the gate. A package adds `needs.package_days` of food (scaled by household size) and meets
the open food need. While a household has a package ordered, on its way or at the gate, the cadres do not buy food
for it as well, unless the package is late (`cadres_step_in`): past the day promised at sign-up (sign-up day + the
lead time then), or the household's food is gone; then its food need stays in the queue at the cost of a delivery.

**Scheduled supply, subsidised packs and donations.** On each of `supply_days`, `supply_per_1000` love-vegetable
packages per 1,000 households (as far as the suppliers' stock has them), and on `donation_days` kits of protective
supplies, arrive at the gates, split among the cells by households. Donated loads wait for a stamp: at least
`approval_days`, then until the cell's own cadres (the committee's; not sunk cadres) still have `approval_hours`
when this mechanism acts (task `approval`); where gates and calls have taken all their hours, the load waits. The
cadres hand out what is approved at `distribution_hours` each, one per household a day, by `targeting` (the same in
every cell):

- `equal`: every household in turn (a fixed random rotation of the cell's households), short or not;
- `first_come`: households who see the notice in the online group come first, short ones first, then the other
  digital households, then offline households whose need is known to a responder, then the rest; random order
  inside each class. This is "first come" as the digital divide makes it (stylized fact 4);
- `need`: known (reported) needs of vulnerable households, then other known needs, least held first; then the
  households on the register of special groups; then the rest.

On `subsidised_days`, `subsidised_per_1000` subsidised packs (from the stock, no stamp) go to low-income households
that can pay `subsidised_price`, least food first, one a household a day; each adds `subsidised_pack_days` of food.
A kit meets an open supplies need at once or is kept for the household's next one.

Hours: organising and carrying by cadres are spent from the cells' cadre hours (tasks `organising`,
`distribution`, `approval`; simulation/hours.py), so the cadres' own deliveries get only what is left; organisers'
and neighbours' orders and carrying from their own kinds. Random draws come from the streams `external:<part>` of
the day, so nothing changes before the first start day (common random numbers). The daily columns (`COLUMNS`):
`packages_at_gate`, `packages_blocked`, `supply_stock_days`, `group_buy_orders`, `group_buy_batches`,
`group_buy_backorder`, `group_buy_arrived`, `group_buy_wait_days`, `offline_orders`.
"""

from __future__ import annotations

import numpy as np

from simulation.delivery import Queue
from simulation.hours import CADRES
from simulation.households import FOOD, SUPPLIES
from simulation.linkage.base import Mechanism, find
from simulation.linkage.internal import InternalLinkage
from simulation.linkage.supply import Purses, Stock

NEVER = np.iinfo(np.int64).max  # a promise for a household with nothing on its way


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


_EMPTY = np.zeros(0, dtype=np.int64)


class ExternalLinkage(Mechanism):
    name = "external"
    # Its daily columns, with their values when it is off (docs/odd.md 7.18).
    COLUMNS: dict[str, int | float] = {
        "organisers_active": 0,    # the resident organisers (leaders are counted as leaders, not here)
        "packages_at_gate": 0,     # packages, packs and kits waiting at the gates at the day's end (blocked too)
        "packages_blocked": 0,     # of which donated goods waiting for an approval stamp
        "supply_stock_days": 0.0,  # the suppliers' stock at the day's end, in days of the community's food need
        "group_buy_orders": 0,     # group-buy packages ordered today (pooled orders that went ahead)
        "group_buy_batches": 0,    # pooled orders (one per grid cell) that went ahead today
        "group_buy_backorder": 0,  # packages ordered that the suppliers' stock has not filled (day's end)
        "group_buy_arrived": 0,    # packages reaching the gates today
        "group_buy_wait_days": 0,  # days from sign-up to the gate, summed over today's arrivals
        "offline_orders": 0,       # sign-ups placed today for offline households (organiser, neighbour, cadre)
    }

    def setup(self, model) -> None:
        self.cfg = c = model.config.external
        net, hh = model.network, model.households
        n, n_grids = hh.n, net.n_grids
        n_buildings = int(net.building[-1]) + 1
        self.n_buildings = n_buildings
        internal = find(model, InternalLinkage)  # buildings that internal linkage gave a resident leader
        leader = internal.led_buildings.copy() if internal is not None else np.zeros(n_buildings, dtype=bool)
        has_digital = np.bincount(net.building, weights=hh.digital, minlength=n_buildings) > 0
        drawn = model.streams("external:organisers").random(n_buildings) < c.organiser_share
        resident = ~leader & has_digital & drawn
        self.leader_buildings = leader
        self.resident_organisers = int(resident.sum())
        # Offline households their organiser would keep on its list, and the daily chance a digital neighbour orders
        # for one.
        self._listed = ~hh.digital & (model.streams("external:lists").random(n) < c.organiser_reach)
        self._resident, self._building = resident, net.building
        # A building led by a resident leader is organised once its leader is at work (a compound type's leaders
        # may start late, and until then nobody there is in charge); the others by their resident organiser.
        self._internal = internal
        self._organise(leader if internal is None else internal.leading(c.group_buy_start_day))
        digital_ties = np.asarray(net.ties @ hh.digital.astype(float)).ravel()
        self.neighbour_chance = np.where(hh.digital, 0.0, 1.0 - np.exp(-c.neighbour_order_rate * digital_ties))
        # What the sign-ups draw on: the suppliers' stock, and low-income households' budgets (supply.py).
        needs, prices = model.config.needs, model.config.prices
        self.stock = Stock(float((1.0 / (needs.package_days * hh.food_days_factor)).sum()), c.stock_days,
                           c.deliveries_days)
        self.purses = Purses(hh.low_income, hh.food_days_factor, prices.low_income_budget, prices.budget_days)
        # Group-buy packages. A household has at most one sign-up in its cell's pool (the day it signed up, the day
        # promised then, what it paid); ordered packages wait for the suppliers' stock (back order), then travel
        # (shipments: due day, households, sign-up days, promised days), then wait at the gate. `on_order` counts a
        # household's packages in all of these.
        self.pooled = np.zeros(n, dtype=bool)
        self.pool_signup = np.zeros(n, dtype=np.int64)
        self.pool_promise = np.zeros(n, dtype=np.int64)
        self.pool_paid = np.zeros(n)
        self.on_order = np.zeros(n, dtype=np.int64)
        self.back = (_EMPTY, _EMPTY, _EMPTY)
        self.shipments: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []
        self.gate_rows = self.gate_days = self.gate_signup = self.gate_promise = _EMPTY
        # Scheduled supply, donated kits and subsidised packs: arrivals per day and grid cell; donated loads wait for
        # their stamp (kind -> arrival day -> packages per cell), then at the gate with the rest.
        sizes = model.households_per_grid.astype(float)
        self.arrivals = {FOOD: self._schedule(c.supply_days, c.supply_per_1000, n, sizes),
                         SUPPLIES: self._schedule(c.donation_days, c.donation_per_1000, n, sizes)}
        self.pack_arrivals = self._schedule(c.subsidised_days, c.subsidised_per_1000, n, sizes)
        self._sizes = sizes
        self.supply_each = int(c.supply_per_1000 * n / 1000.0 + 0.5)  # packages a supply day: or a district's
        self.gate = {FOOD: np.zeros(n_grids, dtype=np.int64), SUPPLIES: np.zeros(n_grids, dtype=np.int64)}
        self.packs = np.zeros(n_grids, dtype=np.int64)
        self.pending: dict[int, dict[int, np.ndarray]] = {FOOD: {}, SUPPLIES: {}}
        self.kits = np.zeros(n, dtype=np.int64)
        self.organiser_left = np.zeros(n_buildings)  # each organiser's hours left today
        # Equal shares: each cell's households in a fixed random rotation, one pointer per kind of goods.
        self.rotation = rank_within(net.grid, model.streams("external:rotation").random(n))
        self.pointer = {FOOD: np.zeros(n_grids, dtype=np.int64), SUPPLIES: np.zeros(n_grids, dtype=np.int64)}
        # What happened, for tests and inspection: the day's counts and their totals over the run.
        self.total = dict.fromkeys(self._COUNTS, 0)
        self.total["cadre_hours"] = 0.0
        self.today: dict = dict.fromkeys(self._COUNTS, 0)

    _COUNTS = ("signed_up", "ordered", "batches", "filled", "arrived", "wait_days", "fetched",
               "organiser_packages", "cadre_packages", "group_buy", "supply", "subsidised", "donation",
               "by_organiser", "by_neighbour", "by_cadre", "offline_orders", "approved_loads", "late",
               "supply_in", "donation_in", "subsidised_in")

    @staticmethod
    def _schedule(days: list[int], per_1000: float, n: int, sizes: np.ndarray) -> dict[int, np.ndarray]:
        return ExternalLinkage._schedule_total(days, int(per_1000 * n / 1000.0 + 0.5), sizes)

    @staticmethod
    def _schedule_total(days: list[int], total: int, sizes: np.ndarray) -> dict[int, np.ndarray]:
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

    def package_price(self, model) -> float:
        """Today's price of a group-buy package (yuan): the base price times the price index."""
        return model.config.prices.package_price * float(model.price_index)

    def at_gate(self) -> int:
        """Packages, packs and kits waiting at the gates now, those waiting for a stamp included."""
        return (len(self.gate_rows) + int(self.gate[FOOD].sum() + self.gate[SUPPLIES].sum() + self.packs.sum())
                + self.blocked())

    def blocked(self) -> int:
        """Donated packages and kits waiting at the gates for their approval stamp."""
        return int(sum(int(v.sum()) for loads in self.pending.values() for v in loads.values()))

    def _organise(self, leaders: np.ndarray) -> None:
        """The organised buildings: those of `leaders` (building leaders at work) and of the resident organisers."""
        self._leading = leaders
        self.organised_buildings = leaders | self._resident
        self.n_organisers = int(self.organised_buildings.sum())
        self.organised = self.organised_buildings[self._building]  # per household
        self.on_list = self._listed & self.organised

    def start_day(self, model) -> None:
        if self._internal is not None and model.day > self.cfg.group_buy_start_day:
            leaders = self._internal.leading(model.day)
            if leaders.sum() != self._leading.sum():  # late leaders have started
                self._organise(leaders)
        each = model.allocation("supply", self.supply_each)
        if each != self.supply_each:  # a district sends another number on the supply days still to come
            later = [d for d in self.cfg.supply_days if d >= model.day]
            past = {d: v for d, v in self.arrivals[FOOD].items() if d < model.day}
            self.arrivals[FOOD] = {**past, **self._schedule_total(later, each, self._sizes)}
            self.supply_each = each
        self.stock.restock()
        self.purses.accrue()
        if self.group_buying(model):
            # every organiser (leader or resident) orders for its listed households and carries its own building's
            # packages, for `organiser_hours` in all
            model.hours.offer("organiser", self.cfg.organiser_hours * self.n_organisers)

    def observe(self, model) -> dict[str, int | float]:
        t = self.today
        return {"organisers_active": self.resident_organisers if self.group_buying(model) else 0,
                "packages_at_gate": self.at_gate(), "packages_blocked": self.blocked(),
                "supply_stock_days": round(self.stock.days(), 6), "group_buy_orders": t["ordered"],
                "group_buy_batches": t["batches"], "group_buy_backorder": len(self.back[0]),
                "group_buy_arrived": t["arrived"], "group_buy_wait_days": t["wait_days"],
                "offline_orders": t["offline_orders"]}

    def deliver(self, model, queue: Queue) -> Queue:
        day = model.day
        self.today = dict.fromkeys(self._COUNTS, 0)
        self._arrive(model)
        buying = self.group_buying(model)
        # each organiser's hours for the day, for ordering and carrying (`organiser_hours`, offered in start_day)
        self.organiser_left = np.where(self.organised_buildings & buying, self.cfg.organiser_hours, 0.0)
        waiting_goods = (self.gate[FOOD].any() or self.gate[SUPPLIES].any() or self.packs.any()
                         or any(self.pending[k] for k in self.pending))
        if buying:
            self._group_buy(model)
        elif len(self.gate_rows) or len(self.back[0]) or self.shipments:
            self._arrivals_at_gate(model, model.streams("external:group_buy", day))  # orders still on their way
        if waiting_goods:
            self._approve(model)
            for kind, by in ((FOOD, "supply"), (SUPPLIES, "donation")):
                if self.gate[kind].any():
                    self._hand_out(model, kind, by)
            if self.packs.any():
                self._hand_out_packs(model)
        if self.kits.any():
            self._use_kits(model)
        for key in self._COUNTS:
            self.total[key] += self.today[key]
        return self._still_open(model, queue, buying or self.on_order.any())

    def _arrive(self, model) -> None:
        """Today's scheduled goods reach the gates: love vegetables and subsidised packs as far as the suppliers'
        stock has them; donated goods wait for their stamp unless no approval is asked for."""
        day, c = model.day, self.cfg
        stamp = c.approval_days > 0 or c.approval_hours > 0
        for kind in (FOOD, SUPPLIES):
            arriving = self.arrivals[kind].get(day)
            if arriving is None:
                continue
            if kind == FOOD:
                arriving = self._from_stock(arriving)
            self.today["supply_in" if kind == FOOD else "donation_in"] = int(arriving.sum())
            if not arriving.any():
                continue
            if stamp:
                self.pending[kind][day] = arriving.copy()
            else:
                self.gate[kind] += arriving
        packs = self.pack_arrivals.get(day)
        if packs is not None:
            packs = self._from_stock(packs)
            self.packs += packs
            self.today["subsidised_in"] = int(packs.sum())

    def _from_stock(self, per_cell: np.ndarray) -> np.ndarray:
        """What of `per_cell` the suppliers' stock can fill (shared out like the order when it falls short)."""
        want = int(per_cell.sum())
        got = self.stock.take(want)
        return per_cell.copy() if got == want else _split(got, per_cell.astype(float))

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
        package = model.config.needs.package_days * hh.food_days_factor
        food_open = hh.open[:, FOOD]
        lead = self.lead_days(day)
        threshold = model.config.needs.food_reorder_days + lead
        price = self.package_price(model)
        # Sign-ups provided for some other way while they waited in the pool are dropped (and refunded).
        low = hh.food_stock + (self.on_order - self.pooled) * package <= threshold
        drop = np.flatnonzero(self.pooled & ~(low | food_open))
        if len(drop):
            self.purses.refund(drop, self.pool_paid[drop])
            self.pooled[drop] = False
            self.on_order[drop] -= 1

        # New sign-ups. Who orders ahead (an order-up-to rule): digital households, and offline ones for whom their
        # organiser or a digital neighbour orders; offline households also once a responder knows their need.
        low = (hh.food_stock + self.on_order * package <= threshold) & ~self.pooled & self.purses.afford(
            np.arange(hh.n), price)
        offline_low = low & ~hh.digital
        by_organiser = self._organisers_order(model, offline_low & self.on_list, rng)
        candidates = np.flatnonzero(offline_low & ~by_organiser)
        by_neighbour = np.zeros(hh.n, dtype=bool)
        draw = model.streams.random("external:neighbours", day, len(candidates))
        by_neighbour[candidates[draw < self.neighbour_chance[candidates]]] = True
        ahead = (low & hh.digital) | by_organiser | by_neighbour
        known = low & food_open & hh.reported[:, FOOD] & (self.on_order == 0) & ~ahead
        signed = np.flatnonzero(ahead & self.organised)
        by_cadre = _EMPTY
        if c.cadres_organise:  # the cadres take the orders of unorganised buildings and of known needs
            rest = np.flatnonzero((ahead & ~self.organised) | known)
            if len(rest):
                g = net.grid[rest]
                taken = rest[rank_within(g, rng.random(len(rest))) < self._fit(model, c.organise_hours)[g]]
                self._cadres(model, "organising", net.grid[taken], c.organise_hours)
                signed = np.concatenate([signed, taken])
                by_cadre = taken[~hh.digital[taken] & ~by_neighbour[taken]]
        neighbours = int(np.count_nonzero(by_neighbour[signed]))
        if neighbours:
            hours = neighbours * c.proxy_order_hours
            model.hours.offer("neighbour", hours)
            model.hours.spend("neighbour", "organising", hours)
        self.pooled[signed] = True
        self.on_order[signed] += 1
        self.pool_signup[signed] = day
        self.pool_promise[signed] = day + lead
        self.pool_paid[signed] = np.where(hh.low_income[signed], price, 0.0)
        self.purses.pay(signed, price)
        t = self.today
        t["signed_up"] = len(signed)
        t["by_organiser"] = int(np.count_nonzero(by_organiser))
        t["by_neighbour"] = neighbours
        t["by_cadre"] = len(by_cadre)
        t["offline_orders"] = int(np.count_nonzero(~hh.digital[signed]))

        # Each cell's pooled order goes ahead once it holds the minimum batch; the suppliers fill orders, oldest
        # first, as far as their stock goes, and a filled order is due at the gate after the lead time.
        pooled = np.flatnonzero(self.pooled)
        count = np.bincount(net.grid[pooled], minlength=net.n_grids)
        going = (count >= c.batch_min)[net.grid[pooled]]
        ordered = pooled[going]
        if len(ordered):
            self.back = tuple(np.concatenate([b, x]) for b, x in
                              zip(self.back, (ordered, self.pool_signup[ordered], self.pool_promise[ordered])))
            self.pooled[ordered] = False
        t["ordered"] = len(ordered)
        t["batches"] = int(np.count_nonzero(count >= c.batch_min))
        rows, signup, promise = self.back
        k = self.stock.take(len(rows))
        if k:
            self.shipments.append((day + lead, rows[:k], signup[:k], promise[:k]))
            self.back = (rows[k:], signup[k:], promise[k:])
        t["filled"] = k
        self._arrivals_at_gate(model, rng)

    def _organisers_order(self, model, wanted: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Organisers order for the offline households on their lists that are due (`wanted`), each as far as its
        hours go (`proxy_order_hours` an order, in random order within the building); returns who was ordered for."""
        out = np.zeros(len(wanted), dtype=bool)
        rows = np.flatnonzero(wanted)
        if len(rows) == 0:
            return out
        c, building = self.cfg, model.network.building
        b = building[rows]
        fit = np.floor(self.organiser_left / c.proxy_order_hours + 1e-9).astype(np.int64)
        taken = rows[rank_within(b, rng.random(len(rows))) < fit[b]]
        out[taken] = True
        self.organiser_left -= np.bincount(building[taken], minlength=self.n_buildings) * c.proxy_order_hours
        model.hours.spend("organiser", "organising", len(taken) * c.proxy_order_hours)
        return out

    def _arrivals_at_gate(self, model, rng: np.random.Generator) -> None:
        """Orders due by today reach their gates; then the packages there are carried."""
        day = model.day
        arrived = [s for s in self.shipments if s[0] <= day]
        if arrived:
            self.shipments = [s for s in self.shipments if s[0] > day]
            rows = np.concatenate([s[1] for s in arrived])
            signup = np.concatenate([s[2] for s in arrived])
            self.gate_rows = np.concatenate([self.gate_rows, rows])
            self.gate_days = np.concatenate([self.gate_days, np.full(len(rows), day, dtype=np.int64)])
            self.gate_signup = np.concatenate([self.gate_signup, signup])
            self.gate_promise = np.concatenate([self.gate_promise, np.concatenate([s[3] for s in arrived])])
            self.today["arrived"] = len(rows)
            self.today["wait_days"] = int((day - signup).sum())
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
        # each organiser carries its own building's packages with the hours its orders left it
        per_organiser = np.floor(self.organiser_left / c.distribution_hours + 1e-9).astype(np.int64)
        mine = np.flatnonzero(self.organised[rows] & ~carried)
        if len(mine) and per_organiser.any():
            b = net.building[rows[mine]]
            take = mine[rank_within(b, days[mine], tie[mine]) < per_organiser[b]]
            carried[take] = True
            self.organiser_left -= np.bincount(net.building[rows[take]], minlength=self.n_buildings) \
                * c.distribution_hours
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
        keep = ~carried
        self.gate_rows, self.gate_days = rows[keep], days[keep]
        self.gate_signup, self.gate_promise = self.gate_signup[keep], self.gate_promise[keep]
        np.subtract.at(self.on_order, done, 1)
        self._give_food(model, done, "group_buy")

    def _give_food(self, model, rows: np.ndarray, by: str, days: float | None = None) -> None:
        """Packages to households `rows` (a household may appear more than once), `days` of food each for an
        average household (a group-buy package's by default)."""
        hh = model.households
        days = model.config.needs.package_days if days is None else days
        np.add.at(hh.food_stock, rows, days * hh.food_days_factor[rows])
        fed = np.unique(rows)
        model.ledger.meet_rows(hh, fed[hh.open[:, FOOD][fed]], FOOD, model.day, by)
        self.today[by] += len(rows)

    # --- scheduled supply, subsidised packs and donations -----------------------------------------------------
    def _approve(self, model) -> None:
        """Donated loads past their waiting days get their stamp, oldest first, in cells whose own cadres (not sunk
        cadres: the stamp is the committee's) still have `approval_hours` today; the others wait at the gate."""
        c, day = self.cfg, model.day
        due = sorted((arrived, kind) for kind in (FOOD, SUPPLIES) for arrived in self.pending[kind]
                     if arrived + c.approval_days <= day)
        if not due:
            return
        own = model.hours.left("cadre")
        h = c.approval_hours
        for arrived, kind in due:
            load = self.pending[kind][arrived]
            ok = (load > 0) & (own >= h - 1e-9) if h > 0 else load > 0
            if not ok.any():
                continue
            if h > 0:
                stamp = np.where(ok, h, 0.0)
                model.hours.spend("cadre", "approval", stamp)
                own = own - stamp
            self.gate[kind] += np.where(ok, load, 0)
            self.today["approved_loads"] += int(np.count_nonzero(ok))
            load[ok] = 0
            if not load.any():
                del self.pending[kind][arrived]

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

    def _hand_out_packs(self, model) -> None:
        """Subsidised packs to low-income households that can pay for one, least food first, one each a day."""
        c, hh, grid = self.cfg, model.households, model.network.grid
        rows = np.flatnonzero(hh.low_income)
        rows = rows[self.purses.afford(rows, c.subsidised_price)]
        if len(rows) == 0:
            return
        k = np.minimum(self.packs, self._fit(model, c.distribution_hours))
        line = rank_within(grid[rows], hh.food_stock[rows],
                           model.streams.random("external:packs", model.day, len(rows)))
        rows = rows[line < k[grid[rows]]]
        if len(rows) == 0:
            return
        handed = np.bincount(grid[rows], minlength=len(k))
        self.packs -= handed
        self.total["cadre_hours"] += float(model.hours.spend(CADRES, "distribution",
                                                             handed * c.distribution_hours).sum())
        self.purses.pay(rows, c.subsidised_price)
        self._give_food(model, rows, "subsidised", c.subsidised_pack_days)

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
    def late(self, model) -> np.ndarray:
        """Households whose group-buy package is late: one ordered is past the day promised at sign-up, or their
        food has run out while they wait."""
        hh, day = model.households, model.day
        earliest = np.full(hh.n, NEVER, dtype=np.int64)
        rows, _, promise = self.back
        np.minimum.at(earliest, rows, promise)
        for _, rows, _, promise in self.shipments:
            np.minimum.at(earliest, rows, promise)
        np.minimum.at(earliest, self.gate_rows, self.gate_promise)
        return (earliest < day) | (hh.food_stock <= 0.0)

    def _still_open(self, model, queue: Queue, waiting_food: bool) -> Queue:
        """The queue without the needs met here and, while their package is on its way and not late (when
        `cadres_step_in`), the food needs of households waiting for a group-buy order."""
        if len(queue) == 0:
            return queue
        keep = model.households.open[queue.rows, queue.cats]
        if waiting_food:
            waiting = self.on_order > self.pooled  # a package ordered, on its way or at the gate
            if self.cfg.cadres_step_in and waiting.any():
                late = waiting & self.late(model)
                self.today["late"] = int(np.count_nonzero(late & model.households.open[:, FOOD]))
                waiting &= ~late
            keep &= ~((queue.cats == FOOD) & waiting[queue.rows])
        return queue if keep.all() else queue.without(~keep)
