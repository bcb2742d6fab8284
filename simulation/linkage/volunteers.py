"""Volunteer recruitment and mobilisation: a call brings applicants over the days of a drive, whose checks take days
and whom coordinators vet, approving or rejecting them; residents join by example over the network and around their
building leaders; general volunteers check on offline households at their doors and run errands, medical ones take
medicine runs and escorts; they tire, fall into conflicts and drop out.

Sources: open recruitment overloads the coordinator (Chen: one online call drew 800+ sign-ups; identity checks,
motivation surveys, personnel management and service-plan changes all fell on one person; what worked was recruiting
by referral into categories, incentive and conflict-handling mechanisms, and finding resident leaders); mass base
decides mobilisation (Song); public safety as a linked issue (Yu); leaders set the example; resident leaders.
Figures (sources: timeline; volunteers): the citywide drive from 23 Feb (day 31), over 10,000 sign-ups on its first
day and over 50,000 by 26 Feb, of whom about 19,000 approved and at work (H): about 36 sign-ups and 14 approvals per
community by day 34; approval delay 3-7 days and attrition 0.5-2% a day, higher under overload and coordination
delay (L). Sources: stylized fact 4 (older residents depend on calls and home visits, so their needs are discovered
later) and stylized fact 8 (volunteer supply outran the capacity to vet and coordinate; volunteers were put on
low-skill tasks rather than medicine runs).

The day, from `call_day` (nothing happens before it, not even a draw, so a run is the same as without volunteers
until then):

- `start_day`: the day's sign-ups of the drive arrive (an open call brings `applicants_per_1000`, a call by
  referral 1/`open_multiplier` of them, sorted into categories); the coordinators and the active volunteers offer
  their hours (ledger kinds `coordinator`, `volunteer_<kind>`), volunteers the share of theirs that yesterday's
  supervision covered.
- `report`: general volunteers check on the offline households of their grid cell at their doors, in turn,
  `doorstep_visits` each a day, and report the open needs they find (task `screening` of their own hours): the work
  the cadres' phone line and register do not do in time for households that cannot post online.
- `deliver`, before the cadres: the active volunteers serve the reported needs of their own cell by category with
  the hours left (general: food and supplies; medical: medicine runs and escorts; psychological: support).
- `mobilise`: volunteers tire with the share of their hours used; the coordinators supervise the active volunteers,
  resolve the day's conflicts (with conflict handling) and vet, in order of arrival, the applicants whose checks
  are back (`approval_days`), approving them or rejecting the unsuitable; overload (demand above their hours)
  raises the recruits' attrition and leaves part of the volunteers' hours unsupervised tomorrow. Applicants still
  waiting give up; volunteers burn out, drop out (less with incentives) or leave over a conflict nobody resolved.
  Residents whose share of ties to active volunteers, plus their building leader's example, passes a threshold
  (lower with a strong mass base), or who join on their own, start helping at once: their neighbours know them, so
  they need no vetting, and only `resident_supervision_share` of a recruit's supervision (their building organises
  the rest).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from agents.volunteer import KIND_NAMES, STATUS_NAMES, Volunteer
from simulation import delivery, reporting
from simulation.delivery import Queue
from simulation.hours import COUNSELLING_TASKS, SERVICE_TASKS
from simulation.households import FOOD, MEDICAL, MEDICINE, PSYCH, SUPPLIES
from simulation.linkage.base import Mechanism, find
from simulation.linkage.internal import InternalLinkage

GENERAL, MEDICAL_VOL, PSYCH_VOL = range(3)
SERVES = {GENERAL: (FOOD, SUPPLIES), MEDICAL_VOL: (MEDICINE, MEDICAL), PSYCH_VOL: (PSYCH,)}
APPLICANT, ACTIVE, BURNT_OUT, DROPPED, REJECTED = range(5)
PROFESSIONAL_COUNSELLING = 0.3  # a psychological volunteer's session, as the remote professionals' (online.py)
TIPPED_JOIN = 0.05  # daily chance that a household past its threshold acts on it


def drive(total: int, days: int, first_share: float) -> np.ndarray:
    """Sign-ups on each day of a drive of `days` days bringing `total`: `first_share` of them on the first day and
    the rest evenly over the others; each day's count is its rounded cumulative target less the days before, so the
    counts add up to `total`."""
    if days <= 1:
        return np.array([total], dtype=np.int64)
    through = first_share + (1.0 - first_share) * np.arange(days) / (days - 1)
    cumulative = np.floor(total * through + 0.5).astype(np.int64)
    return np.diff(cumulative, prepend=0)


class VolunteerPool(Mechanism):
    name = "volunteers"
    # Its daily columns, with their values when it is off. `volunteers_active` counts resident volunteers at work
    # this morning (recruits and mobilised residents; not the remote volunteers or group-buy organisers);
    # `applicants_total`, `volunteers_approved_total`, `vetting_rejected_total`, `volunteers_mobilised_total` and
    # `volunteers_left_total` are the run's totals so far; the rest are the day's.
    COLUMNS = {"volunteers_active": 0, "volunteers_vetting": 0, "volunteers_burnt_out": 0,
               "volunteer_coordinator_load": 0.0, "volunteer_coordinator_capacity": 0.0,
               "applicants_total": 0, "volunteers_approved_total": 0, "vetting_rejected_total": 0,
               "volunteers_mobilised_total": 0, "volunteers_left_total": 0, "volunteer_visits": 0,
               "volunteer_visits_found": 0, "volunteer_conflicts": 0, "volunteer_conflicts_unresolved": 0}

    def setup(self, model) -> None:
        self.cfg = c = model.config.volunteers
        hh, net = model.households, model.network
        n, n_grids = hh.n, net.n_grids
        self.kind = np.zeros(0, dtype=np.int64)
        self.status = np.zeros(0, dtype=np.int64)
        self.grid = np.zeros(0, dtype=np.int64)
        self.home = np.zeros(0, dtype=np.int64)  # the volunteer's household (recruits live in the community too)
        self.fatigue = np.zeros(0)
        self.joined = np.zeros(0, dtype=np.int64)
        self.vetting_cost = np.zeros(0)
        self.recruit = np.zeros(0, dtype=bool)  # came through the call (vetted, supervised), or mobilised
        self.unsuitable = np.zeros(0, dtype=bool)  # an applicant vetting will reject
        self._agents: list[Volunteer] = []  # made when looked at (`agents`)
        self._model = model
        model.defer_agents(self._make_agents)
        self.is_volunteer = np.zeros(n, dtype=bool)
        ties = net.ties
        self.adjacency = ties.copy()
        self.adjacency.data[:] = 1.0
        self.degree = np.maximum(np.asarray(self.adjacency.sum(axis=1)).ravel(), 1.0)
        # Who is tied to each household, by column: the few active volunteers' homes reach their neighbours directly,
        # instead of a product over every household each day (`_mobilise_residents`).
        by_home = self.adjacency.tocsc()
        self._tie_start, self._tied = by_home.indptr.astype(np.int64), by_home.indices.astype(np.int64)
        mass = model.config.mass_base
        self.threshold = c.mobilisation_threshold * (1.0 - 0.6 * mass)
        self.spontaneous = c.spontaneous_rate * mass
        # Only some residents would ever volunteer; more of them where the mass base is strong.
        self.willing = model.streams("volunteers:willing").random(n) < c.willing_share * (0.25 + 0.75 * mass)
        self._willing_rows = np.flatnonzero(self.willing)  # fixed for the run, like `willing`
        self.internal = find(model, InternalLinkage)  # its building leaders set an example
        self._no_example = np.zeros(n)
        # The drive's sign-ups, day by day from `call_day`.
        referral = c.mode != "open"
        total = int(c.applicants_per_1000 * model.config.households / 1000
                    / (c.open_multiplier if referral else 1.0) + 0.5)
        self.arrivals = drive(total, c.drive_days, c.first_day_share)
        self.drive_total = total  # the drive's sign-ups in all: the scenario's, or what a district allocates
        # The offline households of each grid cell, in row order: the general volunteers' round of doorstep visits.
        offline = np.flatnonzero(~hh.digital)
        self._roster = offline[np.argsort(net.grid[offline], kind="stable")]
        self._roster_start = np.searchsorted(net.grid[self._roster], np.arange(n_grids + 1)).astype(np.int64)
        self._visit_pointer = np.zeros(n_grids, dtype=np.int64)
        self._visit_hours = np.zeros(n_grids)
        # Morning counts by status, and the run's totals so far (the daily columns).
        self.counts = np.zeros(len(STATUS_NAMES), dtype=np.int64)
        self.applicants_total = self.approved_total = self.rejected_total = 0
        self.mobilised_total = self.left_total = 0
        self.visits = self.found = self.conflicts = self.unresolved = 0  # today's
        self.supervised = 1.0  # share of volunteer hours that coordination covers today
        self._active, self._hours_by_cell = np.zeros(0, dtype=np.int64), np.zeros((3, n_grids))
        self.overloaded = False
        self.load = 0.0
        self.capacity = c.coordinators * c.coordinator_hours
        self._teams: list[delivery.Team] | None = None  # the kinds' teams (`deliver`), their hours set each day

    # --- joining ----------------------------------------------------------------------------------------------
    def _add(self, model, kinds: np.ndarray, grids: np.ndarray, homes: np.ndarray, vetting: float,
             recruit: bool, unsuitable: np.ndarray | None = None) -> None:
        k = len(kinds)
        if k == 0:
            return
        self.kind = np.concatenate([self.kind, kinds])
        self.status = np.concatenate([self.status, np.full(k, APPLICANT if recruit else ACTIVE)])
        self.grid = np.concatenate([self.grid, grids])
        self.home = np.concatenate([self.home, homes])
        self.fatigue = np.concatenate([self.fatigue, np.zeros(k)])
        self.joined = np.concatenate([self.joined, np.full(k, model.day)])
        self.vetting_cost = np.concatenate([self.vetting_cost, np.full(k, vetting)])
        self.recruit = np.concatenate([self.recruit, np.full(k, recruit)])
        self.unsuitable = np.concatenate([self.unsuitable, np.zeros(k, dtype=bool) if unsuitable is None
                                          else unsuitable])
        self.is_volunteer[homes[homes >= 0]] = True

    @property
    def agents(self) -> list[Volunteer]:
        """One Mesa agent per volunteer, in joining order, each a view on its row of the pool's arrays (the pool's
        days never read them: they are made when looked at, here or through `model.agents`)."""
        self._make_agents()
        return self._agents

    def _make_agents(self) -> None:
        for i in range(len(self._agents), len(self.kind)):
            self._agents.append(Volunteer(self._model, self, i))

    def _call(self, model, n: int) -> None:
        """The day's sign-ups of the drive: residents of the community, sorted into categories by a call by
        referral (an open call's are all general: nobody sorted them); some are unsuitable, which vetting finds."""
        c = self.cfg
        rng = model.streams("volunteers:call", model.day)
        if c.mode == "open":
            kinds, cost, unsuitable_share = np.full(n, GENERAL), c.vetting_hours_open, c.unsuitable_share
        else:
            u = rng.random(n)
            kinds = np.where(u < c.medical_share, MEDICAL_VOL,
                             np.where(u < c.medical_share + c.psych_share, PSYCH_VOL, GENERAL))
            cost, unsuitable_share = c.vetting_hours_categorized, c.referred_unsuitable_share
        unsuitable = rng.random(n) < unsuitable_share
        # Applicants are residents of the community, so that they also set an example to their neighbours.
        free = np.flatnonzero(~self.is_volunteer)
        homes = rng.choice(free, size=min(n, len(free)), replace=False)
        k = len(homes)
        self._add(model, kinds[:k], model.network.grid[homes], homes, cost, recruit=True, unsuitable=unsuitable[:k])
        self.applicants_total += k

    def _mobilise_residents(self, model) -> None:
        """Residents join by contagion over their ties and their building leader's example, or spontaneously
        (public safety as a linked issue)."""
        example = self.internal.example(model) if self.internal is not None else None
        candidates, free = _tipped(self.status, self.home, self._tie_start, self._tied, self.degree, self.willing,
                                   self._willing_rows, self.is_volunteer, self.threshold,
                                   self._no_example if example is None else example)
        if self.spontaneous <= 0:
            free = free[:0]
        # one number per candidate, then per free resident
        u = model.streams.random("volunteers:mobilise", model.day, len(candidates) + len(free))
        tipped, moved = u[:len(candidates)], u[len(candidates):]
        joining = _joining(candidates, tipped, TIPPED_JOIN, free, moved, self.spontaneous)
        self._add(model, np.full(len(joining), GENERAL), model.network.grid[joining], joining, 0.0, recruit=False)
        self.mobilised_total += len(joining)

    # --- hooks ------------------------------------------------------------------------------------------------
    def start_day(self, model) -> None:
        c = self.cfg
        k = model.day - c.call_day
        total = model.allocation("volunteers", self.drive_total)
        if total != self.drive_total:  # a district sends another number: the days still to come follow it
            self.arrivals = np.concatenate([self.arrivals[:max(k, 0)],
                                            drive(total, c.drive_days, c.first_day_share)[max(k, 0):]])
            self.drive_total = total
        if 0 <= k < len(self.arrivals) and self.arrivals[k] > 0:
            self._call(model, int(self.arrivals[k]))
        self.counts = np.bincount(self.status, minlength=len(STATUS_NAMES))  # this morning's, for the columns
        self.visits = self.found = self.conflicts = self.unresolved = 0
        self._visit_hours[:] = 0.0
        if model.day < c.call_day:
            return
        model.hours.offer("coordinator", self.capacity)
        # The active volunteers offer their hours, by kind and cell; they can work only the share of them that
        # coordination covered yesterday (the rest stays idle), residents too when they need any.
        n_grids = model.network.n_grids
        residents = self.supervised if c.resident_supervision_share > 0 else 1.0
        self._active, self._hours_by_cell = _hours_by_cell(self.status, self.kind, self.grid, self.recruit,
                                                           c.hours_per_day, self.supervised, residents, n_grids)
        if len(self._active):
            offered = self._hours_by_cell if self.supervised == 1.0 else _hours_by_cell(
                self.status, self.kind, self.grid, self.recruit, c.hours_per_day, 1.0, 1.0, n_grids)[1]
            for kind, name in enumerate(KIND_NAMES):
                model.hours.offer(f"volunteer_{name}", offered[kind])

    def report(self, model) -> None:
        """Doorstep visits: each cell's general volunteers check on the next of its offline households, as many as
        `doorstep_visits` each (for the share of their hours supervised) and their hours allow, and report the open
        needs they find."""
        c = self.cfg
        if model.day < c.call_day or c.doorstep_visits == 0 or len(self._active) == 0 or len(self._roster) == 0:
            return
        hours = self._hours_by_cell[GENERAL]
        if not hours.any():
            return
        rows, per_cell = _visit_round(self._roster, self._roster_start, self._visit_pointer, hours,
                                      c.doorstep_visits / c.hours_per_day, c.visit_hours)
        if len(rows) == 0:
            return
        self._visit_hours = model.hours.spend("volunteer_general", "screening", per_cell * c.visit_hours)
        hh = model.households
        self.visits = len(rows)
        self.found = reporting.count_waiting(hh, rows)
        model.ledger.report(hh, rows, model.day)

    def deliver(self, model, queue: Queue) -> Queue:
        if len(queue) == 0 or len(self._active) == 0:
            return queue
        # Volunteers serve with the share of their hours that coordination covers, less today's visits.
        hours_by_cell = self._hours_by_cell.copy()
        hours_by_cell[GENERAL] = np.maximum(hours_by_cell[GENERAL] - self._visit_hours, 0.0)
        teams = self._teams
        if teams is None or teams[0].hours is not model.cadre_task_hours:  # the same teams every day
            teams = self._teams = [
                delivery.Team(categories, None, model.cadre_task_hours, f"volunteer_{KIND_NAMES[kind]}",
                              PROFESSIONAL_COUNSELLING if kind == PSYCH_VOL else 0.0, f"volunteer_{KIND_NAMES[kind]}",
                              tasks=COUNSELLING_TASKS if kind == PSYCH_VOL else SERVICE_TASKS)
                for kind, categories in SERVES.items()]
        for team, kind in zip(teams, SERVES):  # with today's hours
            team.capacity = hours_by_cell[kind]
        queue, _ = delivery.serve_teams(model, queue, teams)  # the kinds serve disjoint categories
        return queue

    def mobilise(self, model) -> None:
        if model.day < self.cfg.call_day:
            return
        c = self.cfg
        if len(self._active):  # volunteers tire with the share of their (supervised) hours used today
            used = np.array([model.hours.used(f"volunteer_{name}") for name in KIND_NAMES])
            _tire(self._active, self.kind, self.grid, used, self._hours_by_cell, c.fatigue_rate, self.fatigue)
        # One row of numbers per volunteer, whatever its status: an applicant's give-up, a volunteer's drop-out and
        # conflict. A volunteer draws the same numbers whether or not others are at work (common random numbers).
        u = model.streams.random("volunteers:leave", model.day, (3, len(self.status)))
        unresolved = self._coordinate(model, u[2])
        self._leave(model, u, unresolved)
        if c.mobilisation:
            self._mobilise_residents(model)

    def _coordinate(self, model, u_conflict: np.ndarray) -> np.ndarray:
        """The coordinators' day: supervise the active volunteers, resolve today's conflicts (with conflict
        handling), then vet the applicants whose checks are back, in order of arrival, with the hours left.
        Returns the volunteers whose conflict nobody resolved."""
        c, ledger = self.cfg, model.hours
        span = c.leader_span if c.mode == "leaders" else 1.0
        supervision = _supervision(self.status, self.recruit, c.supervision_hours, c.resident_supervision_share,
                                   span)
        ledger.spend("coordinator", "supervision", supervision)
        conflict = _conflicts(self._active, self.status, u_conflict, c.conflict_rate)
        self.conflicts = len(conflict)
        resolving = len(conflict) * c.conflict_hours if c.conflict_handling else 0.0
        if c.conflict_handling and len(conflict):
            granted = ledger.spend("coordinator", "supervision", resolving)  # personnel management
            resolved = len(conflict) if c.conflict_hours == 0 else min(int(granted / c.conflict_hours + 1e-9),
                                                                       len(conflict))
        else:
            resolved = 0
        unresolved = conflict[resolved:]
        self.unresolved = len(unresolved)
        vetted, demand, approved, rejected = _vet(self.status, self.joined, self.vetting_cost, self.unsuitable,
                                                  model.day - c.approval_days, ledger.left("coordinator"))
        ledger.spend("coordinator", "vetting", vetted)
        self.approved_total += approved
        self.rejected_total += rejected
        self.load = supervision + resolving + demand
        self.overloaded = self.load > self.capacity + 1e-9
        self.supervised = min(1.0, self.capacity / supervision) if supervision > 0 else 1.0
        return unresolved

    def observe(self, model) -> dict:
        counts, coordinating = self.counts, model.day >= self.cfg.call_day
        return {"volunteers_active": int(counts[ACTIVE]), "volunteers_vetting": int(counts[APPLICANT]),
                "volunteers_burnt_out": int(counts[BURNT_OUT]),
                "volunteer_coordinator_load": round(self.load, 6) if coordinating else 0.0,
                "volunteer_coordinator_capacity": round(self.capacity, 6) if coordinating else 0.0,
                "applicants_total": self.applicants_total, "volunteers_approved_total": self.approved_total,
                "vetting_rejected_total": self.rejected_total, "volunteers_mobilised_total": self.mobilised_total,
                "volunteers_left_total": self.left_total, "volunteer_visits": self.visits,
                "volunteer_visits_found": self.found, "volunteer_conflicts": self.conflicts,
                "volunteer_conflicts_unresolved": self.unresolved}

    def _leave(self, model, u: np.ndarray, unresolved: np.ndarray) -> None:
        """Applicants give up; volunteers at work today burn out, drop out, or leave over an unresolved conflict."""
        c = self.cfg
        self.left_total += _leave(self._active, u, unresolved, c.waiting_dropout, c.attrition,
                                  c.overload_attrition, self.overloaded,
                                  c.incentive_attrition if c.incentives else 1.0, self.recruit, self.fatigue,
                                  self.status)


# --- the pool's compiled loops (a few hundred volunteers: a NumPy call costs more than the work); each says what it
# computes as a NumPy expression where there is one ---------------------------------------------------------------
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
def _visit_round(roster, start, pointer, hours, visits_per_hour, visit_hours):
    """The day's doorstep visits, cell by cell: k = min(floor(hours * visits_per_hour), floor(hours / visit_hours),
    cell's offline households) of the cell's roster `roster[start[g]:start[g + 1]]`, from its pointer on, wrapping
    round (each household at most once a day); the pointers advance by k. Returns the households visited (cell by
    cell) and the visits per cell."""
    n_cells = len(start) - 1
    per_cell = np.zeros(n_cells)
    out = np.empty(len(roster), np.int64)
    m = 0
    for g in range(n_cells):
        size = start[g + 1] - start[g]
        if size == 0 or hours[g] <= 0.0:
            continue
        k = min(int(hours[g] * visits_per_hour + 1e-9), int(hours[g] / visit_hours + 1e-9), size)
        p = pointer[g]
        for j in range(k):
            out[m] = roster[start[g] + (p + j) % size]
            m += 1
        pointer[g] = (p + k) % size
        per_cell[g] = k
    return out[:m], per_cell


@njit(cache=True)
def _tire(active, kind, grid, used, hours, fatigue_rate, fatigue):
    """Volunteers tire with the share of their cell's hours their kind used:
    share = divide(used, hours, where=hours > 0) (0 elsewhere), at most 1;
    fatigue[active] += fatigue_rate * share[kind[active], grid[active]]."""
    for v in active:
        h = hours[kind[v], grid[v]]
        share = min(used[kind[v], grid[v]] / h, 1.0) if h > 0 else 0.0
        fatigue[v] = fatigue[v] + fatigue_rate * share


@njit(cache=True)
def _supervision(status, recruit, supervision_hours, resident_share, span):
    """(((status == ACTIVE) & recruit).sum() + resident_share * ((status == ACTIVE) & ~recruit).sum())
    * supervision_hours / span: the recruits at work need their coordinators; mobilised residents a share of that
    (their building organises the rest)."""
    supervised = residents = 0
    for v in range(len(status)):
        supervised += (status[v] == ACTIVE) & recruit[v]
        residents += (status[v] == ACTIVE) & (not recruit[v])
    return (supervised + resident_share * residents) * supervision_hours / span


@njit(cache=True)
def _conflicts(active, status, u, conflict_rate):
    """The volunteers at work today who fall into a conflict: active[(status[active] == ACTIVE) &
    (u[active] < conflict_rate)], in pool order."""
    out = np.empty(len(active), np.int64)
    n = 0
    for v in active:
        out[n] = v
        n += (status[v] == ACTIVE) & (u[v] < conflict_rate)
    return out[:n]


@njit(cache=True)
def _vet(status, joined, vetting_cost, unsuitable, checked_by, capacity):
    """Vet the applicants whose checks are back (joined <= checked_by), in order of arrival (`joined`, then pool
    order), while the running total of their vetting costs fits in `capacity`: each becomes active, or rejected if
    unsuitable. Returns the hours vetted, the hours all of them would have taken (the day's vetting demand), and
    how many were approved and rejected."""
    ready = np.empty(len(status), np.int64)
    n = 0
    for v in range(len(status)):
        ready[n] = v
        n += (status[v] == APPLICANT) & (joined[v] <= checked_by)
    order = ready[:n][np.argsort(joined[ready[:n]], kind="mergesort")]  # mergesort: stable
    total = vetted = 0.0
    approved = rejected = 0
    stopped = False
    for j in range(n):
        v = order[j]
        total = vetting_cost[v] if j == 0 else total + vetting_cost[v]
        if not stopped and total <= capacity + 1e-9:
            vetted = total
            if unsuitable[v]:
                status[v] = REJECTED
                rejected += 1
            else:
                status[v] = ACTIVE
                approved += 1
        else:
            stopped = True  # the first that does not fit ends the day's vetting
    return vetted, total, approved, rejected


@njit(cache=True)
def _leave(active, u, unresolved, waiting_dropout, attrition, overload_attrition, overloaded, incentive, recruit,
           fatigue, status):
    """The day's departures, with one row of `u` per purpose and one column per volunteer:
    applicants still waiting give up when u[0] < waiting_dropout; of the volunteers at work today (`active`) still
    active, those with fatigue >= 1 burn out, and the others drop out when
    u[1] < attrition * (1 + overload_attrition * overloaded * recruit) * incentive, or when their conflict today was
    not resolved (`unresolved`). Returns how many volunteers left (burnt out or dropped out)."""
    for v in range(len(status)):
        if status[v] == APPLICANT and u[0, v] < waiting_dropout:
            status[v] = DROPPED
    conflict = np.zeros(len(status), np.bool_)
    for v in unresolved:
        conflict[v] = True
    left = 0
    for v in active:
        if status[v] != ACTIVE:
            continue
        if fatigue[v] >= 1.0:
            status[v] = BURNT_OUT
            left += 1
            continue
        p = attrition * (1.0 + overload_attrition * overloaded * recruit[v]) * incentive
        if u[1, v] < p or conflict[v]:
            status[v] = DROPPED
            left += 1
    return left


@njit(cache=True)
def _tipped(status, home, tie_start, tied, degree, willing, willing_rows, is_volunteer, threshold, example):
    """Who may join today: the residents tipped by their ties and their building leader's example, and those free
    to join on their own.

    candidates = flatnonzero(willing & ~is_volunteer & (share >= threshold) & (share > 0)) and
    free = flatnonzero(willing & ~is_volunteer) (= willing_rows[~is_volunteer[willing_rows]]), where
    share = (adjacency @ active_home) / degree + example and active_home is 1.0 at the homes of active volunteers.
    The product adds 1.0 per tie to such a home, an exact integer count, so it is counted here, in any order, from
    the active homes' ties (`tied`, by column); only the households it reaches, and those whose leader's example
    alone passes the threshold, can be candidates.
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
    free = np.empty(len(willing_rows), np.int64)
    n_free = 0
    n_examples = 0  # free households tied to no active home whose leader's example alone tips them
    for r in willing_rows:
        free[n_free] = r
        n_free += not is_volunteer[r]
        n_examples += (not is_volunteer[r]) & (ties[r] == 0) & (example[r] >= threshold) & (example[r] > 0)
    candidates = np.empty(n_reached + n_examples, np.int64)
    n_candidates = 0
    for r in reached[:n_reached]:  # without branches: who is free and tipped is unpredictable
        share = ties[r] / degree[r] + example[r]
        candidates[n_candidates] = r
        n_candidates += (share >= threshold) & (share > 0)
    if n_examples:
        for r in free[:n_free]:
            if ties[r] == 0 and example[r] >= threshold and example[r] > 0:
                candidates[n_candidates] = r
                n_candidates += 1
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
