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
_TASK_INDICES: dict[tuple[str, ...], np.ndarray] = {}  # the task tuples `spend_each` was given, as int64 indices
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
        rows = n + _SPARE_ACCOUNTS  # rows to spare for the owners' accounts a day opens (each organisation's, triage's)
        # One account per (kind, owner); the first len(KINDS) are the kinds' own (owner ""), whose rows every ledger
        # shares until it opens an owner's account. Per-cell accounts keep their hours in a row of `_cells` (what is
        # left) and `_cells_offered`; the others in `_pool` (left).
        self._row: dict[tuple[str, str], int] = _BASE_ROWS
        self._kind_of: list[int] = list(range(n))
        self._offered = [0.0] * n
        self._pool = [0.0] * n
        self._cells = np.zeros((rows, self.n_cells))
        self._cells_offered = np.zeros((rows, self.n_cells))
        # The hours each account spent on each task (accounts x tasks), and which of them a per-cell spend booked:
        # those are NumPy floats' sums, which the daily columns round as NumPy does (`row`).
        self._spent = np.zeros((rows, len(TASKS)))
        self._booked = np.zeros((rows, len(TASKS)), dtype=np.bool_)
        self._budgets: dict[str, float] = {}
        self._charged: dict[str, float] = {}
        self._layout = 0  # which accounts the ledger opened, in which order (`_LAYOUTS`; 0: the kinds' own alone)

    # --- accounts ---------------------------------------------------------------------------------------------
    def _account(self, kind: str, owner: str, create: bool = False) -> int:
        row = self._row.get((kind, owner))
        if row is None:
            if kind not in _KIND:
                raise KeyError(f"unknown responder kind {kind!r}; the kinds are {', '.join(KINDS)}")
            if not create:
                return -1
            if self._row is _BASE_ROWS:
                self._row = dict(_BASE_ROWS)
            row = self._row[(kind, owner)] = len(self._kind_of)
            self._kind_of.append(_KIND[kind])
            self._offered.append(0.0)
            self._pool.append(0.0)
            layout = _LAYOUTS.get((self._layout, kind, owner))
            if layout is None:
                layout = _LAYOUTS[(self._layout, kind, owner)] = len(_LAYOUTS) + 1
            self._layout = layout
            if row == len(self._cells):  # no row to spare left: twice the rows (the accounts' rows; the rest are 0)
                self._cells = np.vstack([self._cells, np.zeros_like(self._cells)])
                self._cells_offered = np.vstack([self._cells_offered, np.zeros_like(self._cells_offered)])
                self._spent = np.vstack([self._spent, np.zeros_like(self._spent)])
                self._booked = np.vstack([self._booked, np.zeros_like(self._booked)])
        return row

    def _find(self, kind: str | tuple[str, ...], owner: str | None) -> tuple[list[int], np.ndarray, bool]:
        """The accounts of `kind` (or a group) of `owner` (of every owner for None): their rows, the rows as an
        int64 array, and whether the kind holds its hours per cell. The same few every day: the kinds' own are made
        once (`_OWN`), the others once for each way a ledger opened its accounts (`_FOUND`)."""
        if owner == "":
            found = _OWN.get(kind)
            if found is not None:
                return found
        key = (kind, owner, self._layout)
        found = _FOUND.get(key)
        if found is None:
            rows = self._all_rows(kind, owner)
            found = (rows, _row_array(rows) if rows else _NO_ROWS, per_cell(kind))
            if len(_FOUND) > 4096:
                _FOUND.clear()
            _FOUND[key] = found
        return found

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
            self._offered[row] += float(np.add.reduce(cells))
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
        rows, _, cells = self._find(kind, owner)
        if cells:
            return _add_rows(self._cells, rows) if rows else np.zeros(self.n_cells)
        return _add_up(self._pool, rows)

    def offered(self, kind: str | tuple[str, ...], owner: str | None = None):
        """Hours `kind` (or a group) offered today, every owner's unless `owner` is given: an array per cell for
        per-cell kinds, a number for the others."""
        rows, _, cells = self._find(kind, owner)
        if cells:
            return _add_rows(self._cells_offered, rows) if rows else np.zeros(self.n_cells)
        return _add_up(self._offered, rows)

    def idle(self, kind: str | tuple[str, ...], owner: str | None = None) -> float:
        """Hours `kind` (or a group) offered today that nobody spent, every owner's unless `owner` is given."""
        rows, _, cells = self._find(kind, owner)
        if cells:
            return float(self._cells[rows].sum())
        return _add_up(self._pool, rows)

    def used(self, kind: str | tuple[str, ...]):
        """Hours of `kind` (or a group) spent today, every owner's: per cell (offered - left) for per-cell kinds,
        else a number."""
        if per_cell(kind):
            rows = self._find(kind, None)[0]
            offered, left = self._cells_offered, self._cells
            if len(rows) == 1:
                return offered[rows[0]] - left[rows[0]]
            if len(rows) == 2:  # what the sum over both rows of the differences gives, without the temporaries
                a, b = rows
                return (offered[a] - left[a]) + (offered[b] - left[b])
            return (offered[rows] - left[rows]).sum(axis=0)
        return self.spent(kind=kind)

    def load(self, kind: str | tuple[str, ...]) -> np.ndarray:
        """The share of its hours offered today that a per-cell kind (or group) spent, per cell (every owner's):
        used / offered where it offered any, else 0."""
        rows = self._find(kind, None)[0]
        if not per_cell(kind) or not rows:
            raise ValueError(f"the load of per-cell kinds is per cell; {kind!r} holds no per-cell account")
        if len(rows) <= 2:  # `offered` and `used`, divided, in one compiled pass
            return _load_cells(self._cells_offered, self._cells, rows[0], rows[-1], len(rows) == 2)
        offered = self.offered(kind)
        return np.divide(self.used(kind), offered, out=np.zeros(self.n_cells), where=offered > 0)

    def spent(self, task: str | None = None, kind: str | tuple[str, ...] | None = None) -> float:
        """Hours spent today on `task` (every task if None) by `kind` or a group (every kind if None)."""
        rows = range(len(self._kind_of)) if kind is None else self._find(kind, None)[0]
        tasks = range(len(TASKS)) if task is None else (_TASK[task],)
        spent, booked = self._spent.tolist(), self._booked.tolist()
        total = sum(spent[r][t] for r in rows for t in tasks)
        # A NumPy float's sum when a per-cell spend booked any of the hours added (they are NumPy floats)
        return np.float64(total) if any(booked[r][t] for r in rows for t in tasks) else total

    # --- spending ---------------------------------------------------------------------------------------------
    def spend(self, kind: str | tuple[str, ...], task: str, hours, owner: str = "", budget: str | None = None):
        """Spend up to `hours` of `kind` (or a group of kinds) of `owner` on `task`; returns what was granted,
        never more than is left (nor than `budget` still allows) and never negative, in the shape asked (an array
        per cell, or a number).

        For per-cell kinds `hours` is an array per cell, or one number spread over the cells in proportion to
        what each has left; a group's grant in each cell is split among its kinds in proportion to what each has
        left there."""
        t = _TASK[task]
        rows, accounts, cells = self._find(kind, owner)
        cap = self._budgets.get(budget, 0.0) if budget is not None else np.inf
        if cells:
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
            # What the accounts gave, added from 0.0 in account order: a NumPy float, as the accounts' takes are
            if scalar:
                total = out = np.float64(_spend_cells_scalar(self._cells, accounts, float(hours), cap, self._spent,
                                                             self._booked, t))
            else:
                ask = np.asarray(hours, dtype=float)
                if ask.shape != (self.n_cells,):
                    raise ValueError(f"{task}: hours of a per-cell kind are asked per grid cell ({self.n_cells}) or "
                                     f"as one number, got shape {ask.shape}")
                out = np.empty(self.n_cells)
                total = np.float64(_spend_cells_array(self._cells, accounts, ask, cap, self._spent, self._booked, t,
                                                      out))
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
            self._spent[r, t] += total
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
            idx = _TASK_INDICES[tasks] = np.array([_TASK[task] for task in tasks], dtype=np.int64)
        n = len(idx)
        ask = np.asarray(hours, dtype=float)
        found = _OWN.get(kind) if owner == "" else None
        cells = found[2] if found is not None else per_cell(kind)
        if columns is not None:
            columns = np.asarray(columns, dtype=np.int64)
            if columns.shape != (n,) or ask.ndim != 2:
                raise ValueError(f"{n} tasks need as many columns of a table of hours, got columns "
                                 f"{columns!r} of hours of shape {ask.shape}")
        if cells:
            if ask.ndim != 2 or ask.shape[0] != self.n_cells or columns is None and ask.shape[1] != n:
                raise ValueError(f"hours of a per-cell kind are asked per grid cell and task "
                                 f"({self.n_cells} x {n}), got shape {ask.shape}")
            if columns is None:
                columns = _identity_columns(n)
            rows, accounts, _ = found if found is not None else self._find(kind, owner)
            if not rows:
                return np.zeros((self.n_cells, n))
            granted = np.zeros((self.n_cells, n))
            try:
                _spend_cells_each(self._cells, accounts, ask, columns, idx, self._spent, self._booked, granted)
            except IndexError:
                raise ValueError(f"columns {columns!r} of hours asked, of a table of {ask.shape[1]} columns") from None
            return granted
        # A community-wide kind: one `spend` per task that asks anything, on the asks as Python floats
        if columns is None:
            if ask.shape != (n,) and ask.shape != (1, n):
                raise ValueError(f"hours of a community-wide kind are asked per task ({n}), got shape {ask.shape}")
            shape, asks = ask.shape, ask.reshape(-1).tolist()
        else:
            picked = columns.tolist()
            if n and not 0 <= min(picked) <= max(picked) < ask.shape[1]:
                raise ValueError(f"columns {columns!r} of hours asked, of a table of {ask.shape[1]} columns")
            if ask.shape[0] != 1:
                raise ValueError(f"hours of a community-wide kind are asked per task ({n}), got shape "
                                 f"{(ask.shape[0], n)}")
            shape, first = (1, n), ask[0].tolist()
            asks = [first[c] for c in picked]
        granted = [0.0] * n
        for j, task in enumerate(tasks):
            h = asks[j]
            if h != 0.0 or h != h:  # anything asked (NaN too, which `spend` grants nothing)
                granted[j] = self.spend(kind, task, h, owner)
        return np.array(granted, dtype=float).reshape(shape)

    # --- the day's columns ------------------------------------------------------------------------------------
    def row(self) -> dict[str, float]:
        """The daily columns (`columns()`): offered and idle hours by kind, hours spent by task, rounded to 1e-6 h."""
        return dict(zip(_COLUMNS, self.row_values()))

    def row_values(self) -> list[float]:
        """The values of `row`, in the order of `columns()`."""
        kinds = self._kind_of
        kind_of = _OWN_KINDS if len(kinds) == len(KINDS) else np.array(kinds, dtype=np.int64)
        values, special = np.empty(len(_COLUMNS)), np.empty((len(_COLUMNS), 2), dtype=np.int64)
        k = _day_columns(kind_of, np.array(self._offered + self._pool), np.add.reduce(self._cells, axis=1),
                         _CELL_KIND_ARRAY, self._spent, self._booked, values, special)
        out = values.tolist()
        for i, how in special[:k].tolist():
            v = out[i]
            out[i] = np.float64(v) if how == _AS_NUMPY else round6(np.float64(v) if how == _RAW_NUMPY else v)
        return out


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
_ROUNDED: dict[float, float] = {}  # Python float -> round(value, 6) (`round6`); cleared when large
_SPARE_ACCOUNTS = 4  # owners' accounts a ledger has rows for before it grows its tables
_BASE_ROWS = {(k, ""): i for i, k in enumerate(KINDS)}
_CELL_KIND = [k in CELL_KINDS for k in KINDS]
_CELL_KIND_ARRAY = np.array(_CELL_KIND)
_OWN_KINDS = np.arange(len(KINDS), dtype=np.int64)  # the kind of each of the kinds' own accounts
# The kinds' own accounts of a kind and of the group CADRES (those accounts always exist).
_OWN_ROWS: dict = {**{k: [i] for i, k in enumerate(KINDS)}, CADRES: [_KIND[k] for k in CADRES]}
_ROW_ARRAYS: dict = {}  # tuple of accounts, or id of an `_OWN_ROWS` list -> int64 array
_OWN_ROWS_BY_ID = {id(rows): rows for rows in _OWN_ROWS.values()}
_ROW_ARRAYS.update({id(rows): np.array(rows, dtype=np.int64) for rows in _OWN_ROWS.values()})
_NO_ROWS = np.zeros(0, dtype=np.int64)
# The accounts a ledger opened beyond the kinds' own, in order, as a number: (layout, kind, owner) -> the layout
# after opening that account. Ledgers that open the same accounts in the same order (every day's) share a layout,
# and with it `Hours._find`'s answers: (kind, owner, layout) -> accounts (cleared when large).
_LAYOUTS: dict[tuple[int, str, str], int] = {}
_FOUND: dict[tuple, tuple[list[int], np.ndarray, bool]] = {}
# How `_day_columns` left a column: rounded, as a Python float (0) or to be made a NumPy float; or not rounded, a
# Python or NumPy float for `round6` to round.
_AS_NUMPY, _RAW_PYTHON, _RAW_NUMPY = 1, 2, 3


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
    if len(rows) == 1:
        return table[rows[0]].copy()
    out = table[rows[0]] + table[rows[1]]
    for r in rows[2:]:
        out += table[r]
    return out


