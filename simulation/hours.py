"""The day's responder hours, one ledger: `offer(kind, hours)`, `left(kind)`, `spend(kind, task, hours) -> granted`,
`idle(kind)`; `set_aside(budget, hours)` caps the spends charged to a budget; `spend_each(kind, tasks, hours)` is
one `spend` per task, one after the other, in one call (a team's day, booked category by category).

Every kind of responder (`KINDS`) offers its hours for the day; every task (`TASKS`) takes them through `spend`,
which never grants more than is left, nor a negative amount. What nobody spent is idle, so for every kind on every
day offered = spent + idle (tests/test_hours.py), no service is given without the hours for it, and no hour
vanishes. The model makes a new ledger each morning (`model.hours`) and writes its totals to the daily columns
(`columns()`: `hours_offered_<kind>`, `hours_idle_<kind>`, `hours_<task>`, zeros for what nobody offered or did).

The hours of a kind in `CELL_KINDS` (cadres, resident volunteers) are held per grid cell: they are offered as an
array with one entry per cell, and a spend is either such an array (cell by cell) or one number, spread over the
cells in proportion to what each has left (reports and screening are community-wide work done by every cell's
cadres alike). The other kinds hold one community-wide number. A group of kinds (`CADRES`) spends as one: each cell's
grant is split among the kinds in proportion to what each has left there.

A kind that several mechanisms offer keeps each one's hours apart by `owner` (the organisations' social workers
and needs triage's): a spend takes only from its owner's hours, and the columns add the owners up.

A budget (`set_aside`) is not a pool of its own: it caps what the spends charged to it may take from their kind
(the share of the cadres' hours reserved for taking reports), and what it leaves unused stays with the kind for
other tasks. The ledger's operations are a few dozen a day, none per household.

`spend_each(kind, tasks, hours)` takes a table of asks, cells x tasks for a per-cell kind (or group), one row of
tasks for the others, and does exactly what `spend(kind, tasks[j], column j)` would do for each column that asks
anything, in column order (the same grants, to the bit: tests/test_hours.py); it returns the grants in the same
shape. The teams of simulation/delivery.py book what they served with it.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

KINDS: tuple[str, ...] = (
    "cadre",              # the community's own workers and grid workers (per grid cell)
    "sunk_cadre",         # cadres sunk from government units (per grid cell)
    "coordinator",        # the volunteers' coordinators
    "volunteer_general",  # resident volunteers, by category (per grid cell)
    "volunteer_medical",
    "volunteer_psych",
    "building_leader",    # resident building leaders (楼栋长) reporting for their neighbours
    "organiser",          # group-buy organisers (building leaders and residents)
    "neighbour",          # digital neighbours ordering group-buy food for offline households
    "moderator",          # the online groups' volunteer moderators
    "social_worker",      # social workers of the social organisations and of needs triage
    "remote_psych",       # remote professional volunteers
    "remote_medical",
    "property_staff",     # property-management staff of the compounds that have them (per grid cell)
)
CELL_KINDS: frozenset[str] = frozenset({"cadre", "sunk_cadre", "volunteer_general", "volunteer_medical",
                                        "volunteer_psych", "property_staff"})
CADRES: tuple[str, ...] = ("cadre", "sunk_cadre")

TASKS: tuple[str, ...] = (
    "gates",              # guarding compound gates
    "calls",              # taking phone reports
    "posts",              # reading and passing on written reports: online posts, neighbours' and leaders' messages
    "screening",          # proactive screening calls down a register or roster
    "assessment",         # a social worker assessing a screened household's open needs and referring them
    "referral_friction",  # sorting out referrals from social workers outside the community system
    "food",               # buying and delivering food
    "medicine",           # medicine runs, online prescriptions
    "medical_escort",     # arranging and escorting medical visits
    "psych_support",      # a supportive conversation by a non-professional
    "supplies",           # delivering protective supplies
    "counselling",        # a professional's counselling session
    "vetting",            # vetting volunteer applicants
    "supervision",        # assigning and supervising volunteers
    "organising",         # taking group-buy orders
    "approval",           # stamping donated loads at the gate
    "distribution",       # carrying packages and kits the last hundred metres, handing out supply
)
_TASK = {t: i for i, t in enumerate(TASKS)}
_TASK_INDICES: dict[tuple[str, ...], list[int]] = {}  # the task tuples `spend_each` was given, as indices
_KIND = {k: i for i, k in enumerate(KINDS)}

# The task a served need of each category books (simulation/households.py CATEGORIES order), for responders who are
# not professional counsellors, and for those who are.
SERVICE_TASKS: tuple[str, ...] = ("food", "medicine", "medical_escort", "psych_support", "supplies")
COUNSELLING_TASKS: tuple[str, ...] = ("food", "medicine", "medical_escort", "counselling", "supplies")


def columns() -> tuple[str, ...]:
    """The ledger's daily columns, in order: offered and idle hours by kind, then hours spent by task."""
    return (*(f"hours_offered_{k}" for k in KINDS), *(f"hours_idle_{k}" for k in KINDS),
            *(f"hours_{t}" for t in TASKS))


