"""CommunityModel: one residential community under lockdown, one step a day (the model requirements Scale and
Processes).

The day, in order: the policy phase; needs arise and households provide for themselves where the phase allows;
needs are reported (or stay hidden) and cadres screen their register; the known needs are ordered (triage) and
responders serve them within their hours; mechanisms mobilise; consequences (critical failures, distress, fatigue,
prices); observation. Linkage mechanisms (simulation/linkage/) plug in at fixed points of that day.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path

import mesa
import numpy as np
from mesa.discrete_space import Network
from mesa.experimental.scenarios import Scenario as MesaScenario

import scenarios
from agents import Cadre, Household
from agents.cadre import CadreRoster
from scenarios import Scenario
from simulation import compounds, consequences, delivery, linkage, needs, network, outcomes, prices, reporting, triage
from simulation.hours import CADRES, Hours
from simulation.households import CATEGORIES, FOOD, SUPPLIES, HouseholdState, Ledger
from simulation.referrals import Referrals
from simulation.streams import Streams, seed_from


class CommunityModel(mesa.Model):
    """A sealed community of households on a social network, served by cadres and, where switched on, linkage.

    Args:
        scenario: a preset name, a path to a scenario file, or a `scenarios.Scenario` (default `no_linkage`).
        rng: the seed (an int) or a numpy Generator; the same seed gives the same run.
        **overrides: scenario fields, dotted for sections: `households=500`, `**{"needs.acute_rate": 0.001}`.

    Households are agents on `space` (a Mesa `Network`), whose state lives in `households` (arrays updated for all
    at once); cadres are ordinary agents. `config` is the validated scenario in force; Mesa's own `scenario`
    attribute keeps Mesa's seed record so that Mesa's `batch_run` and `SolaraViz` can drive the model.
    """

    def __init__(self, *, scenario: str | Path | Scenario | MesaScenario = "no_linkage",
                 rng: int | np.random.Generator | None = None, pools: Collection[str] = (),
                 place_agents: bool = True, **overrides) -> None:
        if isinstance(scenario, MesaScenario):  # SolaraViz passes Mesa's scenario back on reset
            rng = rng if rng is not None else scenario.rng
            scenario = getattr(scenario, "community", "no_linkage")
        seed = seed_from(rng)
        super().__init__(rng=seed)
        self.config: Scenario = scenarios.load(scenario, overrides or None)
        self.seed = seed
        self.streams = Streams(seed)
        self.day = 0
        self.phase = self.config.phase_on(0)

        self.compounds = compounds.lay_out(self.config)
        layout, config = self.compounds, self.config
        self.network = network.build(config, self.streams("network"),
                                     layout.per_household(config, "ties") if layout.declared else None)
        self.households = HouseholdState(config, self.streams("population"), {
            f: layout.per_household(config, f) for f in ("elderly", "alone", "digital", "low_income")}
            if layout.declared else None)
        self._space: Network | None = None
        self._agents_pending = not place_agents
        self._agent_makers: list[Callable[[], None]] = []  # `defer_agents`
        if place_agents:
            self._place_households()

        hh = self.households
        digital_ties = self.network.ties @ hh.digital.astype(float)
        rate = self.config.reporting.neighbour_prob * (1.0 + self.config.mass_base)
        self.neighbour_report_prob = 1.0 - np.exp(-rate * digital_ties)
        self.social_support = 1.0 - np.exp(-self.network.trust_degree() / 4.0)
        self.register = np.flatnonzero(hh.on_register)
        self.register_pointer = 0
        self.households_per_grid = np.bincount(self.network.grid, minlength=self.network.n_grids)
        # What the gate hours are charged on, per cell (households weighted by their compound's gates), the part in
        # compounds with property staff, and the staff's hours a day.
        self.gate_weight, self.staffed_gate_weight = self.households_per_grid, None
        self.property_staff_hours = None
        if layout.declared:
            grid, n_grids = self.network.grid, self.network.n_grids
            self.gate_weight, self.staffed_gate_weight = compounds.gate_weights(config, layout, grid, n_grids)
            staff = compounds.staff_hours(config, layout, grid, n_grids)
            if staff.any():
                self.property_staff_hours = staff
                self.staffed_household = layout.per_household(config, "property_staff_per_1000") > 0

        self._cadres: list[Cadre] = []
        self.cadre_roster = CadreRoster(self.config.cadres)
        # One grid worker per cell where staff allow; fewer staff than cells share the cells out evenly; the rest
        # are community workers who serve every cell.
        per_1000 = self.config.cadres.per_1000_households
        n_cadres = max(1, int(per_1000 * self.config.households / 1000 + 0.5)) if per_1000 > 0 else 0
        n_grids = self.network.n_grids
        if 0 < n_cadres < n_grids:
            for i in range(n_cadres):
                self.add_cadre("grid_worker", [g for g in range(n_grids) if g * n_cadres // n_grids == i])
        else:
            for i in range(n_cadres):
                self.add_cadre("grid_worker" if i < n_grids else "community_worker")

        self.triage = triage.first_come
        self.cadre_task_hours = np.array([getattr(self.config.cadres, f"{cat}_hours") for cat in CATEGORIES])
        self.price_index = 1.0
        self.food_seekers = 0
        self.coordination_load = 0.0
        self.cadre_fatigue_mean = self.cadre_hours_used = 0.0
        self.own_cadres_on_duty = 0  # the community's own cadres offering hours today (_plan_hours)
        self.calls_taken = 0  # phone calls the cadres took today (reporting.py)
        self.ledger = Ledger()
        self.hours = Hours(self.network.n_grids)  # the day's responder hours (simulation/hours.py), new each morning
        self.coordination_capacity = 0.0  # the day's report budget, set aside from the own cadres' hours
        self.referrals = Referrals()  # households handed on to a service, waiting (simulation/referrals.py)
        self.today_values: tuple = ()  # the last day's daily columns, in the order of outcomes.DAILY_COLUMNS
        # A district's pools (simulation/district.py) allocate to this community through `allocate`; alone, it
        # holds none and every mechanism takes its scenario's own numbers.
        self.pools = tuple(pools)
        self.allocations: dict[str, int] = {}
        self.mechanisms = linkage.build(self.config, self.pools)
        for mechanism in self.mechanisms:
            mechanism.setup(self)
        self.datacollector = outcomes.DailyCollector()

    # --- the households as Mesa agents ------------------------------------------------------------------------
    def _place_households(self) -> None:
        """Each household an agent on a cell of a Mesa `Network` of the social network's graph (the model's days
        read the household arrays, never the agents: they are there to be looked at)."""
        self._agents_pending = False
        self._space = space = Network(self.network.graph, capacity=1, random=self.random, layout=None)
        for i in range(self.config.households):
            Household(self, i, space[i])

    @property
    def space(self) -> Network:
        """The households on the social network (a Mesa `Network`), placed when first read in a model built with
        `place_agents=False` (a district's communities: a user looking at one pays for its agents there only)."""
        if self._space is None:
            self._place_households()
        return self._space

    def defer_agents(self, make: Callable[[], None]) -> None:
        """A mechanism whose days read its own arrays, never its agents, makes its Mesa agents when they are looked
        at: `make()` makes those not made yet, and is called whenever `model.agents` or `model.agents_by_type` is
        read (the volunteer pool: its agents, made as they joined, cost more than much of its own day)."""
        self._agent_makers.append(make)

    def _agents_made(self) -> None:
        """The households placed, if they were not yet, and every deferred agent made."""
        if getattr(self, "_agents_pending", False):
            self._place_households()
        for make in getattr(self, "_agent_makers", ()):
            make()

    @property
    def today(self) -> dict:
        """The last day's daily columns by name (empty before the first day): made from `today_values` when read."""
        return dict(zip(outcomes.DAILY_COLUMNS, self.today_values))

    @property
    def agents(self):
        """Mesa's set of every agent, the households placed and the deferred agents made first."""
        self._agents_made()
        return super().agents

    @property
    def agents_by_type(self):
        self._agents_made()
        return super().agents_by_type

    # --- a district's pools ------------------------------------------------------------------------------------
    def allocate(self, pool: str, amount: int) -> None:
        """From the next day on, the community holds `amount` of a district pool (simulation/district.py; nothing
        else calls this): `sunk_cadres` (sunk cadres serving it, from `internal.sunk_arrival_day`), `volunteers`
        (the drive's sign-ups it receives in all; the days of the drive not yet passed follow the new total),
        `supply` (food packages on each of its supply days still to come), `social_workers` (staff its social
        organisations keep at full funding). The pool must be one the model was built with (`pools=`)."""
        if pool not in self.pools:
            raise ValueError(f"allocate: '{pool}' is not one of this community's pools {self.pools}; build the "
                             f"model with pools=(..., '{pool}')")
        if isinstance(amount, bool) or int(amount) != amount or amount < 0:
            raise ValueError(f"allocate: {pool} = {amount!r}: give a whole number >= 0")
        self.allocations[pool] = int(amount)

    def allocation(self, pool: str, default: int) -> int:
        """What a district allocated the community of `pool`, or `default` (the scenario's own number) when no
        district did: the mechanisms read their pool's amount here."""
        return self.allocations.get(pool, default)

    # --- responders -------------------------------------------------------------------------------------------
    @property
    def cadres(self) -> list[Cadre]:
        """The cadres, in the order they joined (a plain list: iterated several times a day)."""
        return self._cadres

    def add_cadre(self, role: str, grids: list[int] | None = None) -> Cadre:
        """A new cadre covering `grids`; by default grid workers take the next cell in turn, others every cell."""
        n_grids = self.network.n_grids
        if grids is None:
            grid_workers = sum(1 for c in self.cadres if c.role == "grid_worker")
            grids = [grid_workers % n_grids] if role == "grid_worker" else list(range(n_grids))
        cadre = Cadre(self, role, grids)
        self._cadres.append(cadre)
        self._cover = None  # rebuilt on the next day
        return cadre

    def withdraw_cadres(self, k: int) -> None:
        """The `k` sunk cadres who joined last leave the community (a district moves them elsewhere); only sunk
        cadres who joined after every other cadre can be withdrawn, so the roster's other rows never move."""
        if k <= 0:
            return
        if k > len(self._cadres) or any(c.role != "sunk" for c in self._cadres[-k:]):
            raise ValueError(f"withdraw_cadres: the last {k} cadres are not all sunk cadres")
        keep = len(self._cadres) - k
        for cadre in self._cadres[keep:]:
            cadre.remove()
        del self._cadres[keep:]
        self.cadre_roster.truncate(keep)
        self._cover = self._case = None  # rebuilt on the next day

    def _cover_matrix(self) -> np.ndarray:
        """Share of each cadre's hours going to each grid cell (each row sums to 1)."""
        if getattr(self, "_cover", None) is None:
            cadres = list(self.cadres)
            cover = np.zeros((len(cadres), self.network.n_grids))
            for i, c in enumerate(cadres):
                cover[i, c.grids] = 1.0
            self._cover = cover / cover.sum(axis=1, keepdims=True)
        return self._cover

    def _plan_hours(self) -> None:
        """The cadres offer the day's hours, cell by cell; gates come first, from everyone's hours; the report and
        screening budgets are shares of what the community's own cadres have left (sunk cadres help with shared
        tasks, not case management: sources: stylized fact 2); deliveries get the rest."""
        c, h = self.config.cadres, self.hours
        cover = self._cover_matrix()
        self.cadre_hours_offered = offered = self.cadre_roster.hours_today()
        case = self._case_workers()
        self.own_cadres_on_duty = int(np.count_nonzero((offered > 0) & (case > 0)))
        h.offer("cadre", (offered * case) @ cover)
        h.offer("sunk_cadre", (offered * (1.0 - case)) @ cover)
        gates = self.phase.gate_hours_per_1000 * self.gate_weight / 1000.0
        if self.property_staff_hours is not None:  # property staff guard their own compounds' gates first
            h.offer("property_staff", self.property_staff_hours)
            gates = gates - h.spend("property_staff", "gates",
                                    self.phase.gate_hours_per_1000 * self.staffed_gate_weight / 1000.0)
        h.spend(CADRES, "gates", gates)
        own = float(np.add.reduce(h.left("cadre")))
        self.coordination_capacity = c.coordination_share * own
        h.set_aside("reports", self.coordination_capacity)
        h.set_aside("screening", c.screening_share * own)

    def _property_staff_serve(self, queue: delivery.Queue) -> delivery.Queue:
        """The property staff carry the food and supplies their own compounds' households asked for, within what
        the gates left of their hours; the queue's other entries, and those they could not take, go on."""
        mine = compounds.staffed_entries(queue.rows, queue.cats, self.staffed_household)
        if not mine.any():
            return queue
        return delivery.serve_part(self, queue, mine, [delivery.Team(
            (FOOD, SUPPLIES), None, self.cadre_task_hours, "property_staff", kind="property_staff")])

    def _cadre_team(self) -> delivery.Team:
        """The cadres' team of the day's last serve: every category, from what the cadres have left (the same every
        day: made once for the task hours it was made with)."""
        team = getattr(self, "_cadres_team", None)
        if team is None or team.hours is not self.cadre_task_hours:
            team = self._cadres_team = delivery.Team(tuple(range(len(CATEGORIES))), None, self.cadre_task_hours,
                                                     "cadre", self.config.cadres.counselling_effect, CADRES)
        return team

    def _case_workers(self) -> np.ndarray:
        if getattr(self, "_case", None) is None or len(self._case) != len(self.cadres):
            self._case = np.array([cadre.role != "sunk" for cadre in self.cadres], dtype=float)
        return self._case

    def _cadres_end_day(self) -> None:
        """Each cell's load (the share of its cadres' hours spent today) tires every cadre covering it."""
        roster = self.cadre_roster
        load = self.hours.load(CADRES)
        offered = self.cadre_hours_offered
        here = len(offered)
        roster.end_day(np.minimum(self._cover_matrix()[:here] @ load, 1.0), offered, slice(0, here))
        if len(roster) > here:  # joined after this morning's hours were set: works from tomorrow
            roster.end_day(np.zeros(len(roster) - here), np.zeros(len(roster) - here), slice(here, None))
        # Sums in joining order, as a running total (cumsum adds left to right, so results do not depend on
        # numpy's pairwise summation).
        self.cadre_fatigue_mean = float(roster.fatigue.cumsum()[-1]) / len(roster) if len(roster) else 0.0
        self.cadre_hours_used = float(roster.hours_worked.cumsum()[-1]) if len(roster) else 0.0

    # --- the day ----------------------------------------------------------------------------------------------
    def _hooks(self) -> dict[str, list[Callable]]:
        """Each hook of the mechanisms that act in it (those whose class overrides `Mechanism`'s, which does
        nothing), in the day's order; looked up again whenever the mechanisms change."""
        key = tuple(map(id, self.mechanisms))
        if getattr(self, "_hooks_of", None) != key:
            self._hook_lists = {name: [getattr(m, name) for m in self.mechanisms
                                       if getattr(type(m), name) is not getattr(linkage.Mechanism, name)]
                                for name in ("start_day", "report", "deliver", "mobilise", "end_day")}
            self._hooks_of = key
        return self._hook_lists

    def step(self) -> None:
        """Simulate one day."""
        self.phase = self.config.phase_on(self.day)
        self.ledger = Ledger()
        self.hours = Hours(self.network.n_grids)
        hooks = self._hooks()
        for start_day in hooks["start_day"]:
            start_day(self)
        needs.arise(self)
        self._plan_hours()
        for report in hooks["report"]:  # channels that cost no cadre time go first
            report(self)
        reporting.report(self)
        reporting.screen(self)
        queue = delivery.queue(self)
        if self.property_staff_hours is not None:
            queue = self._property_staff_serve(queue)
        for deliver in hooks["deliver"]:
            queue = deliver(self, queue)
        delivery.serve_teams(self, queue, [self._cadre_team()], rest=False)  # what is left waits for tomorrow
        self._cadres_end_day()
        for mobilise in hooks["mobilise"]:
            mobilise(self)
        consequences.apply(self)
        prices.update(self)
        for end_day in hooks["end_day"]:
            end_day(self)
        self.today_values = outcomes.observe(self)
        self.datacollector.collect(self)
        self.day += 1
        if self.day >= self.config.days:
            self.running = False

    # --- results ----------------------------------------------------------------------------------------------
    def daily(self):
        """The daily series so far (one row per simulated day)."""
        return self.datacollector.get_model_vars_dataframe().reset_index(drop=True)

    def summary(self) -> dict:
        """The run's summary keys (the model requirements Outcomes), computed from the daily series."""
        return outcomes.summarize(self.daily(), self.households.n, int(self.households.vulnerable.sum()),
                                  self.compounds.households() if self.compounds.declared else None)