def _add_up(values: list[float], rows: list[int]):
    """sum(values[r] for r in rows): one account's value as it is (0 + a non-negative float is that float)."""
    return values[rows[0]] if len(rows) == 1 else sum(values[r] for r in rows)


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


# `Hours._find` of the kinds' own accounts, of each kind and of CADRES
_OWN = {kind: (rows, _row_array(rows), per_cell(kind)) for kind, rows in _OWN_ROWS.items()}


@njit(cache=True)
def _load_cells(offered, left, a, b, two):
    """divide(used, grid, out=zeros, where=grid > 0) for the accounts a (and b when `two`), as `Hours.offered` and
    `Hours.used` compute them: grid = offered[a] (+ offered[b]), used = offered[a] - left[a] (+ (offered[b] -
    left[b]))."""
    n = offered.shape[1]
    out = np.zeros(n)
    for c in range(n):
        grid = offered[a, c] + offered[b, c] if two else offered[a, c]
        used = (offered[a, c] - left[a, c]) + (offered[b, c] - left[b, c]) if two else offered[a, c] - left[a, c]
        if grid > 0:
            out[c] = used / grid
    return out


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
def _book(spent, booked, rows, task, by_row):
    """Book the hours by_row[j] each account rows[j] gave on `task` (spent[account, task], marked `booked`); returns
    their sum, added in account order from 0.0."""
    total = 0.0
    for j in range(len(rows)):
        spent[rows[j], task] += by_row[j]
        booked[rows[j], task] = True
        total += by_row[j]
    return total


