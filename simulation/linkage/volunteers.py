"""Volunteer recruitment and mobilisation: calls bring applicants whom coordinators must vet; residents join by
contagion over the network; volunteers serve food, medicine and support before the cadres; they tire, fall into
conflicts and drop out.

Sources: domain.md, "Open recruitment overloads coordinators" (Chen): *one online call drew 800+ volunteer sign-ups;
identity checks, motivation surveys, personnel management and service-plan changes all landed on one person ...
What worked: recruiting by referral into categories (medical, social-work, psychological volunteers), incentive
mechanisms, conflict-handling mechanisms, and finding resident leaders*; "Prior mass base decides mobilisation"
(Song); "Linkage needs connection mechanisms plus many active actors" (Yu: public safety is a linked issue).
Figures: domain-facts, citywide drive from 23 Feb (day 31): >10,000 sign-ups on day 1, ~19,000 approved of >50,000
(H); ~14 approved per community; attrition 0.5-2% a day for spontaneous volunteers, higher under overload and
coordination delay (L); stylized fact 8: volunteer supply outran the capacity to vet and coordinate, and volunteers
were put on low-skill tasks rather than medicine runs.

Each day, after delivery (hook `mobilise`): the coordinators first supervise the active volunteers, then vet
waiting applicants in order of arrival; coordination demand above their hours is an overload day, volunteers then
work only the supervised share of their hours, and drop out more. Applicants waiting to be vetted give up. Residents
whose share of ties to active volunteers passes a threshold (lower with a strong mass base), or who join
spontaneously (public safety as a linked issue), start helping at once: their neighbours know them and their
building organises them, so they need neither vetting nor the coordinators' supervision. Before the cadres serve (hook `deliver`), active
volunteers serve the queue of their grid cell by category: general volunteers food and supplies, medical volunteers
medicine runs and escorts, psychological volunteers support. An open call brings only general volunteers (nobody
sorted them), so medicine runs stay with the cadres.
"""

from __future__ import annotations

import numpy as np

from agents.volunteer import Volunteer
from simulation import delivery
from simulation.delivery import Queue
from simulation.households import FOOD, MEDICAL, MEDICINE, PSYCH, SUPPLIES
from simulation.linkage import Mechanism

GENERAL, MEDICAL_VOL, PSYCH_VOL = range(3)
KIND_NAMES = ("general", "medical", "psych")
SERVES = {GENERAL: (FOOD, SUPPLIES), MEDICAL_VOL: (MEDICINE, MEDICAL), PSYCH_VOL: (PSYCH,)}
APPLICANT, ACTIVE, BURNT_OUT, DROPPED = range(4)
STATUS_NAMES = ("applicant", "active", "burnt_out", "dropped")
PROFESSIONAL_COUNSELLING = 0.3  # a psychological volunteer's session, as the remote professionals' (online.py)
TIPPED_JOIN = 0.05  # daily chance that a household past its threshold acts on it


