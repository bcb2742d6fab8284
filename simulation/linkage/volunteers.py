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
building organises them, so they need no vetting and only `resident_supervision_share` of a recruit's supervision. Before the cadres serve (hook `deliver`), active
volunteers serve the queue of their grid cell by category: general volunteers food and supplies, medical volunteers
medicine runs and escorts, psychological volunteers support. An open call brings only general volunteers (nobody
sorted them), so medicine runs stay with the cadres.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from agents.volunteer import Volunteer
from simulation import delivery
from simulation.delivery import Queue
from simulation.hours import COUNSELLING_TASKS, SERVICE_TASKS
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
    COLUMNS = {"volunteers_active": 0, "volunteers_vetting": 0, "volunteers_burnt_out": 0,
               "volunteer_coordinator_load": 0.0, "volunteer_coordinator_capacity": 0.0}

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
        # Who is tied to each household, by column: the few active volunteers' homes reach their neighbours directly,
        # instead of a product over every household each day (`_mobilise_residents`).
        by_home = self.adjacency.tocsc()
        self._tie_start, self._tied = by_home.indptr.astype(np.int64), by_home.indices.astype(np.int64)
        mass = model.config.mass_base
        self.threshold = self.cfg.mobilisation_threshold * (1.0 - 0.6 * mass)
        self.spontaneous = self.cfg.spontaneous_rate * mass
        # Only some residents would ever volunteer; more of them where the mass base is strong.
        self.willing = model.streams("volunteers:willing").random(n) < self.cfg.willing_share * (0.25 + 0.75 * mass)
        self._willing_rows = np.flatnonzero(self.willing)  # fixed for the run, like `willing`
        self.counts = np.zeros(len(STATUS_NAMES), dtype=np.int64)
        self.supervised = 1.0  # share of volunteer hours that coordination covers today
        self._active, self._hours_by_cell = np.zeros(0, dtype=np.int64), np.zeros((3, model.network.n_grids))
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
        candidates, free = _tipped(self.status, self.home, self._tie_start, self._tied, self.degree, self.willing,
                                   self._willing_rows, self.is_volunteer, self.threshold)
        rng = model.streams("volunteers:mobilise", model.day)  # one number per candidate, then per free resident
        tipped = rng.random(len(candidates))
        if self.spontaneous > 0:
            moved = rng.random(len(free))
        else:
            free, moved = free[:0], np.zeros(0)
        joining = _joining(candidates, tipped, TIPPED_JOIN, free, moved, self.spontaneous)
        self._add(model, np.full(len(joining), GENERAL), model.network.grid[joining], joining, 0.0, recruit=False)

    # --- hooks ------------------------------------------------------------------------------------------------
    def start_day(self, model) -> None:
        if model.day == self.cfg.call_day:
            self._call(model)
        self.counts = np.bincount(self.status, minlength=len(STATUS_NAMES))  # this morning's, for the columns
        if model.day >= self.cfg.call_day:
            model.hours.offer("coordinator", self.capacity)
        # The active volunteers offer their hours, by kind and cell; they can work only the share of them that
        # coordination covered yesterday (the rest stays idle).
        c, n_grids = self.cfg, model.network.n_grids
        residents = self.supervised if c.resident_supervision_share > 0 else 1.0
        self._active, self._hours_by_cell = _hours_by_cell(self.status, self.kind, self.grid, self.recruit,
                                                           c.hours_per_day, self.supervised, residents, n_grids)
        if len(self._active):
            offered = self._hours_by_cell if self.supervised == 1.0 else _hours_by_cell(
                self.status, self.kind, self.grid, self.recruit, c.hours_per_day, 1.0, 1.0, n_grids)[1]
            for kind, name in enumerate(KIND_NAMES):
                model.hours.offer(f"volunteer_{name}", offered[kind])

    def deliver(self, model, queue: Queue) -> Queue:
        if len(queue) == 0:
            return queue
        c = self.cfg
        # Volunteers work the share of their hours that coordination covers (residents too, when they need any).
        active, hours_by_cell = self._active, self._hours_by_cell
        if len(active) == 0:
            return queue
        teams = [delivery.Team(categories, hours_by_cell[kind], model.cadre_task_hours,
                               f"volunteer_{KIND_NAMES[kind]}",
                               PROFESSIONAL_COUNSELLING if kind == PSYCH_VOL else 0.0,
                               f"volunteer_{KIND_NAMES[kind]}",
                               tasks=COUNSELLING_TASKS if kind == PSYCH_VOL else SERVICE_TASKS)
                 for kind, categories in SERVES.items()]
        queue, used = delivery.serve_teams(model, queue, teams)  # the kinds serve disjoint categories
        _tire(active, self.kind, self.grid, np.stack(used), hours_by_cell, c.fatigue_rate, self.fatigue)
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
        supervision, waiting, vetted = _vet(self.status, self.recruit, self.joined, self.vetting_cost,
                                            c.supervision_hours, c.resident_supervision_share, span,
                                            model.hours.left("coordinator"))
        model.hours.spend("coordinator", "supervision", supervision)
        model.hours.spend("coordinator", "vetting", vetted)
        # A pairwise NumPy sum, which a loop would not reproduce; there is nothing to sum once the queue is empty.
        vetting_demand = float(self.vetting_cost[waiting].sum()) if len(waiting) else 0.0
        self.load = supervision + vetting_demand
        self.overloaded = self.load > self.capacity + 1e-9
        self.supervised = min(1.0, self.capacity / supervision) if supervision > 0 else 1.0

    def observe(self, model) -> dict:
        counts, coordinating = self.counts, model.day >= self.cfg.call_day
        return {"volunteers_active": int(counts[ACTIVE]), "volunteers_vetting": int(counts[APPLICANT]),
                "volunteers_burnt_out": int(counts[BURNT_OUT]),
                "volunteer_coordinator_load": round(self.load, 6) if coordinating else 0.0,
                "volunteer_coordinator_capacity": round(self.capacity, 6) if coordinating else 0.0}

    def _leave(self, model) -> None:
        """Applicants give up; active volunteers burn out, fall into unresolved conflicts or simply drop out."""
        c = self.cfg
        rng = model.streams("volunteers:leave", model.day)
        waiting = _with_status(self.status, APPLICANT)
        active = _give_up_or_burn_out(waiting, rng.random(len(waiting)), c.waiting_dropout, self.status, self.fatigue)
        _drop_out(active, rng.random((2, len(active))), c.attrition, c.overload_attrition, self.overloaded,
                  0.5 if c.incentives else 1.0, c.conflict_rate, c.conflict_handling, self.recruit, self.status)