@njit(cache=True)
def _spend_cells_scalar(left, rows, ask, cap, spent, booked, task):
    """`_spend_cells` of one number `ask`, booked on `task` (`_book`); returns the hours given in all."""
    one = np.empty(1)
    one[0] = ask
    _, by_row = _spend_cells(left, rows, one, True, cap)
    return _book(spent, booked, rows, task, by_row)


@njit(cache=True)
def _spend_cells_array(left, rows, ask, cap, spent, booked, task, granted):
    """`_spend_cells` of an ask per cell, booked on `task` (`_book`), the grant per cell written to `granted`;
    returns the hours given in all. (The caller makes `granted`: cheaper than a compiled function's returned array.)"""
    want, by_row = _spend_cells(left, rows, ask, False, cap)
    granted[:] = want
    return _book(spent, booked, rows, task, by_row)


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
def _spend_cells_each(left, rows, ask, columns, tasks, spent, booked, granted):
    """`_spend_cells` (an ask per cell, no budget) for each task j, whose ask is column columns[j] of `ask` (cells x
    columns), that asks anything (a nonzero or NaN entry), one task after the other, booked on tasks[j] (`_book`).
    The grants (cells x tasks) go to `granted` (zeros); a column not in `ask` is an IndexError, before anything is
    spent."""
    n_cells, n_tasks = ask.shape[0], len(columns)
    for j in range(n_tasks):
        if not 0 <= columns[j] < ask.shape[1]:
            raise IndexError("a column not in the table of hours asked")
    for j in range(n_tasks):
        col = columns[j]
        wants = False
        for c in range(n_cells):
            if ask[c, col] != 0.0:  # NaN too
                wants = True
                break
        if not wants:
            continue
        column = np.empty(n_cells)
        for c in range(n_cells):
            column[c] = ask[c, col]
        want, taken = _spend_cells(left, rows, column, False, np.inf)
        for c in range(n_cells):
            granted[c, j] = want[c]
        _book(spent, booked, rows, tasks[j], taken)