class Hours:
    """One day's ledger of responder hours over `n_cells` grid cells (see the module's docstring)."""

    def __init__(self, n_cells: int) -> None:
        self.n_cells = int(n_cells)
        n = len(KINDS)
        # One account per (kind, owner); the first len(KINDS) are the kinds' own (owner ""). Per-cell accounts keep
        # their hours in a row of `_cells` (what is left) and `_cells_offered`; the others in `_pool` (left).
        self._row: dict[tuple[str, str], int] = dict(_BASE_ROWS)
        self._kind_of: list[int] = list(range(n))
        self._offered = [0.0] * n
        self._pool = [0.0] * n
        # Rows to spare for the owners' accounts a day opens (a few: each organisation's and triage's social workers)
        self._cells = np.zeros((n + _SPARE_ACCOUNTS, self.n_cells))
        self._cells_offered = np.zeros((n + _SPARE_ACCOUNTS, self.n_cells))
        # Per account, the hours spent on each task it has spent on (task index -> hours), in the order first spent.
        self._spent: list[dict[int, float]] = [{} for _ in range(n)]
        self._budgets: dict[str, float] = {}
        self._charged: dict[str, float] = {}
        self._taken = np.zeros(n + _SPARE_ACCOUNTS)  # what a per-cell spend took from each of its accounts (`spend`)
        self._taken_each = np.zeros((len(SERVICE_TASKS), n + _SPARE_ACCOUNTS))  # the same for each task (`spend_each`)

    # --- accounts ---------------------------------------------------------------------------------------------
    def _account(self, kind: str, owner: str, create: bool = False) -> int:
        row = self._row.get((kind, owner))
        if row is None:
            if kind not in _KIND:
                raise KeyError(f"unknown responder kind {kind!r}; the kinds are {', '.join(KINDS)}")
            if not create:
                return -1
            row = self._row[(kind, owner)] = len(self._kind_of)
            self._kind_of.append(_KIND[kind])
            self._offered.append(0.0)
            self._pool.append(0.0)
            self._spent.append({})
            if row == len(self._cells):  # no row to spare left: twice the rows (the accounts' rows; the rest are 0)
                self._cells = np.vstack([self._cells, np.zeros_like(self._cells)])
                self._cells_offered = np.vstack([self._cells_offered, np.zeros_like(self._cells_offered)])
                self._taken = np.zeros(len(self._cells))
                self._taken_each = np.zeros((len(self._taken_each), len(self._cells)))
        return row

    def offer(self, kind: str, hours, owner: str = "") -> None:
        """Add `hours` to what `kind` (of `owner`) can give today: an array per grid cell for a per-cell kind, a
        number for the others. Negative or infinite hours are an error."""
        row = _KIND.get(kind, -1) if owner == "" else -1
        if row < 0:
            row = self._account(kind, owner, create=True)
        if kind in CELL_KINDS:
            cells = np.asarray(hours, dtype=float)
            if cells.shape != (self.n_cells,):
                raise ValueError(f"{kind} hours are offered per grid cell: an array of {self.n_cells}, "
                                 f"got shape {cells.shape}")
            if not _offer_cells(self._cells, self._cells_offered, row, cells):  # also NaN
                raise ValueError(f"{kind} hours offered must be finite and not negative")
            self._offered[row] += float(cells.sum())
        else:
            h = float(hours)
            if not 0.0 <= h < np.inf:
                raise ValueError(f"{kind} hours offered must be finite and not negative, got {hours!r}")
            self._pool[row] += h
            self._offered[row] += h

    def set_aside(self, budget: str, hours: float) -> None:
        """Cap the spends charged to `budget` (`spend(..., budget=...)`) at `hours` from now on."""
        self._budgets[budget] = max(float(hours), 0.0)
        self._charged.setdefault(budget, 0.0)

    def budget(self, budget: str) -> float:
        """What the spends charged to `budget` may still take (0 for a budget never set aside)."""
        return self._budgets.get(budget, 0.0)

    def charged(self, budget: str) -> float:
        """Hours the spends charged to `budget` have taken today."""
        return self._charged.get(budget, 0.0)

    # --- reading ----------------------------------------------------------------------------------------------
    def _rows(self, kind: str | tuple[str, ...], owner: str) -> list[int]:
        if owner == "":  # the kinds' own accounts always exist
            rows = _OWN_ROWS.get(kind)
            if rows is not None:
                return rows
        if isinstance(kind, str):
            r = self._account(kind, owner)
            return [r] if r >= 0 else []
        return [r for r in (self._account(k, owner) for k in kind) if r >= 0]

    def _all_rows(self, kind: str | tuple[str, ...], owner: str | None) -> list[int]:
        """Accounts of `kind` (or a group) of `owner`, or of every owner when `owner` is None."""
        if owner is not None:
            return self._rows(kind, owner)
        if len(self._kind_of) == len(KINDS):  # no owner's account: the kinds' own
            rows = _OWN_ROWS.get(kind)
            if rows is not None:
                return rows
        kinds = {_KIND[k] for k in ((kind,) if isinstance(kind, str) else kind)}
        return [r for r, k in enumerate(self._kind_of) if k in kinds]

    def left(self, kind: str | tuple[str, ...], owner: str = ""):
        """What `kind` (or a group of kinds) of `owner` has left today: an array per cell for per-cell kinds (a
        copy), a number for the others."""
        rows = self._rows(kind, owner)
        if per_cell(kind):
            return _add_rows(self._cells, rows) if rows else np.zeros(self.n_cells)
        return sum(self._pool[r] for r in rows)

    def offered(self, kind: str | tuple[str, ...], owner: str | None = None):
        """Hours `kind` (or a group) offered today, every owner's unless `owner` is given: an array per cell for
        per-cell kinds, a number for the others."""
        rows = self._all_rows(kind, owner)
        if per_cell(kind):
            return _add_rows(self._cells_offered, rows) if rows else np.zeros(self.n_cells)
        return sum(self._offered[r] for r in rows)

    def idle(self, kind: str | tuple[str, ...], owner: str | None = None) -> float:
        """Hours `kind` (or a group) offered today that nobody spent, every owner's unless `owner` is given."""
        rows = self._all_rows(kind, owner)
        if per_cell(kind):
            return float(self._cells[rows].sum())
        return sum(self._pool[r] for r in rows)

    def used(self, kind: str | tuple[str, ...]):
        """Hours of `kind` (or a group) spent today, every owner's: per cell (offered - left) for per-cell kinds,
        else a number."""
        if per_cell(kind):
            rows = self._all_rows(kind, None)
            offered, left = self._cells_offered, self._cells
            if len(rows) == 1:
                return offered[rows[0]] - left[rows[0]]
            if len(rows) == 2:  # what the sum over both rows of the differences gives, without the temporaries
                a, b = rows
                return (offered[a] - left[a]) + (offered[b] - left[b])
            return (offered[rows] - left[rows]).sum(axis=0)
        return self.spent(kind=kind)

    def spent(self, task: str | None = None, kind: str | tuple[str, ...] | None = None) -> float:
        """Hours spent today on `task` (every task if None) by `kind` or a group (every kind if None)."""
        rows = range(len(self._kind_of)) if kind is None else self._all_rows(kind, None)
        tasks = range(len(TASKS)) if task is None else (_TASK[task],)
        return sum(self._spent[r].get(t, 0.0) for r in rows for t in tasks)

    # --- spending ---------------------------------------------------------------------------------------------
    def spend(self, kind: str | tuple[str, ...], task: str, hours, owner: str = "", budget: str | None = None):
        """Spend up to `hours` of `kind` (or a group of kinds) of `owner` on `task`; returns what was granted,
        never more than is left (nor than `budget` still allows) and never negative, in the shape asked (an array
        per cell, or a number).

        For per-cell kinds `hours` is an array per cell, or one number spread over the cells in proportion to
        what each has left; a group's grant in each cell is split among its kinds in proportion to what each has
        left there."""
        t = _TASK[task]
        rows = self._rows(kind, owner)
        cap = self._budgets.get(budget, 0.0) if budget is not None else np.inf
        if per_cell(kind):
            kind_of_hours = type(hours)
            if kind_of_hours is float or kind_of_hours is int:
                scalar = True
            elif kind_of_hours is np.ndarray:
                scalar = hours.ndim == 0
            else:
                scalar = np.ndim(hours) == 0
            if not rows:
                if not scalar and np.shape(hours) != (self.n_cells,):
                    raise ValueError(f"{task}: hours of a per-cell kind are asked per grid cell ({self.n_cells}) or "
                                     f"as one number, got shape {np.shape(hours)}")
                return 0.0 if scalar else np.zeros(self.n_cells)
            by_row = self._taken
            if scalar:
                _spend_cells_scalar(self._cells, _row_array(rows), float(hours), cap, by_row)
            else:
                ask = np.asarray(hours, dtype=float)
                if ask.shape != (self.n_cells,):
                    raise ValueError(f"{task}: hours of a per-cell kind are asked per grid cell ({self.n_cells}) or "
                                     f"as one number, got shape {ask.shape}")
                granted = _spend_cells_array(self._cells, _row_array(rows), ask, cap, by_row)
            total = 0.0
            spent = self._spent
            for j, r in enumerate(rows):
                h = by_row[j]
                spent[r][t] = spent[r].get(t, 0.0) + h
                total += h
            out = total if scalar else granted
        else:
            if not isinstance(kind, str):
                raise ValueError(f"{task}: only per-cell kinds spend as a group, got {kind}")
            ask = float(hours)
            if not ask > 0.0 or not rows:  # also NaN
                return 0.0
            r = rows[0]
            total = out = min(ask, self._pool[r], cap)
            if total <= 0.0:
                return 0.0
            self._pool[r] = max(self._pool[r] - total, 0.0)
            spent = self._spent[r]
            spent[t] = spent.get(t, 0.0) + total
        if budget is not None:
            self._budgets[budget] = max(cap - total, 0.0)
            self._charged[budget] = self._charged.get(budget, 0.0) + total
        return out

    def spend_each(self, kind: str | tuple[str, ...], tasks: tuple[str, ...], hours: np.ndarray, owner: str = "",
                   columns: np.ndarray | None = None):
        """Spend column j of `hours` on `tasks[j]`, one task after the other, as `spend(kind, tasks[j], column,
        owner)` would, for the columns that ask anything (a column of zeros books nothing). `hours` is cells x
        tasks for a per-cell kind (or group), one row of tasks for a community-wide kind; with `columns` (an int64
        array), column columns[j] of `hours` is the ask for tasks[j] and the other columns are not read. Returns
        the grants, one column per task (zero where nothing was asked). One call for what a team served today,
        task by task."""
        idx = _TASK_INDICES.get(tasks)
        if idx is None:
            idx = _TASK_INDICES[tasks] = [_TASK[task] for task in tasks]
        ask = np.asarray(hours, dtype=float)
        cells = per_cell(kind)
        if columns is not None:
            columns = np.asarray(columns, dtype=np.int64)
            if columns.shape != (len(idx),) or ask.ndim != 2:
                raise ValueError(f"{len(idx)} tasks need as many columns of a table of hours, got columns "
                                 f"{columns!r} of hours of shape {ask.shape}")
            if not cells:
                if len(idx) and not 0 <= columns.min() <= columns.max() < ask.shape[1]:
                    raise ValueError(f"columns {columns!r} of hours asked, of a table of {ask.shape[1]} columns")
                ask = ask[:, columns]
        if cells:
            if ask.ndim != 2 or ask.shape[0] != self.n_cells or columns is None and ask.shape[1] != len(idx):
                raise ValueError(f"hours of a per-cell kind are asked per grid cell and task "
                                 f"({self.n_cells} x {len(idx)}), got shape {ask.shape}")
            if columns is None:
                columns = _identity_columns(len(idx))
            rows = self._rows(kind, owner)
            if not rows:
                return np.zeros((self.n_cells, len(idx)))
            if len(idx) > len(self._taken_each):
                self._taken_each = np.zeros((len(idx), len(self._cells)))
            granted, asked = _spend_cells_each(self._cells, _row_array(rows), ask, columns, self._taken_each)
            if asked < 0:
                raise ValueError(f"columns {columns!r} of hours asked, of a table of {ask.shape[1]} columns")
            by_row, spent = self._taken_each, self._spent
            for j, t in enumerate(idx):
                if asked >> j & 1:
                    for i, r in enumerate(rows):
                        spent[r][t] = spent[r].get(t, 0.0) + by_row[j, i]
            return granted
        if ask.shape != (len(idx),) and ask.shape != (1, len(idx)):
            raise ValueError(f"hours of a community-wide kind are asked per task ({len(idx)}), got shape {ask.shape}")
        granted = np.zeros(ask.shape)
        flat = ask.reshape(-1)
        out = granted.reshape(-1)
        for j, task in enumerate(tasks):
            if flat[j] != 0.0 or flat[j] != flat[j]:  # anything asked (NaN too, which `spend` grants nothing)
                out[j] = self.spend(kind, task, float(flat[j]), owner)
        return granted

    # --- the day's columns ------------------------------------------------------------------------------------
    def row(self) -> dict[str, float]:
        """The daily columns (`columns()`): offered and idle hours by kind, hours spent by task, rounded to 1e-6 h."""
        n = len(KINDS)
        offered, idle, by_task = [0.0] * n, [0.0] * n, [0.0] * len(TASKS)
        cell_idle = self._cells.sum(axis=1).tolist()
        pool, spent_offered = self._pool, self._offered
        for r, k in enumerate(self._kind_of):
            offered[k] += spent_offered[r]
            idle[k] += cell_idle[r] if _CELL_KIND[k] else pool[r]
        # In account order for each task, as a sum over every account; an account that did not spend on a task adds
        # 0.0, which changes neither the sum nor its type, so only the tasks each account spent on are added.
        for spent in self._spent:
            for t, h in spent.items():
                by_task[t] += h
        return dict(zip(_COLUMNS, [*map(round6, offered + idle), *map(round6, by_task)]))


