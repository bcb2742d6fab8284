"""The households' hot state: one array per attribute, owned by the model and updated whole each day.

A `Household` agent (agents/household.py) is a view on row `index` of these arrays. Keeping the state columnar lets
every daily process act on all households at once instead of looping over agents; the update semantics is
synchronous: each process reads the arrays as the previous process left them and writes them back whole.

Needs are held as a households x categories table (column-major, so that one category's column is contiguous): a
household has at most one open need per category. A need is
*raised* when its slot opens, *reported* once a responder knows of it and *met* when its slot closes, so every need
raised is, at any moment, exactly one of met, open-and-reported, or open-and-hidden.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from scenarios import Scenario
from scenarios.schema import CATEGORIES, COMPOUND_TYPES

FOOD, MEDICINE, MEDICAL, PSYCH, SUPPLIES = range(len(CATEGORIES))
N_COMPOUND_TYPES = len(COMPOUND_TYPES)
GROUPS = ("elderly_alone", "chronic", "low_income", "offline", "offline_elderly", "vulnerable")
# Responders whose psychological sessions are professional help (the survey's "used a service"): the remote services
# (simulation/linkage/online.py), the organisations' social workers and resident psychological volunteers.
COUNSELLORS = frozenset({"online_psych", "social_worker", "volunteer_psych"})
RECOVERY_MARGIN = 0.1  # a household in need of psychological help stays in need until distress < threshold - this
# The groups whose met needs and days waited the ledger also counts apart (the wait ratios of outcomes.py compare
# each with the households outside it), and their bits in `HouseholdState.group_bits`.
WAIT_GROUPS = ("vulnerable", "offline")
WAIT_GROUP_BITS = np.array([GROUPS.index(g) for g in WAIT_GROUPS], dtype=np.int64)


class HouseholdState:
    """Arrays of the households' attributes, stocks, distress and open needs."""

    def __init__(self, scenario: Scenario, rng: np.random.Generator, factors: dict | None = None) -> None:
        """`factors`: per-household multipliers of the shares (`elderly`, `alone`, `digital`, `low_income`: the
        households' compound types, simulation/compounds.py), None for every household alike."""
        pop, needs, dist = scenario.population, scenario.needs, scenario.distress
        n = scenario.households
        self.n = n
        u = rng.random((9, n))

        def share(value: float, factor: str):
            return value if factors is None else np.minimum(value * factors[factor], 1.0)

        # --- attributes (fixed for the run) ---
        self.elderly = u[0] < share(pop.elderly_share, "elderly")
        self.alone = self.elderly & (u[1] < share(pop.alone_share_of_elderly, "alone"))
        self.size = np.where(self.alone, 1, 1 + rng.poisson(max(pop.persons_per_household - 1.0, 0.0), n))
        self.chronic = u[2] < np.where(self.elderly, pop.chronic_share_elderly, pop.chronic_share_other)
        self.dialysis = u[3] < pop.dialysis_share
        self.chronic |= self.dialysis  # dialysis patients are chronically ill
        self.disabled = u[4] < pop.disability_share
        self.low_income = u[5] < share(pop.low_income_share, "low_income")
        digital_p = np.where(self.alone, share(pop.digital_share_alone, "digital"),
                             np.where(self.elderly, share(pop.digital_share_elderly, "digital"),
                                      share(pop.digital_share_other, "digital")))
        self.digital = u[6] < digital_p
        self.frail = self.alone | self.disabled
        # Chance factor of self-provision: lower for elderly people living alone and disabled members.
        self.self_provision = np.where(self.frail, needs.frail_self_provision, 1.0)
        # Food bought or delivered lasts longer for small households: days scale with average size / size.
        self.food_days_factor = pop.persons_per_household / self.size
        # The community's register of special groups, which cadres screen proactively.
        self.on_register = self.alone | self.disabled | self.dialysis | self.low_income
        self.key_group = self.alone | self.chronic  # of the aftermath, with the bereaved (the source panel, Aftermath)
        self.vulnerable = self.alone | self.chronic | self.dialysis | self.disabled | self.low_income | ~self.digital
        self.outing_offset = rng.integers(0, 1 << 20, n)
        self.dialysis_offset = rng.integers(0, needs.dialysis_interval, n)
        mean, conc = dist.initial_mean, dist.initial_concentration
        self.baseline_distress = rng.beta(max(mean * conc, 1e-3), max((1 - mean) * conc, 1e-3), n)
        # --- dynamic state ---
        self.food_stock = needs.food_stock_days * (0.5 + u[7])
        self.medicine_stock = np.where(self.chronic, needs.medicine_stock_days * 2 * u[8], np.inf)
        self.distress = self.baseline_distress.copy()
        # In need of psychological help: from distress above `needs.psych_threshold` until it eases below the
        # threshold less RECOVERY_MARGIN (updated each day's end, simulation/consequences.py).
        self.in_need = self.distress > needs.psych_threshold
        self.bereaved = np.zeros(n, dtype=bool)  # an urgent medical need of the household failed (ill or lost)
        # Day from which a dialysis patient's open medical need counts towards its deadline: its latest session
        # missed (simulation/needs.py), so that every missed session is a critical failure of its own.
        self.medical_clock = np.full(n, -1, dtype=np.int16)
        shape = (n, len(CATEGORIES))
        self.open = np.zeros(shape, dtype=bool, order="F")
        self.reported = np.zeros(shape, dtype=bool, order="F")
        self.failed = np.zeros(shape, dtype=bool, order="F")  # urgent need already counted as a critical failure
        self.raised_day = np.zeros(shape, dtype=np.int16, order="F")  # days fit: MAX_DAYS is 3,650
        self.reported_day = np.zeros(shape, dtype=np.int16, order="F")
        self.everyone = np.ones(n, dtype=bool)  # a mask of all households (outings every day)
        self.turned_away = np.zeros(n, dtype=bool)  # today's medical patients no hospital would take (needs.py)
        self.dialysis_rows = np.flatnonzero(self.dialysis)
        self.open_raised_days = 0  # sum of raised_day over open needs, kept up to date by the Ledger
        self.open_count = np.zeros(len(CATEGORIES), dtype=np.int64)  # open needs by category (Ledger)
        self.known_count = np.zeros(len(CATEGORIES), dtype=np.int64)  # of which reported (Ledger)
        # Group membership as a matrix, so that per-group counts are one product.
        self.group_matrix = np.stack([self.alone, self.chronic, self.low_income, ~self.digital,
                                      self.elderly & ~self.digital, self.vulnerable]).astype(np.float32)
        # The same as one byte per household (bit g: group g), for the daily per-group counts (outcomes.py).
        self.group_bits = (self.group_matrix.astype(bool) << np.arange(len(GROUPS), dtype=np.uint8)[:, None]).sum(
            axis=0, dtype=np.uint8)

    def outing_days(self, interval: int, day: int) -> np.ndarray | bool:
        """Whether each household may go out on `day` when outings are allowed every `interval` days."""
        if interval <= 1:
            return True
        if getattr(self, "_slot_interval", None) != interval:  # staggered: each household has its own turn
            self._slot, self._slot_interval = self.outing_offset % interval, interval
        return self._slot == day % interval

    def open_per_household(self, table: np.ndarray | None = None) -> np.ndarray:
        """Number of open needs (or of True entries of `table`) per household, as small integers."""
        table = self.open if table is None else table
        return table.view(np.uint8).sum(axis=1, dtype=np.uint8)

    @property
    def hidden(self) -> np.ndarray:
        """Open needs no responder knows of."""
        return self.open & ~self.reported

    def nbytes(self) -> int:
        """Memory held by the arrays (for the benchmark's bytes per household)."""
        return sum(v.nbytes for v in vars(self).values() if isinstance(v, np.ndarray))