@njit(cache=True)
def _day_columns(kind_of, amounts, cell_idle, cell_kind, spent, booked, out, special):
    """The daily columns into `out`: offered and idle hours by kind, then hours spent by task, each added in account
    order from 0.0 (`amounts` is the accounts' hours offered, then their pool's; `cell_idle` what each account's
    cells have left), rounded to 1e-6 as `round6` rounds its type: a task a per-cell spend booked is a NumPy float's
    sum, the rest Python floats. Returns how many columns need more (rows of `special`: column and `_AS_NUMPY`, or
    `_RAW_PYTHON` / `_RAW_NUMPY` for a value left unrounded, whose rounding this cannot be sure of)."""
    n, n_kinds, n_tasks = len(kind_of), len(cell_kind), spent.shape[1]
    for i in range(len(out)):
        out[i] = 0.0
    for r in range(n):
        k = kind_of[r]
        out[k] += amounts[r]
        out[n_kinds + k] += cell_idle[r] if cell_kind[k] else amounts[n + r]
    numpy = np.zeros(n_tasks, dtype=np.bool_)
    for r in range(n):
        for t in range(n_tasks):
            out[2 * n_kinds + t] += spent[r, t]  # 0.0 where the account spent nothing: changes no sum
            numpy[t] |= booked[r, t]
    k = 0
    for i in range(len(out)):
        v = out[i]
        as_numpy = i >= 2 * n_kinds and numpy[i - 2 * n_kinds]
        if v == 0.0:  # its own rounding
            how = _AS_NUMPY if as_numpy else 0
        elif as_numpy:
            if -1e300 < v < 1e300:  # round6: rint(value x 1e6) / 1e6
                scaled = v * 1e6
                whole = np.rint(scaled)
                out[i] = (whole if whole != 0.0 else math.copysign(0.0, scaled)) / 1e6
                how = _AS_NUMPY
            else:
                how = _RAW_NUMPY
        else:
            rounded = _round_python(v)
            if rounded == rounded:
                out[i] = rounded
                how = 0
            else:
                how = _RAW_PYTHON
        if how:
            special[k, 0] = i
            special[k, 1] = how
            k += 1
    return k


@njit(cache=True)
def _round_python(v):
    """round(v, 6) of a Python float, correctly rounded, or NaN where this cannot be sure of it. The exact v x 1e6
    is p + e, p = fl(v x 1e6), |e| <= |p| 2^-53; it rounds to the integer m nearest p unless p is within |e| of
    half-way (p - m is exact), and then m / 1e6 is the float nearest m x 1e-6, as Python's round gives it."""
    if not 1e-300 < abs(v) < 1e9:  # also NaN, inf
        return np.nan
    p = v * 1e6
    m = np.rint(p)
    if abs(p - m) + abs(p) * 2.0 ** -52 < 0.5:
        return m / 1e6
    return np.nan