def round6(value: float) -> float:
    """round(value, 6), as the value's own type rounds it (Python's float correctly rounded, NumPy's float64 as
    `np.round` does it: rint(value x 1e6) / 1e6, computed here without NumPy's scalar machinery, a dozen times
    faster and the same bits); zero, of either sign, is its own rounding. A Python float's rounding is kept
    (`_ROUNDED`): the ledger's daily columns repeat many values from day to day (a mechanism's constant offer), and a
    dict lookup costs a tenth of round()'s correctly rounded decimal."""
    if value == 0.0:
        return value
    if type(value) is np.float64 and -1e300 < value < 1e300:
        scaled = float(value) * 1e6
        whole = float(round(scaled))  # rint: half to even
        return np.float64((whole if whole != 0.0 else math.copysign(0.0, scaled)) / 1e6)
    if type(value) is float:
        found = _ROUNDED.get(value)
        if found is None:
            if len(_ROUNDED) > 4096:
                _ROUNDED.clear()
            found = _ROUNDED[value] = round(value, 6)
        return found
    return round(value, 6)


_COLUMNS = columns()
_ROUNDED: dict[float, float] = {}  # Python float -> round(value, 6) (`Hours.row`, `round6`); cleared when large
_SPARE_ACCOUNTS = 4  # owners' accounts a ledger has rows for before it grows its tables
_BASE_ROWS = {(k, ""): i for i, k in enumerate(KINDS)}
_CELL_KIND = [k in CELL_KINDS for k in KINDS]
# The kinds' own accounts of a kind and of the group CADRES (those accounts always exist).
_OWN_ROWS: dict = {**{k: [i] for i, k in enumerate(KINDS)}, CADRES: [_KIND[k] for k in CADRES]}
_ROW_ARRAYS: dict = {}  # tuple of accounts, or id of an `_OWN_ROWS` list -> int64 array
_OWN_ROWS_BY_ID = {id(rows): rows for rows in _OWN_ROWS.values()}
_ROW_ARRAYS.update({id(rows): np.array(rows, dtype=np.int64) for rows in _OWN_ROWS.values()})


