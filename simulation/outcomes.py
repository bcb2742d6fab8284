"""Process 8, observation: the day's metrics, and a run's summary computed from the daily series.

Flows (`raised_*`, `met_*`, `reported_total`, `critical_failures`, `met_wait_days`, the ledger's `hours_*`) count
what happened during the day; stocks (`unmet_*`, `hidden_*`) count needs outstanding at the day's end. `unmet_total`
includes hidden needs and `hidden_total` is the part of it no responder knows of. Group columns (`unmet_elderly_alone`
...) split the same needs by the household's group; groups overlap, so they do not add up to the total. The wait columns
(`met_<side>` and `met_wait_days_<side>` for the sides vulnerable / not_vulnerable and offline / online) split the day's
met needs and the days they waited by the household's side of each of `WAIT_GROUPS`; each pair of sides adds up to
`met_total` and `met_wait_days`. The responders' hours (`hours_offered_<kind>`, `hours_idle_<kind>`, `hours_<task>`) are
the day's ledger (simulation/hours.py); the linkage mechanisms supply their own columns (`Mechanism.COLUMNS`, their off
values when a mechanism is off), a column several of them supply being the sum of their values.

Mental health: `psych_need_households` counts the households in need of psychological help at the day's end (their
distress rose above `needs.psych_threshold` and has not yet eased below it less 0.1, whether or not a request of
theirs is open: the survey's "felt they needed help"), `psych_need_key_groups` those of them in the key groups of
the aftermath (elderly living alone, chronically ill, or a household whose urgent medical need failed),
`distressed_households` those above `distress.distressed_threshold`; `psych_sessions` counts the professional
sessions given that day (remote services, social workers, psychological volunteers: `Ledger.sessions`); the online
mechanism adds `psych_help_sought` (households in need who tried to reach the remote services) and
`psych_help_capacity` (the sessions those could give).
Cadres' health: `cadres_off_sick` (at the day's end, not working tomorrow) and `cadres_left` (gone for good).
"""

from __future__ import annotations

import math
import operator
from itertools import chain

import mesa
import numpy as np
import pandas as pd
from numba import njit

from scenarios.schema import COMPOUND_TYPES
from simulation import hours, linkage
from simulation.households import CATEGORIES, GROUPS, WAIT_GROUPS

# Each group of WAIT_GROUPS and the households outside it, as the wait columns name them.
WAIT_SIDES: dict[str, tuple[str, str]] = {"vulnerable": ("vulnerable", "not_vulnerable"),
                                          "offline": ("offline", "online")}
WAIT_COLUMNS: tuple[str, ...] = tuple(f"{kind}_{side}" for g in WAIT_GROUPS for side in WAIT_SIDES[g]
                                      for kind in ("met", "met_wait_days"))

_MECHANISM_COLUMNS = linkage.columns()  # name -> value when no mechanism supplies it

_BASE_COLUMNS: tuple[str, ...] = (
    "day", "phase",
    "raised_total", "reported_total", "met_total", "unmet_total", "hidden_total",
    *(f"raised_{c}" for c in CATEGORIES), *(f"met_{c}" for c in CATEGORIES),
    *(f"unmet_{c}" for c in CATEGORIES), *(f"hidden_{c}" for c in CATEGORIES),
    *(f"unmet_{g}" for g in GROUPS), *(f"hidden_{g}" for g in GROUPS),
    *(f"unmet_{t}" for t in COMPOUND_TYPES), *(f"critical_failures_{t}" for t in COMPOUND_TYPES),
    "met_wait_days", *WAIT_COLUMNS, "mean_wait_open", "critical_failures", "medical_turned_away",
    "volunteers_active", "volunteers_vetting", "volunteers_burnt_out", "social_workers_active",
    "coordinator_load", "coordinator_capacity", "volunteer_coordinator_load", "volunteer_coordinator_capacity",
    "cadres", "cadre_fatigue", "cadre_hours_used",
    "price_index", "mean_distress",
    "calls_per_cadre",
    *hours.columns(),
    "distressed_households", "psych_need_households", "psych_need_key_groups", "psych_sessions",
    "cadres_off_sick", "cadres_left",
)
# The mechanisms' own columns that the list above does not name already come last.
DAILY_COLUMNS: tuple[str, ...] = (*_BASE_COLUMNS, *(c for c in _MECHANISM_COLUMNS if c not in _BASE_COLUMNS))

_COMPOUND_COLUMNS = tuple(f"unmet_{t}" for t in COMPOUND_TYPES)
_CRITICAL_COLUMNS = tuple(f"critical_failures_{t}" for t in COMPOUND_TYPES)


