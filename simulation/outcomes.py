"""Process 8, observation: the day's metrics, and a run's summary computed from the daily series.

Flows (`raised_*`, `met_*`, `reported_total`, `critical_failures`, `met_wait_days`) count what happened during the
day; stocks (`unmet_*`, `hidden_*`) count needs outstanding at the day's end. `unmet_total` includes hidden needs and
`hidden_total` is the part of it no responder knows of. Group columns (`unmet_elderly_alone` ...) split the same
needs by the household's group; groups overlap, so they do not add up to the total.

Mental health: `psych_need_households` counts the households in need of psychological help at the day's end (their
distress rose above `needs.psych_threshold` and has not yet eased below it less 0.1, whether or not a request of
theirs is open: the survey's "felt they needed help"), `psych_need_key_groups` those of them in the key groups of
the aftermath (elderly living alone, chronically ill, or a household whose urgent medical need failed),
`distressed_households` those above `distress.distressed_threshold`; `psych_sessions` counts the professional
sessions given that day (remote services, social workers, psychological volunteers), `psych_help_sought` the
households in need who tried to reach the remote services and `psych_help_capacity` the sessions those could give.
Cadres' health: `cadres_off_sick` (at the day's end, not working tomorrow) and `cadres_left` (gone for good).
"""

from __future__ import annotations

import math
from itertools import chain

import mesa
import numpy as np
import pandas as pd
from numba import njit

from simulation.households import CATEGORIES, GROUPS

DAILY_COLUMNS: tuple[str, ...] = (
    "day", "phase",
    "raised_total", "reported_total", "met_total", "unmet_total", "hidden_total",
    *(f"raised_{c}" for c in CATEGORIES), *(f"met_{c}" for c in CATEGORIES),
    *(f"unmet_{c}" for c in CATEGORIES), *(f"hidden_{c}" for c in CATEGORIES),
    *(f"unmet_{g}" for g in GROUPS), *(f"hidden_{g}" for g in GROUPS),
    "met_wait_days", "mean_wait_open", "critical_failures", "medical_turned_away",
    "volunteers_active", "volunteers_vetting", "volunteers_burnt_out", "social_workers_active",
    "coordinator_load", "coordinator_capacity", "volunteer_coordinator_load", "volunteer_coordinator_capacity",
    "cadres", "cadre_fatigue", "cadre_hours_used",
    "price_index", "mean_distress",
    "distressed_households", "psych_need_households", "psych_need_key_groups", "psych_sessions",
    "psych_help_sought", "psych_help_capacity", "cadres_off_sick", "cadres_left",
)

SUMMARY_KEYS: tuple[str, ...] = (
    "unmet_need_days", "unmet_need_days_per_1000", "hidden_need_share", "critical_failures",
    "mean_days_to_meet", "equity_ratio", "peak_unmet_day", "volunteers_active_peak",
    "coordinator_overload_days", "price_index_peak", "mean_distress_end",
)


class DailyCollector(mesa.DataCollector):
    """Mesa's DataCollector with one reporter per daily column, collecting the day's row in one pass.

    Mesa's own `collect` deep-copies every reported value; the day's metrics are fresh scalars, so copying them is
    wasted work done sixty times a day. Everything else (model_vars, get_model_vars_dataframe, batch_run) is Mesa's.
    """

    def __init__(self) -> None:
        super().__init__(model_reporters={name: _reporter(name) for name in DAILY_COLUMNS})

    def collect(self, model) -> None:
        if hasattr(self, "_collection_steps"):  # as Mesa's own collect does
            self._collection_steps.append(model.time)
        today = model.today
        for name, values in self.model_vars.items():
            values.append(today[name])


def _reporter(name: str):
    return lambda model: model.today[name]


