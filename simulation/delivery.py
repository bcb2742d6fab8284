"""Process 5, matching and delivery: responders spend their hours on the known needs, in the triage order.

Each grid cell's responders serve the queue of their own cell. A need is served when the hours it costs (by
category) still fit in what its cell has left today, in queue order; the rest wait for tomorrow. What a served need
does: a food package adds days of food, a medicine run a refill, a conversation lowers distress, an escorted visit
or delivered supplies close the need, unless the hospital turns the patient away that day (needs.py: the escort's
hours are spent and the need stays open).

Sources: the model requirements Process 5; sources: stylized facts 2 (extra hands help with shared tasks, not case
management) and 5 (medicine runs were slow and avoided: they cost the most hours).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

from simulation import hours as hours_ledger
from simulation.households import CATEGORIES, FOOD, MEDICAL, MEDICINE, PSYCH


class Queue:
    """The known open needs: household rows, categories and priority classes (lower is served first).

    The serves of a day take entries out of the queue one after another. An entry taken out is marked, not removed
    at once: `rows`, `cats` and `classes` are the entries left, in order, made (once) when first read, and the
    compiled serves skip the marked entries instead, so that a day's serves share one copy of the queue.

    A queue made category by category (`queue`) knows where each category's entries start (`starts`, one more
    than the categories): the serves and lookups of one category read its entries alone."""

    __slots__ = ("_rows", "_cats", "_classes", "_gone", "_n", "_starts")

    def __init__(self, rows: np.ndarray, cats: np.ndarray, classes: np.ndarray,
                 starts: np.ndarray | None = None) -> None:
        self._rows, self._cats, self._classes = rows, cats, classes
        self._gone: np.ndarray | None = None  # mask over the arrays of the entries taken out, None when none are
        self._n = len(rows)
        # where category c's entries start in the arrays, starts[c] to starts[c + 1], when they are in category
        # order; None when they are not
        self._starts = starts

    @classmethod
    def _marked(cls, q: Queue, gone: np.ndarray, n: int) -> Queue:
        """`q`'s arrays with the entries `gone` (a mask over them) taken out, `n` entries left."""
        out = cls.__new__(cls)
        out._rows, out._cats, out._classes, out._gone, out._n = q._rows, q._cats, q._classes, gone, n
        out._starts = q._starts
        return out

    def _kept(self, arrays: tuple[np.ndarray, np.ndarray, np.ndarray]) -> Queue:
        """A queue of some of this one's entries, in order (so in category order when these are)."""
        starts = None if self._starts is None else _starts_of(arrays[1], len(self._starts) - 1)
        return Queue(*arrays, starts)

    def _compact(self) -> None:
        if self._gone is not None:
            self._rows, self._cats, self._classes = _keep_n(self._gone, self._rows, self._cats, self._classes,
                                                            False, self._n)
            self._gone = None
            if self._starts is not None:
                self._starts = _starts_of(self._cats, len(self._starts) - 1)

    @property
    def rows(self) -> np.ndarray:
        self._compact()
        return self._rows

    @property
    def cats(self) -> np.ndarray:
        self._compact()
        return self._cats

    @property
    def classes(self) -> np.ndarray:
        self._compact()
        return self._classes

    def __len__(self) -> int:
        return self._n

    def __repr__(self) -> str:
        return f"Queue(rows={self.rows!r}, cats={self.cats!r}, classes={self.classes!r})"

    def without(self, served: np.ndarray) -> Queue:
        """The queue less the entries `served` (a mask)."""
        return self._kept(_keep(served, self.rows, self.cats, self.classes, False))

    def part(self, mask: np.ndarray) -> Queue:
        """The entries `mask` selects, in order."""
        return self._kept(_keep(mask, self.rows, self.cats, self.classes, True))

    def span(self, category: int) -> tuple[int, int]:
        """(lo, hi): the entries of `category`, as `rows` and `cats` give them, lie in [lo, hi) (the whole queue
        when it is not in category order)."""
        self._compact()
        return self._block(category)

    def _block(self, category: int) -> tuple[int, int]:
        """Where `category`'s entries lie in the queue's arrays (all of them when not in category order)."""
        if self._starts is None or not 0 <= category < len(self._starts) - 1:
            return 0, len(self._rows)
        return int(self._starts[category]), int(self._starts[category + 1])

    def less_closed(self, open_: np.ndarray, category: int) -> Queue:
        """The queue less its entries of `category` whose need is no longer open in the needs table `open_` (met
        since the queue was made); the queue itself when there are none."""
        lo, hi = self._block(category)
        gone, n_gone = _closed(self._rows, self._cats, self._gone if self._gone is not None else _EVERY_ENTRY,
                               open_[:, category], category, lo, hi)
        return Queue._marked(self, gone, self._n - n_gone) if n_gone else self

    def gone_from(self, rest: Queue) -> np.ndarray:
        """Mask of the entries whose household has no entry in `rest` (what serving this queue left of it):
        ~isin(rows, rest.rows)."""
        return _not_in(self.rows, rest.rows)


def queue(model) -> Queue:
    """The known open needs, category by category and in household order, with the triage policy's classes."""
    hh = model.households
    rows, cats, starts = _known(hh.open.view(np.uint8), hh.reported.view(np.uint8))
    return Queue(rows, cats, model.triage(model, rows, cats), starts)


ROUNDS = 16  # at most; a pass always serves the first remaining need of each cell that still has one that fits
LOOKAHEAD = 1  # report days past the cut-off's that responders look into to fill what is left of their day