def _row_array(rows: list[int]) -> np.ndarray:
    """The accounts `rows` as an int64 array for the compiled spend (the same few every day: kept, by the list's
    identity for the kinds' own accounts, whose lists are `_OWN_ROWS`'s)."""
    out = _ROW_ARRAYS.get(id(rows)) if rows is _OWN_ROWS_BY_ID.get(id(rows)) else None
    if out is None:
        key = tuple(rows)
        out = _ROW_ARRAYS.get(key)
        if out is None:
            out = _ROW_ARRAYS[key] = np.array(rows, dtype=np.int64)
    return out


def _add_rows(table: np.ndarray, rows: list[int]) -> np.ndarray:
    """table[rows].sum(axis=0) (a copy of the row for one): the rows added in order, as NumPy adds them along an
    outer axis, without the gathered copy."""
    out = table[rows[0]].copy()
    for r in rows[1:]:
        out += table[r]
    return out


_IDENTITY: dict[int, np.ndarray] = {}  # n -> arange(n): the columns of an ask that has one per task


def _identity_columns(n: int) -> np.ndarray:
    """arange(n) as int64, made once per n (the columns `spend_each` reads when it is given none)."""
    found = _IDENTITY.get(n)
    if found is None:
        found = _IDENTITY[n] = np.arange(n, dtype=np.int64)
    return found