class Ledger:
    """The day's flows of needs: raised, reported and met, by category, and the waits of met needs (in all, and for
    the households of each of `WAIT_GROUPS`)."""

    def __init__(self) -> None:
        k = len(CATEGORIES)
        self.raised = np.zeros(k, dtype=np.int64)
        self.met = np.zeros(k, dtype=np.int64)
        self.reported = 0
        self.met_wait_days = 0
        self.met_in_group = np.zeros(len(WAIT_GROUPS), dtype=np.int64)  # needs met of households in the group
        self.wait_in_group = np.zeros(len(WAIT_GROUPS), dtype=np.int64)  # the days those needs waited
        self.met_by: dict[str, int] = {}
        self.critical_failures = 0
        self.critical_by_compound = np.zeros(N_COMPOUND_TYPES, dtype=np.int64)  # of them, by compound type
        self.turned_away = 0  # medical visits made today that no hospital took
        self.sessions = 0  # professional psychological sessions given today (COUNSELLORS)

    def raise_each(self, hh: HouseholdState, groups: list[tuple[np.ndarray, int]], day: int) -> None:
        """For each (rows, category) of `groups` (rows unique), one group after the other and in one compiled pass:
        open a need of `category` for the households `rows` that have none open."""
        lengths = np.array([len(rows) for rows, _ in groups], dtype=np.int64)
        rows = np.concatenate([rows for rows, _ in groups]).astype(np.int64, copy=False)
        cats = np.array([category for _, category in groups], dtype=np.int64)
        opened = _open_needs_each(rows, lengths, cats, day, hh.open, hh.reported, hh.failed, hh.raised_day,
                                  hh.open_count, self.raised)
        hh.open_raised_days += day * opened

    def _close(self, hh: HouseholdState, rows: np.ndarray, cats: np.ndarray, day: int) -> None:
        """Close the open needs at (rows, cats) and count them met, with their waits."""
        raised = _close_needs(rows, cats, day, hh.open, hh.reported, hh.raised_day, hh.open_count, hh.known_count,
                              self.met, hh.group_bits, WAIT_GROUP_BITS, self.met_in_group, self.wait_in_group)
        hh.open_raised_days -= raised
        self.met_wait_days += day * len(rows) - raised

    def meet(self, hh: HouseholdState, rows: np.ndarray, cats: np.ndarray, day: int, by: str) -> None:
        """Close the open needs at (rows, cats), met by `by` (self, cadre, volunteer, ...)."""
        if len(rows) == 0:
            return
        self._close(hh, rows, cats, day)
        self.met_by[by] = self.met_by.get(by, 0) + len(rows)
        if by in COUNSELLORS:
            self.sessions += int(np.count_nonzero(cats == PSYCH))

    def meet_teams(self, hh: HouseholdState, rows: np.ndarray, cats: np.ndarray, first: np.ndarray,
                   bys: list[str], day: int) -> None:
        """`meet` for several responders at once: the needs at (rows, cats) from first[k] to first[k + 1] are met by
        bys[k]. One pass over all of them (needs met by different responders are different needs, and what `meet`
        counts is integers, so the counts are those of one `meet` per responder)."""
        if len(rows) == 0:
            return
        self._close(hh, rows, cats, day)
        bounds = first.tolist()
        for k, by in enumerate(bys):
            n = bounds[k + 1] - bounds[k]
            if n == 0:
                continue
            self.met_by[by] = self.met_by.get(by, 0) + n
            if by in COUNSELLORS:
                self.sessions += int(np.count_nonzero(cats[bounds[k]:bounds[k + 1]] == PSYCH))

    def count_sessions(self, k: int) -> None:
        """Count `k` professional sessions that met no open request (a household in need counselled whose request
        was already met, or not yet raised); the sessions that meet a request are counted by `meet`."""
        self.sessions += int(k)

    def meet_rows(self, hh: HouseholdState, rows: np.ndarray, category: int, day: int, by: str) -> None:
        """Close the open `category` needs of the households `rows` (all of which have one open)."""
        if len(rows) == 0:
            return
        self.meet(hh, rows, np.full(len(rows), category, dtype=np.int64), day, by)

    def report(self, hh: HouseholdState, rows: np.ndarray, day: int) -> None:
        """Make every open need of households `rows` known to responders."""
        if len(rows) == 0:
            return
        self.reported += _report_needs(rows, day, hh.open, hh.reported, hh.reported_day, hh.known_count)