# --- the pool's compiled loops: each mirrors the NumPy expression in its docstring, operation for operation, so the
# results are the same to the last bit (a few hundred volunteers: a NumPy call costs more than the work) -------------
@njit(cache=True)
def _with_status(status, value):
    """flatnonzero(status == value)."""
    out = np.empty(len(status), np.int64)
    n = 0
    for v in range(len(status)):
        out[n] = v
        n += status[v] == value
    return out[:n]


@njit(cache=True)
def _hours_by_cell(status, kind, grid, recruit, hours_per_day, supervised, residents_supervised, n_grids):
    """The active volunteers and their hours by kind and grid cell:
    active = flatnonzero(status == ACTIVE);
    offered = hours_per_day * where(recruit[active], supervised, residents_supervised);
    hours = zeros((3, n_grids)); add.at(hours, (kind[active], grid[active]), offered), added in volunteer order as
    add.at adds."""
    active = np.empty(len(status), np.int64)
    n = 0
    for v in range(len(status)):
        active[n] = v
        n += status[v] == ACTIVE
    hours = np.zeros((3, n_grids))
    for v in active[:n]:
        hours[kind[v], grid[v]] += hours_per_day * (supervised if recruit[v] else residents_supervised)
    return active[:n], hours


@njit(cache=True)
def _tire(active, kind, grid, used, hours, fatigue_rate, fatigue):
    """Volunteers tire with the share of their cell's hours their kind used:
    share = divide(used, hours, where=hours > 0) (0 elsewhere);
    fatigue[active] += fatigue_rate * share[kind[active], grid[active]]."""
    for v in active:
        h = hours[kind[v], grid[v]]
        share = used[kind[v], grid[v]] / h if h > 0 else 0.0
        fatigue[v] = fatigue[v] + fatigue_rate * share


@njit(cache=True)
def _vet(status, recruit, joined, vetting_cost, supervision_hours, resident_share, span, capacity):
    """The coordinators' day: supervision first, then vetting in order of arrival with the hours left.

    supervision = (((status == ACTIVE) & recruit).sum() + resident_share * ((status == ACTIVE) & ~recruit).sum())
    * supervision_hours / span;
    waiting = flatnonzero(status == APPLICANT); left = max(capacity - supervision, 0.0);
    order = waiting[argsort(joined[waiting], kind="stable")];
    status[order[cumsum(vetting_cost[order]) <= left + 1e-9]] = ACTIVE (cumsum adds in order, as here).
    Returns the supervision hours and the applicants waiting before vetting."""
    supervised = residents = 0
    waiting = np.empty(len(status), np.int64)
    n = 0
    for v in range(len(status)):
        supervised += (status[v] == ACTIVE) & recruit[v]  # a count of bools
        residents += (status[v] == ACTIVE) & (not recruit[v])
        waiting[n] = v
        n += status[v] == APPLICANT
    waiting = waiting[:n]
    supervision = (supervised + resident_share * residents) * supervision_hours / span
    left = max(capacity - supervision, 0.0)
    order = waiting[np.argsort(joined[waiting], kind="mergesort")]  # mergesort: stable
    total = vetted = 0.0
    for j in range(n):
        total = vetting_cost[order[j]] if j == 0 else total + vetting_cost[order[j]]
        if total <= left + 1e-9:
            status[order[j]] = ACTIVE
            vetted = total
    return supervision, waiting, vetted