_PER_CELL: dict = {}


def per_cell(kind: str | tuple[str, ...]) -> bool:
    """Whether `kind` (or every kind of a group) holds its hours per grid cell."""
    found = _PER_CELL.get(kind)
    if found is not None:
        return found
    kinds = (kind,) if isinstance(kind, str) else kind
    cells = [k in CELL_KINDS for k in kinds]
    if any(cells) and not all(cells):
        raise ValueError(f"a group of kinds is all per grid cell or all community-wide: {kinds}")
    found = _PER_CELL[kind] = bool(cells) and cells[0]
    return found


@njit(cache=True)
def _offer_cells(left, offered, row, cells) -> bool:
    """left[row] += cells and offered[row] += cells, if every entry of `cells` is finite and not negative (else
    nothing, and False)."""
    for c in range(len(cells)):
        if not (cells[c] >= 0.0 and cells[c] < np.inf):  # also NaN
            return False
    for c in range(len(cells)):
        left[row, c] += cells[c]
        offered[row, c] += cells[c]
    return True


@njit(cache=True)
def _spend_cells_scalar(left, rows, ask, cap, taken):
    """`_spend_cells` of one number `ask`, the hours taken from each account written to taken[:len(rows)]."""
    one = np.empty(1)
    one[0] = ask
    _, by_row = _spend_cells(left, rows, one, True, cap)
    taken[:len(rows)] = by_row