class DailyCollector(mesa.DataCollector):
    """Mesa's DataCollector with one reporter per daily column, collecting the day's row in one pass.

    Mesa's own `collect` deep-copies every reported value; the day's metrics are fresh scalars, so copying them is
    wasted work done sixty times a day. `collect` takes the day's values in column order in one C call and keeps
    them; `model_vars` (Mesa's dict of one list per column) appends the days kept so far to the columns whenever it
    is read, so that it always holds every day collected. Everything else (get_model_vars_dataframe, batch_run) is
    Mesa's.
    """

    def __init__(self) -> None:
        self._pending: list[tuple] = []  # the days collected and not yet appended to `model_vars`
        super().__init__(model_reporters={name: _reporter(name) for name in DAILY_COLUMNS})

    @property
    def model_vars(self) -> dict[str, list]:
        if self._pending:
            pending, self._pending = self._pending, []
            for values, days in zip(self._vars.values(), zip(*pending)):
                values.extend(days)
        return self._vars

    @model_vars.setter
    def model_vars(self, value: dict[str, list]) -> None:
        self._pending = []
        self._vars = value

    def collect(self, model) -> None:
        if hasattr(self, "_collection_steps"):  # as Mesa's own collect does
            self._collection_steps.append(model.time)
        self._pending.append(model.today_values)


def _reporter(name: str):
    return lambda model: model.today[name]


def observe(model) -> tuple:
    """The day's metrics, read from the model's arrays and ledger: one value per daily column, in the order of
    `DAILY_COLUMNS`."""
    hh, led, roster = model.households, model.ledger, model.cadre_roster
    declared = model.compounds.declared
    unmet_g, hidden_g, unmet_t = _group_counts(hh.open.view(np.uint8), hh.reported.view(np.uint8), hh.group_bits,
                                               model.compounds.of_household if declared else _NO_TYPES,
                                               len(COMPOUND_TYPES) if declared else 0)
    raised, met = led.raised.tolist(), led.met.tolist()
    unmet_c, hidden_c = hh.open_count.tolist(), (hh.open_count - hh.known_count).tolist()
    distressed, in_need, in_need_key = _distress_counts(hh.distress, model.config.distress.distressed_threshold,
                                                        hh.in_need, hh.key_group, hh.bereaved)
    n_open = sum(unmet_c)
    age_sum = model.day * n_open - hh.open_raised_days
    met_total, waited = sum(met), led.met_wait_days
    # The day's values in the order of `_OBSERVED`, in one list, made a dict in one call.
    values = [model.day, model.phase.name, sum(raised), led.reported, met_total, n_open, sum(hidden_c),
              *chain.from_iterable(zip(raised, met, unmet_c, hidden_c)),
              *chain.from_iterable(zip(unmet_g.tolist(), hidden_g.tolist()))]
    if declared:  # counted by `_group_counts` in the same pass
        values += unmet_t.tolist()
        values += led.critical_by_compound.tolist()
    else:
        values += _NO_COMPOUND_VALUES
    for met_in, wait_in in zip(led.met_in_group.tolist(), led.wait_in_group.tolist()):
        values += (met_in, wait_in, met_total - met_in, waited - wait_in)
    off_sick = _off_sick(roster.off_until, roster.gone, model.day) if len(roster) else (0, 0)
    values += (
        waited,
        age_sum / n_open if n_open else 0.0,
        led.critical_failures,
        led.turned_away,
        hours.round6(model.coordination_load),
        hours.round6(model.coordination_capacity),
        len(model.cadres),
        model.cadre_fatigue_mean,
        hours.round6(model.cadre_hours_used),
        float(model.price_index),
        float(np.add.reduce(hh.distress)) / hh.n,
        model.calls_taken / model.own_cadres_on_duty if model.own_cadres_on_duty else 0.0,
        distressed, in_need, in_need_key,
        led.sessions,
        *off_sick,
    )
    values += model.hours.row_values()
    values += _MECHANISM_VALUES  # each mechanism's columns, as when it is off, then what the mechanisms say
    for mechanism in model.mechanisms:
        for name, value in mechanism.observe(model).items():
            i = _POSITION[name]
            values[i] = values[i] + value
    return _IN_DAILY_ORDER(values)