def serve(model, q: Queue, capacity: np.ndarray, hours: np.ndarray, by: str,
          counselling_effect: float) -> tuple[np.ndarray, np.ndarray]:
    """Serve the queue within `capacity` hours per grid cell, each need costing `hours[category]`.

    In each cell, responders work down the queue class by class, in random order within a class, until a need no
    longer fits what is left of their hours; they then skip it and fill the rest of the day with the needs that
    still fit, in the same order, among those reported no later than the day after the cut-off need (`LOOKAHEAD`),
    of the cut-off's priority rank or a later one: a tired cell stuck before a 3-hour escort still hands out the
    food packages waiting, even when triage ranks them later (a few passes, each leaving out what cannot fit any
    more). Classes are rank x (days + 1) + report day (simulation/triage.py); under first come there is one rank.
    Returns the mask of served queue entries and the hours used per grid cell. A responder serving the whole
    community passes a capacity of length 1 (one pool for all cells).
    """
    if len(q) == 0:
        return np.zeros(0, dtype=bool), np.zeros(len(capacity))
    q._compact()  # the mask returned is over the entries as `q.rows` gives them
    cost = np.full((1, len(CATEGORIES)), np.inf)
    cost[0, :len(hours)] = hours[:len(CATEGORIES)]
    done, _, used, _ = _serve(model, q, np.zeros(len(CATEGORIES), dtype=np.int64), np.array([0, len(capacity)]),
                              cost, capacity, [by], np.array([counselling_effect]))
    return done, used


@dataclass
class Team:
    """Responders of one kind serving needs of their own `categories` (no other team's): hours per grid cell, or
    one number for a community-wide pool (`capacity` of length 1), and the hours each category costs them.

    A team of the model names the ledger `kind` (or group of kinds, simulation/hours.py) whose hours it spends, and
    its `owner` there: its capacity is then at most what that kind has left (all of it when `capacity` is None),
    and `serve_teams` books the hours served, category by category, as the tasks `tasks` (one per category). A team
    without a kind (tests of the allocation rule) serves its `capacity` and books nothing. A team may be kept and
    served day after day, its `capacity` set anew each day; its `hours` are read, never changed in place (new costs
    are a new array)."""

    categories: tuple[int, ...]
    capacity: np.ndarray | None
    hours: np.ndarray  # cost per category (indexed by category)
    by: str
    counselling_effect: float = 0.0
    kind: str | tuple[str, ...] | None = None
    owner: str = ""
    tasks: tuple[str, ...] = hours_ledger.SERVICE_TASKS


def serve_teams(model, q: Queue, teams: list[Team], rest: bool = True) -> tuple[Queue | None, list[np.ndarray]]:
    """Several teams serve at once, each its own categories, as if one after the other with `serve`: the needs a
    team may take are its alone, so the order does not matter. One compiled pass instead of one per team (the pass
    costs the same whatever the number of needs); each team keeps its own stream, so the draws, and the results, are
    those of separate `serve` calls. A team with a ledger kind serves at most what its kind has left and books what
    it served (`Team`). Returns what is left of the queue (None with `rest` False: the day's last serve, whose
    rest nobody takes) and the hours each team used per cell."""
    _, left, used = _serve_teams(model, q, teams, rest)
    return (left if rest else None), used


def serve_part(model, q: Queue, part: np.ndarray, teams: list[Team]) -> Queue:
    """The teams serve only the entries `part` (a mask) of the queue, as `serve_teams` would serve the queue of
    those entries alone; returns the queue less what they served (the other entries in their order)."""
    q._compact()  # `part` is over the entries as `q.rows` gives them
    return _serve_teams(model, q, teams, part=part)[1]


def _serve_teams(model, q: Queue, teams: list[Team], rest: bool = True,
                 part: np.ndarray | None = None) -> tuple[np.ndarray, Queue, list[np.ndarray]]:
    """`serve_teams`, with the mask of the queue's entries served first (and `q` for what is left without
    `rest`); with `part` (a mask), the teams serve only the entries it selects (`serve_part`)."""
    ledger = model.hours
    n_categories = len(CATEGORIES)
    capacities = []
    team_of = [-1] * n_categories  # lists, made arrays once (`_small`): a few entries each
    bounds = [0]
    for k, team in enumerate(teams):
        capacity = team.capacity
        if team.kind is not None:
            left = ledger.left(team.kind, team.owner)
            left = left if type(left) is np.ndarray else np.array([float(left)])
            capacity = left if capacity is None else np.minimum(capacity, left)
        if type(capacity) is not np.ndarray or capacity.dtype != _FLOAT:
            capacity = np.asarray(capacity, dtype=float)
        capacities.append(capacity)
        if (capacity[0] if len(capacity) == 1 else np.add.reduce(capacity)) > 0:
            for category in team.categories:
                team_of[category] = k
        bounds.append(bounds[k] + len(capacity))
    costs, effects, bys = _team_arrays_of(teams, n_categories)
    done, rest, used, by_category = _serve(model, q, _small(team_of), _small(bounds), costs,
                                        capacities[0] if len(teams) == 1 else np.concatenate(capacities), bys,
                                        effects, rest, part)
    for k, team in enumerate(teams):
        if team.kind is not None:
            _book(ledger, team, by_category[bounds[k]:bounds[k + 1]])
    return done, rest, [used[bounds[k]:bounds[k + 1]] for k in range(len(teams))]