@njit(cache=True)
def _spend_cells_array(left, rows, ask, cap, taken):
    """`_spend_cells` of an ask per cell; returns the grant per cell, the hours taken from each account written to
    taken[:len(rows)]."""
    want, by_row = _spend_cells(left, rows, ask, False, cap)
    taken[:len(rows)] = by_row
    return want


@njit(cache=True)
def _spend_cells(left, rows, ask, scalar, cap):
    """Take `ask` from the accounts `rows` of `left` (accounts x cells), in place. A scalar ask (length 1) is spread
    over the cells in proportion to what the group has left in each; each cell's grant is split among the accounts
    in proportion to what each has left there; the grant never exceeds what is left, nor `cap` in all. Returns the
    grant per cell and the hours taken from each account."""
    n_cells = left.shape[1]
    have = np.zeros(n_cells)
    for r in rows:
        for c in range(n_cells):
            have[c] += left[r, c]
    want = np.empty(n_cells)
    if scalar:
        total = 0.0
        for c in range(n_cells):
            total += have[c]
        g = ask[0] if ask[0] > 0.0 else 0.0  # nothing, also for NaN
        g = min(g, total, cap)
        share = g / total if total > 0.0 else 0.0
        if share > 1.0:
            share = 1.0
        for c in range(n_cells):
            want[c] = have[c] * share
    else:
        asked = 0.0
        for c in range(n_cells):
            a = ask[c]
            if not a > 0.0:  # nothing, also for NaN
                a = 0.0
            want[c] = min(a, have[c])
            asked += want[c]
        if asked > cap:  # a budget smaller than the ask: every cell gets the same share of its ask
            scale = cap / asked
            for c in range(n_cells):
                want[c] *= scale
    by_row = np.zeros(len(rows))
    for c in range(n_cells):
        ratio = want[c] / have[c] if have[c] > 0.0 else 0.0
        if ratio > 1.0:
            ratio = 1.0
        for j in range(len(rows)):
            r = rows[j]
            take = left[r, c] * ratio
            left[r, c] = max(left[r, c] - take, 0.0)
            by_row[j] += take
    return want, by_row