@njit(cache=True)
def _give_up_or_burn_out(waiting, u, waiting_dropout, status, fatigue):
    """status[waiting[u < waiting_dropout]] = DROPPED; then, among active = flatnonzero(status == ACTIVE),
    status[active[fatigue[active] >= 1.0]] = BURNT_OUT. Returns those still active."""
    for j in range(len(waiting)):
        if u[j] < waiting_dropout:
            status[waiting[j]] = DROPPED
    active = np.empty(len(status), np.int64)
    n = 0
    for v in range(len(status)):
        if status[v] == ACTIVE and fatigue[v] >= 1.0:
            status[v] = BURNT_OUT
        active[n] = v
        n += status[v] == ACTIVE
    return active[:n]


@njit(cache=True)
def _drop_out(active, u, attrition, overload_attrition, overloaded, incentive, conflict_rate, conflict_handling,
              recruit, status):
    """Volunteers drop out (more on overload days, only recruits feel it), or leave over a conflict nobody handles:
    p = attrition * (1.0 + overload_attrition * overloaded * recruit[active]) * incentive;
    status[active[(u[0] < p) | ((u[1] < conflict_rate) & (not conflict_handling))]] = DROPPED."""
    for j in range(len(active)):
        p = attrition * (1.0 + overload_attrition * overloaded * recruit[active[j]]) * incentive
        if u[0, j] < p or (u[1, j] < conflict_rate and not conflict_handling):
            status[active[j]] = DROPPED


@njit(cache=True)
def _tipped(status, home, tie_start, tied, degree, willing, willing_rows, is_volunteer, threshold):
    """Who may join today: the residents tipped by their ties, and those free to join on their own.

    candidates = flatnonzero(willing & ~is_volunteer & (share >= threshold) & (share > 0)) and
    free = flatnonzero(willing & ~is_volunteer) (= willing_rows[~is_volunteer[willing_rows]]), where
    share = (adjacency @ active_home) / degree and active_home is 1.0 at the homes of active volunteers. The product
    adds 1.0 per tie to such a home, an exact integer count, so it is counted here, in any order, from the active
    homes' ties (`tied`, by column); only the households it reaches can have a share above 0, and each willing, free
    one of those is divided as the NumPy expression divides (then put back in row order).
    """
    n = len(willing)
    ties = np.zeros(n, np.int32)  # a household's ties to homes of active volunteers
    counted = np.zeros(n, np.bool_)  # a home counts once, however many of its members volunteer
    reached = np.empty(len(tied), np.int64)  # the willing, free households with such a tie, as first reached
    n_reached = 0
    for v in range(len(status)):
        h = home[v]
        if status[v] == ACTIVE and h >= 0 and not counted[h]:
            counted[h] = True
            for k in range(tie_start[h], tie_start[h + 1]):
                r = tied[k]
                reached[n_reached] = r
                n_reached += (ties[r] == 0) & willing[r] & (not is_volunteer[r])
                ties[r] += 1
    candidates = np.empty(n_reached, np.int64)
    n_candidates = 0
    for r in reached[:n_reached]:  # without branches: who is free and tipped is unpredictable
        share = ties[r] / degree[r]
        candidates[n_candidates] = r
        n_candidates += (share >= threshold) & (share > 0)
    free = np.empty(len(willing_rows), np.int64)
    n_free = 0
    for r in willing_rows:
        free[n_free] = r
        n_free += not is_volunteer[r]
    return np.sort(candidates[:n_candidates]), free[:n_free]


@njit(cache=True)
def _joining(candidates, tipped, tipped_join, free, moved, spontaneous):
    """union1d(candidates[tipped < tipped_join], free[moved < spontaneous]), merging the two sorted lists."""
    out = np.empty(len(candidates) + len(free), np.int64)
    i = j = n = 0
    while True:
        while i < len(candidates) and not tipped[i] < tipped_join:
            i += 1
        while j < len(free) and not moved[j] < spontaneous:
            j += 1
        if i == len(candidates) and j == len(free):
            break
        if j == len(free) or (i < len(candidates) and candidates[i] < free[j]):
            out[n] = candidates[i]
            i += 1
        elif i == len(candidates) or free[j] < candidates[i]:
            out[n] = free[j]
            j += 1
        else:  # in both lists
            out[n] = free[j]
            i += 1
            j += 1
        n += 1
    return out[:n]