def _team_arrays_of(teams: list[Team], n_categories: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The teams' hours per category (`_costs`), counselling effects (`_effects`) and names: kept for the teams a
    mechanism keeps from day to day, as long as each is the same object with the same hours, name and effect."""
    key = tuple(map(id, teams))
    found = _TEAMS_KEPT.get(key)
    if found is not None:
        kept, hours, costs, effects, bys = found
        if all(a is b and a.hours is h and a.by == by and a.counselling_effect == e
               for a, b, h, by, e in zip(kept, teams, hours, bys, effects.tolist())):
            return costs, effects, bys
    if len(_TEAMS_KEPT) > _KEPT:
        _TEAMS_KEPT.clear()
    costs, effects, bys = _costs(teams, n_categories), _effects(teams), [t.by for t in teams]
    _TEAMS_KEPT[key] = (list(teams), [t.hours for t in teams], costs, effects, bys)
    return costs, effects, bys


def _small(values: list[int]) -> np.ndarray:
    """`values` as an int64 array, kept: the teams' category map and cell bounds repeat from day to day (the
    compiled passes only read them)."""
    key = tuple(values)
    found = _SMALL.get(key)
    if found is None:
        if len(_SMALL) > _KEPT:
            _SMALL.clear()
        found = _SMALL[key] = np.array(values, dtype=np.int64)
    return found


def _costs(teams: list[Team], n_categories: int) -> np.ndarray:
    """The teams' hours per category, one row per team (infinite past a team's own `hours`)."""
    hours = teams[0].hours if len(teams) == 1 else None
    if (type(hours) is np.ndarray and hours.shape == (n_categories,) and hours.dtype == _FLOAT
            and hours.flags.c_contiguous):
        return hours.reshape(1, n_categories)  # a view: the compiled passes only read it
    cost = np.full((len(teams), n_categories), np.inf)
    for k, team in enumerate(teams):
        cost[k, :len(team.hours)] = team.hours[:n_categories]
    return cost


def _effects(teams: list[Team]) -> np.ndarray:
    """The teams' counselling effects as an array, kept (the same few every day; the compiled passes only read
    them)."""
    key = tuple(t.counselling_effect for t in teams)
    found = _EFFECTS.get(key)
    if found is None:
        if len(_EFFECTS) > _KEPT:
            _EFFECTS.clear()
        found = _EFFECTS[key] = np.array(key, dtype=float)
    return found


_KEPT = 256  # arrays kept at most in each of the caches below (cleared when full)
_SMALL: dict[tuple[int, ...], np.ndarray] = {}
# ids of a list of teams -> (the teams, their hours arrays, `_costs`, `_effects`, their names); the teams themselves are
# kept (so their ids stay theirs) and compared on each use
_TEAMS_KEPT: dict[tuple[int, ...], tuple] = {}
_EFFECTS: dict[tuple[float, ...], np.ndarray] = {}


_FLOAT = np.dtype(float)
_EVERY_ENTRY = np.zeros(0, dtype=np.bool_)  # no part mask: the teams may serve every entry of the queue
_NO_STARTS = np.zeros(0, dtype=np.int64)  # a queue not in category order


def _book(ledger, team: Team, by_category: np.ndarray) -> None:
    """Book a team's hours served (cells x categories) in the ledger, one task per category, in one ledger call."""
    key = (team.categories, team.tasks)
    found = _BOOKING.get(key)
    if found is None:
        found = _BOOKING[key] = (np.array(team.categories, dtype=np.int64),
                                 tuple(team.tasks[c] for c in team.categories))
    cats, tasks = found
    ledger.spend_each(team.kind, tasks, by_category, team.owner, columns=cats)


_BOOKING: dict[tuple, tuple[np.ndarray, tuple[str, ...]]] = {}  # (categories, tasks) -> their columns and tasks


def _serve(model, q: Queue, team_of: np.ndarray, bounds: np.ndarray, cost: np.ndarray, capacity: np.ndarray,
           bys: list[str], effects: np.ndarray, rest: bool = True,
           part: np.ndarray | None = None) -> tuple[np.ndarray, Queue, np.ndarray, np.ndarray]:
    """One compiled pass of the teams over the queue (the rule of `serve`); the ledger closes each team's needs.
    Returns the mask of the queue's entries served (over its arrays, the entries taken out before included), what
    is left of the queue (`q` itself when none of it was served, or without `rest`), the hours used per cell and
    the same by category (cells x categories). With `part` (a mask), the teams serve only the entries it selects.

    The random order inside a cut-off class comes from the stream of the entry's team, `serve:<by>`, drawn inside
    the compiled loop from the stream's PCG64 state: the numbers are those the stream's Generator would give
    (tests/test_streams.py), one per entry of the cut-off class."""
    hh, n = model.households, model.config.needs
    gone = q._gone if q._gone is not None else _EVERY_ENTRY
    done, n_done, rest_gone, met_rows, met_cats, met_first, used, by_category, away = \
        _serve_compiled(q._rows, q._cats, q._classes, gone, model.network.grid, team_of, bounds, cost, capacity,
                        model.streams.pcg64_states(_streams_of(bys), model.day), model.config.days + 1,
                        LOOKAHEAD, ROUNDS, effects, n.package_days, n.refill_days, hh.turned_away,
                        hh.food_days_factor, hh.food_stock, hh.medicine_stock, hh.distress, rest,
                        _EVERY_ENTRY if part is None else part, _NO_STARTS if q._starts is None else q._starts)
    model.ledger.turned_away += away
    if met_first[-1] > 0:
        model.ledger.meet_teams(hh, met_rows, met_cats, met_first, bys, model.day)
    return done, (Queue._marked(q, rest_gone, len(q) - n_done) if n_done and rest else q), used, by_category


def _streams_of(bys: list[str]) -> tuple[str, ...]:
    """The serve streams of the teams `bys`, `serve:<by>` (the same few lists every day: kept)."""
    key = tuple(bys)
    found = _STREAMS.get(key)
    if found is None:
        found = _STREAMS[key] = tuple(f"serve:{by}" for by in bys)
    return found


_STREAMS: dict[tuple[str, ...], tuple[str, ...]] = {}


def serve_pool(model, q: Queue, categories: tuple[int, ...], hours_available: float | None, hours: dict[int, float],
               by: str, counselling_effect: float, kind: str | None = None, owner: str = "",
               tasks: tuple[str, ...] = hours_ledger.SERVICE_TASKS) -> Queue:
    """A community-wide pool of `hours_available` (at most what the ledger `kind` of `owner` has left, all of it
    when None) serves the queue's needs of `categories`; returns what is left."""
    return serve_teams(model, q, [pool_team(categories, hours_available, hours, by, counselling_effect, kind, owner,
                                            tasks)])[0]


