"""Process 8, observation: the day's metrics, and a run's summary computed from the daily series.

Flows (`raised_*`, `met_*`, `reported_total`, `critical_failures`, `met_wait_days`) count what happened during the
day; stocks (`unmet_*`, `hidden_*`) count needs outstanding at the day's end. `unmet_total` includes hidden needs and
`hidden_total` is the part of it no responder knows of. Group columns (`unmet_elderly_alone` ...) split the same
needs by the household's group; groups overlap, so they do not add up to the total.
"""

from __future__ import annotations

import math

import mesa
import numpy as np
import pandas as pd

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
    hh, led = model.households, model.ledger
    open_, hidden = hh.open, hh.open & ~hh.reported
    unmet_c, hidden_c = hh.open_count, hh.open_count - hh.known_count
    unmet_g = hh.group_matrix @ hh.open_per_household().astype(np.float32)
    hidden_g = hh.group_matrix @ hh.open_per_household(hidden).astype(np.float32)
    n_open = int(unmet_c.sum())
    age_sum = model.day * n_open - hh.open_raised_days
    row = {
        "day": model.day, "phase": model.phase.name,
        "raised_total": int(led.raised.sum()), "reported_total": led.reported, "met_total": int(led.met.sum()),
        "unmet_total": n_open, "hidden_total": int(hidden_c.sum()),
    }
    for i, c in enumerate(CATEGORIES):
        row[f"raised_{c}"] = int(led.raised[i])
        row[f"met_{c}"] = int(led.met[i])
        row[f"unmet_{c}"] = int(unmet_c[i])
        row[f"hidden_{c}"] = int(hidden_c[i])
    for i, g in enumerate(GROUPS):
        row[f"unmet_{g}"] = int(round(float(unmet_g[i])))
        row[f"hidden_{g}"] = int(round(float(hidden_g[i])))
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
    })
    return row


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