# The columns `observe` reads off the model itself, in the order it writes them (the ledger's and the mechanisms'
# columns follow).
_OBSERVED: tuple[str, ...] = (
    "day", "phase", "raised_total", "reported_total", "met_total", "unmet_total", "hidden_total",
    *(f"{kind}_{c}" for c in CATEGORIES for kind in ("raised", "met", "unmet", "hidden")),
    *(f"{kind}_{g}" for g in GROUPS for kind in ("unmet", "hidden")),
    *_COMPOUND_COLUMNS, *_CRITICAL_COLUMNS, *WAIT_COLUMNS,
    "met_wait_days", "mean_wait_open", "critical_failures", "medical_turned_away", "coordinator_load",
    "coordinator_capacity", "cadres", "cadre_fatigue", "cadre_hours_used", "price_index", "mean_distress",
    "calls_per_cadre", "distressed_households", "psych_need_households", "psych_need_key_groups", "psych_sessions",
    "cadres_off_sick", "cadres_left",
)
_NO_COMPOUND_VALUES = [0] * (len(_COMPOUND_COLUMNS) + len(_CRITICAL_COLUMNS))
# `observe` makes the day's values in this order (its own, the ledger's, the mechanisms'), then puts them in the
# order of `DAILY_COLUMNS`.
_MADE: tuple[str, ...] = (*_OBSERVED, *hours.columns(), *_MECHANISM_COLUMNS)
assert len(set(_MADE)) == len(_MADE) and set(_MADE) == set(DAILY_COLUMNS), "each daily column made once"
_POSITION = {name: i for i, name in enumerate(_MADE)}
_MECHANISM_VALUES = list(_MECHANISM_COLUMNS.values())
_IN_DAILY_ORDER = operator.itemgetter(*(_POSITION[name] for name in DAILY_COLUMNS))


@njit(cache=True)
def _off_sick(off_until, gone, day):
    """count_nonzero((off_until > day) & ~gone), count_nonzero(gone): the cadres off sick at the day's end (not
    working tomorrow) and those gone for good."""
    sick = left = 0
    for i in range(len(gone)):
        sick += (off_until[i] > day) & (not gone[i])
        left += gone[i]
    return sick, left
@njit(cache=True)
def _distress_counts(distress, threshold, in_need, key_group, bereaved):
    """count_nonzero(distress > threshold), count_nonzero(in_need), count_nonzero(in_need & (key_group |
    bereaved))."""
    distressed = needing = key = 0
    for r in range(len(distress)):
        distressed += distress[r] > threshold
        needing += in_need[r]
        key += in_need[r] & (key_group[r] | bereaved[r])
    return distressed, needing, key


_NO_TYPES = np.zeros(0, dtype=np.int64)  # no household of a compound type


@njit(cache=True)
def _group_counts(open_, reported, group_bits, of_household, n_types):
    """group_matrix @ open_per_household(open) and group_matrix @ open_per_household(open & ~reported), in
    integers (group g of a household: bit g of `group_bits`). The matrix holds 0 and 1, so the float32 product's
    partial sums are integers below 2**24 (exact), and an integer sum gives the same numbers. `open` and `reported`
    are the masks' bytes (0 or 1), which the compiler vectorises.

    The needs per household are counted into the bytes of 8-byte words; a word of eight households with no need
    open (as most are, most days) is skipped whole. The others' needs are added up by combination of groups (64 of
    them), in four interleaved copies so that neighbouring households, who mostly share a combination, do not wait
    on each other's addition.

    Also the open needs by compound type, bincount(of_household, weights=open.sum(axis=1)) over the households of
    a type (types from 0, -1 for none), from the same needs per household; `of_household` is read only when
    `n_types` > 0."""
    n, k = open_.shape
    words = (n + 7) // 8
    n_open_w = np.zeros(words, np.uint64)  # needs per household, category by category down the column-major table
    n_open = n_open_w.view(np.uint8)
    n_hidden = np.zeros(8 * words, np.uint8)
    for c in range(k):
        open_c, reported_c = open_[:, c], reported[:, c]
        for r in range(n):
            n_open[r] += open_c[r]
            n_hidden[r] += open_c[r] & ~reported_c[r]  # open and not reported
    lanes, combinations = 4, 1 << len(GROUPS)
    by_combination = np.zeros((lanes, combinations, 2), np.int64)
    by_type = np.zeros(n_types, np.int64)
    last = n - 1
    for w in range(words):
        if n_open_w[w]:
            for i in range(8):  # past row n (the last word's padding) zero needs, added to a real row's cell
                r = 8 * w + i
                bits = group_bits[min(r, last)]
                by_combination[i % lanes, bits, 0] += n_open[r]
                by_combination[i % lanes, bits, 1] += n_hidden[r]
            if n_types > 0:
                for i in range(8):
                    r = 8 * w + i
                    t = of_household[min(r, last)]
                    if t >= 0:
                        by_type[t] += n_open[r]
    unmet = np.zeros(len(GROUPS), np.int64)
    hidden = np.zeros(len(GROUPS), np.int64)
    for lane in range(lanes):
        for combination in range(combinations):
            for g in range(len(GROUPS)):
                member = (combination >> g) & 1
                unmet[g] += member * by_combination[lane, combination, 0]
                hidden[g] += member * by_combination[lane, combination, 1]
    return unmet, hidden, by_type