@njit(cache=True)
def _spend_cells_each(left, rows, ask, columns, by_row):
    """`_spend_cells` (an ask per cell, no budget) for each task j, whose ask is column columns[j] of `ask` (cells x
    columns), that asks anything (a nonzero or NaN entry), one task after the other. Returns the grants (cells x
    tasks) and which tasks asked anything (bit j for task j); the hours taken from each account for task j are
    by_row[j, :len(rows)] (a buffer of at least tasks x accounts). A column not in `ask`: nothing spent, and -1."""
    n_cells, n_tasks = ask.shape[0], len(columns)
    granted = np.zeros((n_cells, n_tasks))
    for j in range(n_tasks):
        if not 0 <= columns[j] < ask.shape[1]:
            return granted, -1
    asked = 0
    for j in range(n_tasks):
        col = columns[j]
        wants = False
        for c in range(n_cells):
            if ask[c, col] != 0.0:  # NaN too
                wants = True
                break
        if not wants:
            continue
        asked |= 1 << j
        column = np.empty(n_cells)
        for c in range(n_cells):
            column[c] = ask[c, col]
        want, taken = _spend_cells(left, rows, column, False, np.inf)
        for c in range(n_cells):
            granted[c, j] = want[c]
        for i in range(len(rows)):
            by_row[j, i] = taken[i]
    return granted, asked