class VolunteerPool(Mechanism):
    name = "volunteers"

    def setup(self, model) -> None:
        self.cfg = model.config.volunteers
        n = model.households.n
        self.kind = np.zeros(0, dtype=np.int64)
        self.status = np.zeros(0, dtype=np.int64)
        self.grid = np.zeros(0, dtype=np.int64)
        self.home = np.zeros(0, dtype=np.int64)  # the volunteer's household (recruits live in the community too)
        self.fatigue = np.zeros(0)
        self.joined = np.zeros(0, dtype=np.int64)
        self.vetting_cost = np.zeros(0)
        self.recruit = np.zeros(0, dtype=bool)  # came through the call (supervised), or mobilised (self-organised)
        self.agents: list[Volunteer] = []
        self.is_volunteer = np.zeros(n, dtype=bool)
        ties = model.network.ties
        self.adjacency = ties.copy()
        self.adjacency.data[:] = 1.0
        self.degree = np.maximum(np.asarray(self.adjacency.sum(axis=1)).ravel(), 1.0)
        mass = model.config.mass_base
        self.threshold = self.cfg.mobilisation_threshold * (1.0 - 0.6 * mass)
        self.spontaneous = self.cfg.spontaneous_rate * mass
        # Only some residents would ever volunteer; more of them where the mass base is strong.
        self.willing = model.streams("volunteers:willing").random(n) < self.cfg.willing_share * (0.25 + 0.75 * mass)
        self.supervised = 1.0  # share of volunteer hours that coordination covers today
        self.overloaded = False
        self.load = 0.0
        self.capacity = self.cfg.coordinators * self.cfg.coordinator_hours

    # --- joining ----------------------------------------------------------------------------------------------
    def _add(self, model, kinds: np.ndarray, grids: np.ndarray, homes: np.ndarray, vetting: float,
             recruit: bool) -> None:
        k = len(kinds)
        if k == 0:
            return
        start = len(self.kind)
        self.kind = np.concatenate([self.kind, kinds])
        self.status = np.concatenate([self.status, np.full(k, APPLICANT)])
        self.grid = np.concatenate([self.grid, grids])
        self.home = np.concatenate([self.home, homes])
        self.fatigue = np.concatenate([self.fatigue, np.zeros(k)])
        self.joined = np.concatenate([self.joined, np.full(k, model.day)])
        self.vetting_cost = np.concatenate([self.vetting_cost, np.full(k, vetting)])
        self.recruit = np.concatenate([self.recruit, np.full(k, recruit)])
        if not recruit:  # neighbours know them and their building organises them: no vetting queue
            self.status[start:] = ACTIVE
        self.is_volunteer[homes[homes >= 0]] = True
        self.agents.extend(Volunteer(model, self, start + i) for i in range(k))

    def _call(self, model) -> None:
        """The recruitment call brings its applicants, all on the call day."""
        c = self.cfg
        rng = model.streams("volunteers:call", model.day)
        n = int(c.applicants_per_1000 * model.config.households / 1000
                * (c.open_multiplier if c.mode == "open" else 1.0) + 0.5)
        if c.mode == "open":
            kinds, cost = np.full(n, GENERAL), c.vetting_hours_open
        else:
            u = rng.random(n)
            kinds = np.where(u < c.medical_share, MEDICAL_VOL,
                             np.where(u < c.medical_share + c.psych_share, PSYCH_VOL, GENERAL))
            cost = c.vetting_hours_categorized
        # Applicants are residents of the community, so that they also set an example to their neighbours.
        free = np.flatnonzero(~self.is_volunteer)
        homes = rng.choice(free, size=min(n, len(free)), replace=False)
        self._add(model, kinds[: len(homes)], model.network.grid[homes], homes, cost, recruit=True)

    def _mobilise_residents(self, model) -> None:
        """Residents join by contagion over their ties, or spontaneously (public safety as a linked issue)."""
        active_home = np.zeros(model.households.n)
        homes = self.home[(self.status == ACTIVE) & (self.home >= 0)]
        active_home[homes] = 1.0
        share = (self.adjacency @ active_home) / self.degree
        rng = model.streams("volunteers:mobilise", model.day)
        candidates = np.flatnonzero(self.willing & ~self.is_volunteer & (share >= self.threshold) & (share > 0))
        joining = candidates[rng.random(len(candidates)) < TIPPED_JOIN]
        spont = np.flatnonzero(self.willing & ~self.is_volunteer)
        spont = spont[rng.random(len(spont)) < self.spontaneous] if self.spontaneous > 0 else spont[:0]
        joining = np.union1d(joining, spont)
        self._add(model, np.full(len(joining), GENERAL), model.network.grid[joining], joining, 0.0, recruit=False)

    # --- hooks ------------------------------------------------------------------------------------------------
    def start_day(self, model) -> None:
        if model.day == self.cfg.call_day:
            self._call(model)
        model.volunteers_active += int((self.status == ACTIVE).sum())
        model.volunteers_vetting = int((self.status == APPLICANT).sum())
        model.volunteers_burnt_out = int((self.status == BURNT_OUT).sum())

    def deliver(self, model, queue: Queue) -> Queue:
        active = np.flatnonzero(self.status == ACTIVE)
        if len(active) == 0 or len(queue) == 0:
            return queue
        c, n_grids = self.cfg, model.network.n_grids
        # Recruits work the share of their hours that coordination covers; mobilised residents organise themselves.
        offered = c.hours_per_day * np.where(self.recruit[active], self.supervised, 1.0)
        hours_by_cell = np.zeros((3, n_grids))
        np.add.at(hours_by_cell, (self.kind[active], self.grid[active]), offered)
        teams = [delivery.Team(categories, hours_by_cell[kind], model.cadre_task_hours,
                               f"volunteer_{KIND_NAMES[kind]}",
                               PROFESSIONAL_COUNSELLING if kind == PSYCH_VOL else 0.0)
                 for kind, categories in SERVES.items()]
        queue, used = delivery.serve_teams(model, queue, teams)  # the kinds serve disjoint categories
        used_by_cell = np.stack(used)
        share = np.divide(used_by_cell, hours_by_cell, out=np.zeros_like(used_by_cell), where=hours_by_cell > 0)
        self.fatigue[active] += c.fatigue_rate * share[self.kind[active], self.grid[active]]
        return queue

    def mobilise(self, model) -> None:
        if model.day < self.cfg.call_day:
            return
        self._coordinate(model)
        self._leave(model)
        if self.cfg.mobilisation:
            self._mobilise_residents(model)

    def _coordinate(self, model) -> None:
        """Supervise the active volunteers first, then vet applicants in order of arrival."""
        c = self.cfg
        span = c.leader_span if c.mode == "leaders" else 1.0
        supervised = (self.status == ACTIVE) & self.recruit
        supervision = supervised.sum() * c.supervision_hours / span
        waiting = np.flatnonzero(self.status == APPLICANT)
        vetting_demand = float(self.vetting_cost[waiting].sum())
        self.load = supervision + vetting_demand
        self.overloaded = self.load > self.capacity + 1e-9
        self.supervised = min(1.0, self.capacity / supervision) if supervision > 0 else 1.0
        left = max(self.capacity - supervision, 0.0)
        order = waiting[np.argsort(self.joined[waiting], kind="stable")]
        vetted = order[np.cumsum(self.vetting_cost[order]) <= left + 1e-9]
        self.status[vetted] = ACTIVE
        model.volunteer_coordination_load += self.load
        model.volunteer_coordination_capacity += self.capacity

    def _leave(self, model) -> None:
        """Applicants give up; active volunteers burn out, fall into unresolved conflicts or simply drop out."""
        c = self.cfg
        rng = model.streams("volunteers:leave", model.day)
        waiting = np.flatnonzero(self.status == APPLICANT)
        self.status[waiting[rng.random(len(waiting)) < c.waiting_dropout]] = DROPPED
        active = np.flatnonzero(self.status == ACTIVE)
        burnt = active[self.fatigue[active] >= 1.0]
        self.status[burnt] = BURNT_OUT
        active = np.flatnonzero(self.status == ACTIVE)
        overload = c.overload_attrition * self.overloaded * self.recruit[active]  # only recruits feel it
        p = c.attrition * (1.0 + overload) * (0.5 if c.incentives else 1.0)
        u = rng.random((2, len(active)))
        conflict = (u[1] < c.conflict_rate) & (not c.conflict_handling)
        self.status[active[(u[0] < p) | conflict]] = DROPPED