def pool_team(categories: tuple[int, ...], hours_available: float | None, hours: dict[int, float], by: str,
              counselling_effect: float, kind: str | None = None, owner: str = "",
              tasks: tuple[str, ...] = hours_ledger.SERVICE_TASKS) -> Team:
    """The team of `serve_pool`: one community-wide pool of `hours_available` (None: what the ledger has left),
    each category of `hours` costing its hours, the others none of its work."""
    cost = np.full(len(CATEGORIES), np.inf)
    for category, h in hours.items():
        cost[category] = h
    capacity = None if hours_available is None else np.array([float(hours_available)])
    return Team(categories, capacity, cost, by, counselling_effect, kind, owner, tasks)


# --- the compiled passes: each mirrors, operation for operation, the NumPy expression in its docstring, so that
# sums are taken in the same order and the results are the same to the last bit -------------------------------------
@njit(cache=True)
def _allocate_compiled(cells, cost, classes, n_classes, capacity, bounds, states, span, lookahead, rounds):
    """The passes of `serve`: the first over every entry, then up to `rounds` fill passes. `n_classes` is more
    than every class of the entries (the classes' span in every pass: the fill passes try a subset of the first
    pass's entries)."""
    team_of_cell = np.empty(len(capacity), np.int64)
    for k in range(len(bounds) - 1):
        team_of_cell[bounds[k]:bounds[k + 1]] = k
    # The classes the entries have, numbered densely in order (few of the span are present): the passes add up and
    # scan those alone, which is what adding and scanning the empty ones too would give (they add nothing).
    present = np.zeros(n_classes, np.bool_)
    for i in range(len(classes)):
        present[classes[i]] = True
    rank_of = np.empty(n_classes, np.int64)
    class_of = np.empty(n_classes + 1, np.int64)  # the class of each rank, and n_classes past the last
    n_ranks = 0
    for x in range(n_classes):
        rank_of[x] = n_ranks
        class_of[n_ranks] = x
        n_ranks += present[x]
    class_of[n_ranks] = n_classes
    served = np.zeros(len(cells), dtype=np.bool_)
    used = np.zeros(len(capacity))
    ranks = np.empty(len(classes), np.int64)  # each entry's class's rank, set by the first pass
    part, cutoff, spent = _pass_first(cells, cost, classes, rank_of, ranks, capacity, served, n_ranks, class_of)
    todo, room = _pass_cut(part, team_of_cell, states, cells, cost, classes, capacity, capacity, spent, cutoff,
                           served, used, part, True, span, lookahead, n_classes)
    for _ in range(rounds):
        if len(todo) == 0:
            break
        part, cutoff, spent = _pass_whole(todo, cells, cost, ranks, room, served, n_ranks, class_of)
        todo, room = _pass_cut(part, team_of_cell, states, cells, cost, classes, capacity, room, spent, cutoff,
                               served, used, todo, False, span, lookahead, n_classes)
    return served, used


_MULTIPLIER_HI, _MULTIPLIER_LO = np.uint64(0x2360ED051FC65DA4), np.uint64(0x4385DF649FCCF645)  # PCG64's
_58, _11, _63, _64 = (np.uint64(v) for v in (58, 11, 63, 64))


@intrinsic
def _pcg64_step(typingctx, hi, lo, inc_hi, inc_lo):
    """PCG64's step, state x multiplier + inc mod 2**128 in 128-bit integers (the machine's 64 x 64 -> 128
    multiply), on the state and increment in 64-bit halves; returns the new state's (high, low) halves. (This
    module's own: a compiled loop here uses nothing compiled from another module, whose edits Numba's cache of this
    one would not see.)"""
    sig = types.UniTuple(types.uint64, 2)(*(types.uint64,) * 4)

    def codegen(context, builder, signature, args):
        i128, i64 = ir.IntType(128), ir.IntType(64)
        shift = ir.Constant(i128, 64)
        state = builder.or_(builder.shl(builder.zext(args[0], i128), shift), builder.zext(args[1], i128))
        inc = builder.or_(builder.shl(builder.zext(args[2], i128), shift), builder.zext(args[3], i128))
        multiplier = ir.Constant(i128, (int(_MULTIPLIER_HI) << 64) | int(_MULTIPLIER_LO))
        new = builder.add(builder.mul(state, multiplier), inc)
        halves = (builder.trunc(builder.lshr(new, shift), i64), builder.trunc(new, i64))
        return context.make_tuple(builder, signature.return_type, halves)

    return sig, codegen


@njit(cache=True)
def _pcg64_next(hi, lo, inc_hi, inc_lo):
    """One step of NumPy's PCG64 (XSL-RR 128/64): state = state x multiplier + inc (mod 2**128), in 64-bit halves;
    returns the new state's halves and NumPy's next double from it, (rotr64(hi ^ lo, hi >> 58) >> 11) x 2**-53."""
    new_hi, new_lo = _pcg64_step(hi, lo, inc_hi, inc_lo)
    x, rotation = new_hi ^ new_lo, new_hi >> _58
    out = (x >> rotation) | (x << ((_64 - rotation) & _63))
    return new_hi, new_lo, np.float64(out >> _11) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def _pass_whole(todo, cells, cost, ranks, room, served, n_ranks, class_of):
    """First half of a pass over the entries `todo`: in each cell, whole classes while they fit in `room`.

    With the classes numbered densely (`ranks`, below `n_ranks`; the class of rank x is class_of[x], and
    class_of[n_ranks] is the span of the classes): wanted = bincount(cell x n_ranks + rank, weights=cost);
    through = cumsum(wanted, axis=1); fit = (through <= room + 1e-9).sum(axis=1); cutoff = class_of[fit];
    spent = through[fit - 1] (0 without a class that fits). Costs are not negative, so `through` never falls along
    a row: the scan stops at the first class that does not fit, one present in the cell (an absent class adds
    nothing, so it fits, and the scan and sums are those over the whole span of classes).
    Marks the entries of classes below the cut-off served; returns the entries of the cut-off class (in order), the
    cut-off class of each cell (the span where every class fits) and the hours those whole classes spend per cell.
    """
    n_cells = len(room)
    wanted = np.zeros(n_cells * n_ranks)
    for i in todo:
        wanted[cells[i] * n_ranks + ranks[i]] += cost[i]
    fits, spent = _whole_classes(wanted, room, n_ranks)
    part = np.empty(len(todo), dtype=np.int64)
    n_part = 0
    for i in todo:  # the entries of `todo` are not served yet
        n_part = _cut(i, cells, ranks, fits, served, part, n_part)
    return part[:n_part], class_of[fits], spent