def summarize(daily: pd.DataFrame, households: int, vulnerable: int,
              by_compound: dict[str, int] | None = None) -> dict:
    """The run's summary (the model requirements Outcomes), computed from the daily series alone.

    Three keys compare groups of households, and say different things:

    - `equity_ratio`: unmet need-days per household, vulnerable over not vulnerable. It mixes how often a group's
      needs arise (the chronically ill run out of medicine, frail households fend less for themselves) with how
      long they stay open, so it exceeds 1 even when every need is served as fast as any other.
    - `wait_ratio`: mean days from a need arising to its being met, for needs of vulnerable households over needs
      of the others; it measures how well needs that arose were served, whatever their number.
    - `offline_wait_ratio`: the same for offline households over online ones (the digital divide).

    `by_compound` (households per compound type) adds, for each type the community has,
    `unmet_need_days_per_1000_<type>` (unmet need-days of its households per 1,000 of them) and
    `critical_failures_<type>`.

    The waits are those of needs met during the run (needs still open at the end are not counted). A ratio is NaN
    where it is undefined (a group with no households or no need met; 0 over 0) and inf where only its
    denominator is 0; `experiments.stats` leaves non-finite values out of means and intervals and counts them.
    """
    unmet = daily["unmet_total"].to_numpy()
    need_days = int(unmet.sum())
    met = int(daily["met_total"].sum())
    others = households - vulnerable
    vuln_days = float(daily["unmet_vulnerable"].sum())
    per_vuln = vuln_days / vulnerable if vulnerable else math.nan
    per_other = (need_days - vuln_days) / others if others else math.nan
    cadres_over = daily["coordinator_load"] > daily["coordinator_capacity"]
    volunteers_over = daily["volunteer_coordinator_load"] > daily["volunteer_coordinator_capacity"]
    return {
        "unmet_need_days": need_days,
        "unmet_need_days_per_1000": need_days / households * 1000.0,
        "hidden_need_share": float(daily["hidden_total"].sum()) / need_days if need_days else 0.0,
        "critical_failures": int(daily["critical_failures"].sum()),
        "mean_days_to_meet": float(daily["met_wait_days"].sum()) / met if met else math.nan,
        "equity_ratio": ratio(per_vuln, per_other),
        "wait_ratio": ratio(_mean_wait(daily, "vulnerable"), _mean_wait(daily, "not_vulnerable")),
        "offline_wait_ratio": ratio(_mean_wait(daily, "offline"), _mean_wait(daily, "online")),
        "peak_unmet_day": int(daily["day"].iloc[int(np.argmax(unmet))]),
        "volunteers_active_peak": int(daily["volunteers_active"].max()),
        "coordinator_overload_days": int((cadres_over | volunteers_over).sum()),
        "cadre_overload_days": int(cadres_over.sum()),
        "volunteer_coordinator_overload_days": int(volunteers_over.sum()),
        "price_index_peak": float(daily["price_index"].max()),
        "mean_distress_end": float(daily["mean_distress"].iloc[-1]),
        **{f"unmet_need_days_per_1000_{t}": float(daily[f"unmet_{t}"].sum()) / k * 1000.0
           for t, k in (by_compound or {}).items() if k > 0},
        **{f"critical_failures_{t}": int(daily[f"critical_failures_{t}"].sum())
           for t, k in (by_compound or {}).items() if k > 0},
    }


def _mean_wait(daily: pd.DataFrame, side: str) -> float:
    """Mean days waited by the needs met of households on `side` (NaN if none was met)."""
    met = int(daily[f"met_{side}"].sum())
    return float(daily[f"met_wait_days_{side}"].sum()) / met if met else math.nan


def ratio(a: float, b: float) -> float:
    """a / b for the group ratios: NaN where it is undefined (either side NaN, or 0 / 0), inf where only b is 0."""
    if b > 0:
        return a / b
    return math.nan if a != a or b != b or a == 0 else math.inf