def observe(model) -> dict:
    """The day's metrics, read from the model's arrays and ledger."""
    hh, led, roster = model.households, model.ledger, model.cadre_roster
    unmet_g, hidden_g = _group_counts(hh.open.view(np.uint8), hh.reported.view(np.uint8), hh.group_bits)
    raised, met = led.raised.tolist(), led.met.tolist()
    unmet_c, hidden_c = hh.open_count.tolist(), (hh.open_count - hh.known_count).tolist()
    n_open = sum(unmet_c)
    age_sum = model.day * n_open - hh.open_raised_days
    row = {
        "day": model.day, "phase": model.phase.name,
        "raised_total": sum(raised), "reported_total": led.reported, "met_total": sum(met),
        "unmet_total": n_open, "hidden_total": sum(hidden_c),
    }
    row.update(zip(_CATEGORY_COLUMNS, chain.from_iterable(zip(raised, met, unmet_c, hidden_c))))
    row.update(zip(_GROUP_COLUMNS, chain.from_iterable(zip(unmet_g.tolist(), hidden_g.tolist()))))
    row.update({
        "met_wait_days": led.met_wait_days,
        "mean_wait_open": age_sum / n_open if n_open else 0.0,
        "critical_failures": led.critical_failures,
        "medical_turned_away": led.turned_away,
        "volunteers_active": model.volunteers_active,
        "volunteers_vetting": model.volunteers_vetting,
        "volunteers_burnt_out": model.volunteers_burnt_out,
        "social_workers_active": model.social_workers_active,
        "coordinator_load": round(model.coordination_load, 6),
        "coordinator_capacity": round(model.hours.coordination, 6),
        "volunteer_coordinator_load": round(model.volunteer_coordination_load, 6),
        "volunteer_coordinator_capacity": round(model.volunteer_coordination_capacity, 6),
        "cadres": len(model.cadres),
        "cadre_fatigue": model.cadre_fatigue_mean,
        "cadre_hours_used": round(model.cadre_hours_used, 6),
        "price_index": float(model.price_index),
        "mean_distress": float(hh.distress.sum()) / hh.n,
        "distressed_households": int(np.count_nonzero(hh.distress > model.config.distress.distressed_threshold)),
        "psych_need_households": int(np.count_nonzero(hh.in_need)),
        "psych_need_key_groups": int(np.count_nonzero(hh.in_need & (hh.key_group | hh.bereaved))),
        "psych_sessions": led.sessions,
        "psych_help_sought": led.help_sought,
        "psych_help_capacity": led.help_capacity,
        "cadres_off_sick": int(np.count_nonzero((roster.off_until > model.day) & ~roster.gone)),
        "cadres_left": int(np.count_nonzero(roster.gone)),
    })
    return row


# The daily columns filled from per-category and per-group arrays, in the order `observe` writes them.
_CATEGORY_COLUMNS = tuple(f"{kind}_{c}" for c in CATEGORIES for kind in ("raised", "met", "unmet", "hidden"))
_GROUP_COLUMNS = tuple(f"{kind}_{g}" for g in GROUPS for kind in ("unmet", "hidden"))
@njit(cache=True)
def _group_counts(open_, reported, group_bits):
    """group_matrix @ open_per_household(open) and group_matrix @ open_per_household(open & ~reported), in
    integers (group g of a household: bit g of `group_bits`). The matrix holds 0 and 1, so the float32 product's
    partial sums are integers below 2**24 (exact), and an integer sum gives the same numbers. `open` and `reported`
    are the masks' bytes (0 or 1), which the compiler vectorises.

    The needs are first added up by combination of groups (64 of them), in four interleaved copies so that
    neighbouring households, who mostly share a combination, do not wait on each other's addition."""
    n, k = open_.shape
    n_open = np.zeros(n, np.uint8)  # needs per household, category by category down the column-major table
    n_hidden = np.zeros(n, np.uint8)
    for c in range(k):
        for r in range(n):
            n_open[r] += open_[r, c]
            n_hidden[r] += open_[r, c] & ~reported[r, c]  # open and not reported
    lanes, combinations = 4, 1 << len(GROUPS)
    by_combination = np.zeros((lanes, combinations, 2), np.int64)
    for r in range(n):
        by_combination[r % lanes, group_bits[r], 0] += n_open[r]
        by_combination[r % lanes, group_bits[r], 1] += n_hidden[r]
    unmet = np.zeros(len(GROUPS), np.int64)
    hidden = np.zeros(len(GROUPS), np.int64)
    for lane in range(lanes):
        for combination in range(combinations):
            for g in range(len(GROUPS)):
                member = (combination >> g) & 1
                unmet[g] += member * by_combination[lane, combination, 0]
                hidden[g] += member * by_combination[lane, combination, 1]
    return unmet, hidden


def summarize(daily: pd.DataFrame, households: int, vulnerable: int) -> dict:
    """The run's summary (model-spec Outcomes), computed from the daily series alone."""
    unmet = daily["unmet_total"].to_numpy()
    need_days = int(unmet.sum())
    met = int(daily["met_total"].sum())
    others = households - vulnerable
    vuln_days = float(daily["unmet_vulnerable"].sum())
    per_vuln = vuln_days / vulnerable if vulnerable else math.nan
    per_other = (need_days - vuln_days) / others if others else math.nan
    if per_other > 0:
        equity = per_vuln / per_other
    else:
        equity = math.nan if per_vuln != per_vuln or per_vuln == 0 else math.inf
    return {
        "unmet_need_days": need_days,
        "unmet_need_days_per_1000": need_days / households * 1000.0,
        "hidden_need_share": float(daily["hidden_total"].sum()) / need_days if need_days else 0.0,
        "critical_failures": int(daily["critical_failures"].sum()),
        "mean_days_to_meet": float(daily["met_wait_days"].sum()) / met if met else math.nan,
        "equity_ratio": equity,
        "peak_unmet_day": int(daily["day"].iloc[int(np.argmax(unmet))]),
        "volunteers_active_peak": int(daily["volunteers_active"].max()),
        "coordinator_overload_days": int(((daily["coordinator_load"] > daily["coordinator_capacity"])
                                          | (daily["volunteer_coordinator_load"]
                                             > daily["volunteer_coordinator_capacity"])).sum()),
        "price_index_peak": float(daily["price_index"].max()),
        "mean_distress_end": float(daily["mean_distress"].iloc[-1]),
    }