@njit(cache=True, inline="always")
def _cut(i, cells, ranks, fits, served, part, n_part):
    """Entry i below its cell's cut-off is served; at the cut-off it joins `part` (at n_part): without branches
    (whether an entry is below, at or past its cut-off is unpredictable). Returns the new length of `part`."""
    at = fits[cells[i]]
    served[i] = ranks[i] < at
    part[n_part] = i
    return n_part + (ranks[i] == at)


@njit(cache=True)
def _whole_classes(wanted, room, n_ranks):
    """Per cell (row of `wanted`, its hours by class rank), how many classes fit whole in `room`, in rank order,
    and the hours they take (the scan of `_pass_whole`'s docstring)."""
    n_cells = len(room)
    fits = np.zeros(n_cells, dtype=np.int64)
    spent = np.zeros(n_cells)
    for c in range(n_cells):
        total, fit, limit = 0.0, 0, room[c] + 1e-9
        for k in range(n_ranks):
            step = wanted[c * n_ranks] if k == 0 else total + wanted[c * n_ranks + k]
            if step > limit:
                break
            total = step
            fit += 1
        fits[c] = fit
        spent[c] = total if fit > 0 else 0.0
    return fits, spent


@njit(cache=True)
def _pass_first(cells, cost, classes, rank_of, ranks, room, served, n_ranks, class_of):
    """`_pass_whole` over every entry (todo = arange(len(cells))), setting each entry's rank, ranks =
    rank_of[classes], in the same pass as its hours are added up."""
    n_cells = len(room)
    wanted = np.zeros(n_cells * n_ranks)
    for i in range(len(cells)):
        rank = rank_of[classes[i]]
        ranks[i] = rank
        wanted[cells[i] * n_ranks + rank] += cost[i]
    fits, spent = _whole_classes(wanted, room, n_ranks)
    part = np.empty(len(cells), dtype=np.int64)
    n_part = 0
    for i in range(len(cells)):
        n_part = _cut(i, cells, ranks, fits, served, part, n_part)
    return part[:n_part], class_of[fits], spent


@njit(cache=True)
def _pass_cut(part, team_of_cell, states, cells, cost, classes, capacity, room, spent, cutoff, served, used, todo,
              first, span, lookahead, n_classes):
    """Second half of a pass, and what the next pass will try.

    The cut-off class in random order (one number per entry, in entry order, from the stream of the entry's team,
    `states[team_of_cell[cell]]`), by cell, until the next need does not fit: order = argsort(cell + u);
    running = cumsum(cost[order]); a need fits when running - running before its cell's first <= room - spent +
    1e-9; spent = spent + bincount(cell of those that fit, their cost). Then the day's hours: used = spent after
    the first pass, used + spent after a fill pass. Returns the entries the next (fill) pass tries, and the hours
    each cell has left for it (capacity - used): after the first pass, the needs not served that were reported no
    later than the cut-off's report day + `lookahead` (rest = flatnonzero(~served & (classes % span <= cutoff[cells]
    % span + lookahead))), after a fill pass those of its own entries left unserved; of them, those that still fit
    (rest[cost[rest] <= (capacity - used)[cells[rest]] + 1e-9]).
    """
    n_cells = len(room)
    if len(part):
        key = np.empty(len(part))
        # the entries of a team follow one another: its stream's state is held in locals while they last
        t = team_of_cell[cells[part[0]]]
        hi, lo, inc_hi, inc_lo = states[t, 0], states[t, 1], states[t, 2], states[t, 3]
        for j in range(len(part)):
            c = cells[part[j]]
            if team_of_cell[c] != t:
                states[t, 0], states[t, 1] = hi, lo
                t = team_of_cell[c]
                hi, lo, inc_hi, inc_lo = states[t, 0], states[t, 1], states[t, 2], states[t, 3]
            hi, lo, u = _pcg64_next(hi, lo, inc_hi, inc_lo)
            key[j] = c + u
        states[t, 0], states[t, 1] = hi, lo
        order = _sort_keys(key, n_cells)
        left = room - spent
        before = np.zeros(n_cells)
        added = np.zeros(n_cells)
        total, previous = 0.0, -1
        for j in range(len(order)):
            i = part[order[j]]
            c = cells[i]
            if c != previous:
                before[c] = total
                previous = c
            total = cost[i] if j == 0 else total + cost[i]
            if total - before[c] <= left[c] + 1e-9:
                served[i] = True
                added[c] += cost[i]
        for c in range(n_cells):
            spent[c] = spent[c] + added[c]
    for c in range(n_cells):
        used[c] = spent[c] if first else used[c] + spent[c]
    left = capacity - used
    nxt = np.empty(len(cells) if first else len(todo), dtype=np.int64)
    n = 0
    if first:
        horizon = np.empty(n_cells, np.int64)  # the cut-off's report day + lookahead, per cell
        for c in range(n_cells):
            horizon[c] = cutoff[c] % span + lookahead
        day_of = np.empty(n_classes, np.int64)  # classes % span, looked up
        for x in range(n_classes):
            day_of[x] = x % span
        for i in range(len(cells)):  # without branches: which entries go on is unpredictable
            c = cells[i]
            nxt[n] = i
            n += (not served[i]) & (cost[i] <= left[c] + 1e-9) & (day_of[classes[i]] <= horizon[c])
    else:
        for i in todo:
            nxt[n] = i
            n += (not served[i]) & (cost[i] <= left[cells[i]] + 1e-9)
    return nxt[:n], left