# --- the ledger's compiled loops: one pass over the rows instead of a NumPy call per category and step. (A compiled
# function here calls no other: in Numba, a call passing 2-D arrays costs more than the work of one need.) -----------
@njit(cache=True)
def _open_needs_each(rows, lengths, cats, day, open_, reported, failed, raised_day, open_count, raised) -> int:
    """For each group of `rows` (lengths[g] rows of category cats[g], group after group), open a need of its category
    for the rows that have none open, counting them in `open_count` and `raised` (by category); returns how many
    opened in all."""
    opened = 0
    start = 0
    for g in range(len(lengths)):
        category = cats[g]
        k = 0
        for j in range(start, start + lengths[g]):
            r = rows[j]
            if not open_[r, category]:
                open_[r, category] = True
                reported[r, category] = False
                failed[r, category] = False
                raised_day[r, category] = day
                k += 1
        open_count[category] += k
        raised[category] += k
        opened += k
        start += lengths[g]
    return opened


@njit(cache=True)
def _close_needs(rows, cats, day, open_, reported, raised_day, open_count, known_count, met, group_bits, wait_bits,
                 met_in_group, wait_in_group) -> int:
    """Close the open needs at (rows, cats) on `day`; returns the sum of their raise days. Each need met of a
    household with bit `wait_bits[g]` set counts in `met_in_group[g]`, and its wait in `wait_in_group[g]`.

    The counts are integers, added up in locals (the needs come category by category: a category's counts are
    written when the next begins) and written once, so that the loop does not wait on the counters in memory."""
    raised = 0
    n_groups = len(wait_bits)
    two = n_groups == 2  # the wait groups (WAIT_GROUPS), in scalars
    bit0, bit1 = (wait_bits[0], wait_bits[1]) if two else (0, 0)
    met0 = met1 = wait0 = wait1 = 0
    met_g = np.zeros(n_groups, np.int64)
    wait_g = np.zeros(n_groups, np.int64)
    current, closed, was_known = -1, 0, 0
    for j in range(len(rows)):  # without branches: whose needs are met, and which were known, is unpredictable
        r, c = rows[j], cats[j]
        if c != current:
            if current >= 0:
                known_count[current] -= was_known
                open_count[current] -= closed
                met[current] += closed
            current, closed, was_known = c, 0, 0
        since = raised_day[r, c]
        raised += since
        bits = group_bits[r]
        wait = day - since
        if two:
            member0, member1 = (bits >> bit0) & 1, (bits >> bit1) & 1
            met0 += member0
            wait0 += member0 * wait
            met1 += member1
            wait1 += member1 * wait
        else:
            for g in range(n_groups):
                member = (bits >> wait_bits[g]) & 1
                met_g[g] += member
                wait_g[g] += member * wait
        was_known += reported[r, c]
        reported[r, c] = False
        open_[r, c] = False
        closed += 1
    if current >= 0:
        known_count[current] -= was_known
        open_count[current] -= closed
        met[current] += closed
    if two:
        met_g[0], met_g[1], wait_g[0], wait_g[1] = met0, met1, wait0, wait1
    for g in range(n_groups):
        met_in_group[g] += met_g[g]
        wait_in_group[g] += wait_g[g]
    return raised


@njit(cache=True)
def _report_needs(rows, day, open_, reported, reported_day, known_count) -> int:
    """Mark the open, unreported needs of `rows` reported on `day`; returns how many. The counts by category are
    added up in a local array and written once (integers), so that the loop does not wait on `known_count`."""
    n_categories = open_.shape[1]
    added = np.zeros(n_categories, np.int64)
    for r in rows:
        for c in range(n_categories):
            if open_[r, c] and not reported[r, c]:
                reported[r, c] = True
                reported_day[r, c] = day
                added[c] += 1
    k = 0
    for c in range(n_categories):
        known_count[c] += added[c]
        k += added[c]
    return k