@njit(cache=True)
def _help(rows, cats, counselling_effect, package_days, refill_days, turned_away, food_days_factor, food_stock,
          medicine_stock, distress) -> int:
    """What each help does: a food package adds package_days x the household's food-days factor, a medicine run
    `refill_days`, a conversation lowers distress by `counselling_effect` (floored at 0). Returns the escorted
    patients the hospital turned away."""
    away = 0
    for j in range(len(rows)):
        r, c = rows[j], cats[j]
        if c == FOOD:
            food_stock[r] += package_days * food_days_factor[r]
        elif c == MEDICINE:
            medicine_stock[r] += refill_days
        elif c == PSYCH:
            distress[r] = max(distress[r] - counselling_effect, 0.0)
        elif c == MEDICAL and turned_away[r]:
            away += 1
    return away


@njit(cache=True)
def _known(open_, reported):
    """The open and reported needs: rows and categories, category by category, each in row order. `open_` and
    `reported` are the (households x categories) tables' bytes: each category's column is contiguous.

    The known needs (open_ & reported) are first marked, category by category, into the bytes of 8-byte words (a
    loop the compiler vectorises), and counted a word at a time. The rows are then collected without branches
    (which needs are known is unpredictable: a branch would mispredict often), each written and kept when known,
    into one spare place past the end; in a category with fewer than a tenth of the households known, the words
    with none known, most of them, are skipped whole."""
    n, k = open_.shape
    words = (n + 7) // 8  # per category
    marks_w = np.empty(k * words, np.uint64)
    marks = marks_w.view(np.uint8)  # category c's mark of row r at 8 * words * c + r
    ones = np.uint64(0x0101010101010101)  # a word of 0s and 1s times this: their sum in its top byte
    count = np.zeros(k + 1, np.int64)  # where each category's rows start
    for c in range(k):
        marks_w[(c + 1) * words - 1] = 0  # the bytes past row n stay 0
        open_c, reported_c, marks_c = open_[:, c], reported[:, c], marks[8 * words * c:8 * words * c + n]
        for r in range(n):
            marks_c[r] = open_c[r] & reported_c[r]
        words_c = marks_w[words * c:words * (c + 1)]
        m = np.uint64(0)
        for w in range(words):
            m += (words_c[w] * ones) >> np.uint64(56)
        count[c + 1] = count[c] + np.int64(m)
    rows = np.empty(count[k] + 1, np.int64)
    cats = np.empty(count[k], np.int64)
    m = 0
    for c in range(k):
        words_c, marks_c = marks_w[words * c:words * (c + 1)], marks[8 * words * c:8 * words * (c + 1)]
        if (count[c + 1] - count[c]) * 10 < n:
            for w in range(words):
                if words_c[w]:
                    for i in range(8):
                        rows[m] = w * 8 + i
                        m += marks_c[w * 8 + i]
        else:
            for r in range(n):
                rows[m] = r
                m += marks_c[r]
        cats[count[c]:count[c + 1]] = c
    return rows[:m], cats, count


@njit(cache=True)
def _starts_of(cats, k):
    """searchsorted(cats, arange(k + 1)): where each of k categories starts in `cats` (in category order)."""
    return np.searchsorted(cats, np.arange(k + 1))


@njit(cache=True)
def _sort_keys(key, n_cells):
    """argsort(key) for keys cell + u in [0, n_cells): a bucket sort (buckets of equal width, in order, then an
    insertion sort inside each), linear in the number of keys where a comparison sort is not."""
    n = len(key)
    scale = n / n_cells
    bucket = np.empty(n, np.int64)
    start = np.zeros(n + 1, np.int64)
    for j in range(n):
        b = min(int(key[j] * scale), n - 1)
        bucket[j] = b
        start[b + 1] += 1
    for b in range(n):
        start[b + 1] += start[b]
    order = np.empty(n, np.int64)
    fill = start[:n].copy()
    for j in range(n):
        order[fill[bucket[j]]] = j
        fill[bucket[j]] += 1
    for b in range(n):
        for x in range(start[b] + 1, start[b + 1]):
            j = order[x]
            y = x - 1
            while y >= start[b] and key[order[y]] > key[j]:
                order[y + 1] = order[y]
                y -= 1
            order[y + 1] = j
    return order


@njit(cache=True)
def _serve_compiled(rows, cats, classes, gone, grid, team_of, bounds, cost, capacity, states, span, lookahead,
                    rounds, effects, package_days, refill_days, turned_away, food_days_factor, food_stock,
                    medicine_stock, distress, keep_rest, part, starts):
    """`serve_teams` in one call: the teams' entries, the passes, and the help given (as `_help`, with each team's
    counselling effect). The entries of the mask `gone` (when not empty) are no longer in the queue; the teams
    serve only the entries of the mask `part`, when it is not empty; `starts`, when not empty, is where each
    category's entries start (the queue in category order). Returns the mask of the entries served, how
    many, the entries no longer in the queue after the serve (`gone` and those served; `gone` itself when none
    was served or without `keep_rest`), the needs met, team by team (rows, categories, where each team's start),
    the hours used per cell, the same by cell and category, and the escorted patients the hospital turned away
    (served, but their need stays open)."""
    entries, cells, costs, entry_classes, first, n_classes = _team_entries(rows, cats, classes, grid, team_of,
                                                                           bounds, cost, gone, part, starts)
    n_teams = len(bounds) - 1
    if len(entries) == 0:
        return np.zeros(len(rows), np.bool_), 0, gone, np.empty(0, np.int64), np.empty(0, np.int64), \
            np.zeros(n_teams + 1, np.int64), np.zeros(len(capacity)), np.zeros((len(capacity), cost.shape[1])), 0
    served, used = _allocate_compiled(cells, costs, entry_classes, n_classes, capacity, bounds, states, span,
                                      lookahead, rounds)
    # the entries served, in order (without branches: which entries were served is unpredictable), into one spare
    # place past the end
    picked = np.empty(len(entries) + 1, np.int64)
    n_done = 0
    for j in range(len(entries)):
        picked[n_done] = j
        n_done += served[j]
    by_category = np.zeros((len(capacity), cost.shape[1]))  # the hours served, by cell and category
    done = np.zeros(len(rows), np.bool_)
    met_rows, met_cats = np.empty(n_done, np.int64), np.empty(n_done, np.int64)
    met_first = np.zeros(n_teams + 1, np.int64)
    m, away, at = 0, 0, 0
    for k in range(n_teams):
        start = m
        while at < n_done and picked[at] < first[k + 1]:  # the team's entries served, in order
            j = picked[at]
            e = entries[j]  # each entry once
            done[e] = True
            by_category[cells[j], cats[e]] += costs[j]
            met_rows[m], met_cats[m] = rows[e], cats[e]
            m += 1
            at += 1
        turned = _help(met_rows[start:m], met_cats[start:m], effects[k], package_days, refill_days, turned_away,
                       food_days_factor, food_stock, medicine_stock, distress)
        if turned:  # the escort went, the hours are spent; the need stays open
            away += turned
            kept = start
            for x in range(start, m):
                if not (met_cats[x] == MEDICAL and turned_away[met_rows[x]]):
                    met_rows[kept], met_cats[kept] = met_rows[x], met_cats[x]
                    kept += 1
            m = kept
        met_first[k + 1] = m
    if n_done == 0 or not keep_rest:  # nothing served (what is left is the queue itself), or nothing asked
        return done, n_done, gone, met_rows[:m], met_cats[:m], met_first, used, by_category, away
    rest_gone = done.copy()  # the entries taken out before and now
    for i in range(len(gone)):
        rest_gone[i] |= gone[i]
    return done, n_done, rest_gone, met_rows[:m], met_cats[:m], met_first, used, by_category, away


@njit(cache=True)
def _keep(mask, rows, cats, classes, selected):
    """rows[m], cats[m], classes[m] for m = mask if `selected`, else ~mask."""
    n = np.count_nonzero(mask)
    return _keep_n(mask, rows, cats, classes, selected, n if selected else len(mask) - n)


@njit(cache=True)
def _keep_n(mask, rows, cats, classes, selected, n):
    """`_keep`, told how many entries it keeps (`n`)."""
    # without branches (which entries are kept is unpredictable): each entry written, and kept when it is, into one
    # spare place past the end
    out_rows, out_cats, out_classes = np.empty(n + 1, np.int64), np.empty(n + 1, np.int64), np.empty(n + 1, np.int64)
    m = 0
    for i in range(len(mask)):
        out_rows[m], out_cats[m], out_classes[m] = rows[i], cats[i], classes[i]
        m += mask[i] == selected
    return out_rows[:n], out_cats[:n], out_classes[:n]


@njit(cache=True)
def _closed(rows, cats, gone, open_c, category, lo, hi):
    """The entries no longer in the queue once those of `category` whose need is no longer open are taken out too,
    gone | (cats == category & ~open_c[rows]) (`gone` empty: none before), and how many that takes out. The
    category's entries lie in [lo, hi): those alone are read."""
    before = len(gone) > 0
    out = gone.copy() if before else np.zeros(len(rows), np.bool_)
    n_gone = 0
    for i in range(lo, hi):
        was = before and gone[i]
        g = cats[i] == category and not open_c[rows[i]] and not was
        out[i] = was or g
        n_gone += g
    return out, n_gone


@njit(cache=True)
def _team_entries(rows, cats, classes, grid, team_of, bounds, cost, gone, part, starts):
    """The queue's entries each team may serve, among those still in the queue (not of the mask `gone`, when it is
    not empty) that the mask `part` selects (every entry when `part` is empty), team by team, each in queue order:
    their queue positions, their cells (numbered after the cells of the teams before; a pool of one cell for a
    community-wide team), their costs and classes, where each team's entries start, and one more than their
    largest class (0 without entries).

    For one team, one pass to mark its entries and one to collect them; or, when `starts` (not empty) says where
    each category's entries start, those of the team's categories collected alone. For several, each entry's team
    plus one (0: no team's) as a byte, from the teams of the categories packed 4 bits each into one integer (where
    they fit), and the masks as bytes (loops the compiler vectorises); then team by team, one pass counts its
    entries and one collects them. Collections go without branches where about as many entries are the team's as
    are not (which is unpredictable), entry by entry where few are (a team of one category in a long queue)."""
    n_teams, n = len(bounds) - 1, len(rows)
    if n_teams > 254:
        raise ValueError("at most 254 teams serve at once")
    if n_teams == 1 and len(starts) == len(team_of) + 1:
        entries = np.empty(len(rows) + 1, np.int64)
        m = 0
        for c in range(len(team_of)):
            if team_of[c] == 0:
                m = _collect_block(entries, m, starts[c], starts[c + 1], part, gone)
        return _team_arrays(rows, cats, classes, grid, bounds, cost, entries[:m])
    if n_teams == 1:  # the team's categories as bits of one integer
        mine = np.int64(0)
        for c in range(len(team_of)):
            mine |= np.int64(team_of[c] == 0) << c
        take = np.empty(len(rows), np.uint8)
        for i in range(len(rows)):
            take[i] = (mine >> cats[i]) & 1
        if len(part):
            selected = part.view(np.uint8)
            for i in range(len(rows)):
                take[i] &= selected[i]
        if len(gone):
            out = gone.view(np.uint8)
            for i in range(len(rows)):
                take[i] &= out[i] ^ 1
        m = 0
        for i in range(len(rows)):
            m += take[i]
        entries = np.empty(len(rows) + 1, np.int64)
        if 8 * m < len(rows):
            j = 0
            for i in range(len(rows)):
                if take[i]:
                    entries[j] = i
                    j += 1
        else:
            j = 0
            for i in range(len(rows)):
                entries[j] = i
                j += take[i]
        return _team_arrays(rows, cats, classes, grid, bounds, cost, entries[:m])
    # several teams
    team_plus = np.empty(n, np.uint8)
    if n_teams < 15 and len(team_of) <= 16:
        packed = np.int64(0)
        for c in range(len(team_of)):
            packed |= np.int64(team_of[c] + 1) << (4 * c)  # team_of is -1 for a category no team serves
        for i in range(n):
            team_plus[i] = (packed >> (4 * cats[i])) & 15
    else:
        for i in range(n):
            team_plus[i] = team_of[cats[i]] + 1
    if len(part):
        selected = part.view(np.uint8)
        for i in range(n):
            team_plus[i] &= np.uint8(0) - selected[i]
    if len(gone):
        out = gone.view(np.uint8)
        for i in range(n):
            team_plus[i] &= out[i] - np.uint8(1)
    first = np.zeros(n_teams + 1, np.int64)
    for k in range(n_teams):
        t = np.uint8(k + 1)
        count = 0
        for i in range(n):
            count += team_plus[i] == t
        first[k + 1] = first[k] + count
    m = first[n_teams]
    entries = np.empty(m + 1, np.int64)  # one spare place past the end (the next team's first, or the spare)
    for k in range(n_teams):
        t = np.uint8(k + 1)
        j = first[k]
        if 8 * (first[k + 1] - j) < n:
            for i in range(n):
                if team_plus[i] == t:
                    entries[j] = i
                    j += 1
        else:
            for i in range(n):
                entries[j] = i
                j += team_plus[i] == t
    entries = entries[:m]
    cells, costs = np.empty(m, np.int64), np.empty(m)
    for k in range(n_teams):
        lo, hi = first[k], first[k + 1]
        _place(rows, cats, grid, bounds[k], bounds[k + 1] - bounds[k] == 1, cost[k], entries[lo:hi], cells[lo:hi],
               costs[lo:hi])
    entry_classes, top = _classes_of(classes, entries)
    return entries, cells, costs, entry_classes, first, top


@njit(cache=True)
def _team_arrays(rows, cats, classes, grid, bounds, cost, entries):
    """`_team_entries`' answer for one team of the queue's `entries` (positions, in order)."""
    m = len(entries)
    cells, costs = np.empty(m, np.int64), np.empty(m)
    _place(rows, cats, grid, bounds[0], bounds[1] - bounds[0] == 1, cost[0], entries, cells, costs)
    entry_classes, top = _classes_of(classes, entries)
    first = np.zeros(2, np.int64)
    first[1] = m
    return entries, cells, costs, entry_classes, first, top


@njit(cache=True, inline="always")
def _place(rows, cats, grid, b, pool, team_cost, team, team_cells, team_costs):
    """The cells (numbered from `b`; one cell for a community-wide pool) and costs of a team's entries `team`."""
    if pool:
        for j in range(len(team)):
            team_cells[j] = b
    else:
        for j in range(len(team)):
            team_cells[j] = grid[rows[team[j]]] + b
    for j in range(len(team)):
        team_costs[j] = team_cost[cats[team[j]]]


@njit(cache=True, inline="always")
def _classes_of(classes, entries):
    """The classes of the queue's `entries`, and one more than the largest (0 without entries)."""
    out = np.empty(len(entries), np.int64)
    top = 0
    for j in range(len(entries)):
        x = classes[entries[j]]
        out[j] = x
        top = max(top, x + 1)
    return out, top


@njit(cache=True, inline="always")
def _collect_block(entries, m, lo, hi, part, gone):
    """entries[m:] = the positions in [lo, hi) that the mask `part` selects (every one when empty) and the mask
    `gone` does not (none when empty), in order; returns m past them. Without branches: each position is written,
    and kept when taken, into the place after the last kept (`entries` has one to spare)."""
    if len(part) == 0 and len(gone) == 0:
        for i in range(lo, hi):
            entries[m] = i
            m += 1
    elif len(gone) == 0:
        selected = part.view(np.uint8)
        for i in range(lo, hi):
            entries[m] = i
            m += selected[i]
    elif len(part) == 0:
        out = gone.view(np.uint8)
        for i in range(lo, hi):
            entries[m] = i
            m += out[i] ^ 1
    else:
        selected, out = part.view(np.uint8), gone.view(np.uint8)
        for i in range(lo, hi):
            entries[m] = i
            m += selected[i] & (out[i] ^ 1)
    return m


@njit(cache=True)
def _not_in(rows, other):
    """~isin(rows, other) for household rows (non-negative), by marking `other`'s rows."""
    top = 0
    for r in rows:
        top = max(top, r + 1)
    mark = np.zeros(top, np.bool_)
    for r in other:
        if r < top:
            mark[r] = True
    out = np.empty(len(rows), np.bool_)
    for j in range(len(rows)):
        out[j] = not mark[rows[j]]
    return out
