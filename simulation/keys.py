"""The names of a run's summary figures, apart from the model: the runner's, the reports' and the command line's
tables need the names before (or without) any run, and importing them from here costs no import of Mesa or the
mechanisms. simulation/outcomes.py computes the figures and documents each one."""

from __future__ import annotations

from scenarios.schema import COMPOUND_TYPES

SUMMARY_KEYS: tuple[str, ...] = (
    "unmet_need_days", "unmet_need_days_per_1000", "hidden_need_share", "critical_failures",
    "mean_days_to_meet", "equity_ratio", "wait_ratio", "offline_wait_ratio", "peak_unmet_day", "volunteers_active_peak",
    "coordinator_overload_days", "cadre_overload_days", "volunteer_coordinator_overload_days", "price_index_peak",
    "mean_distress_end",
)
# Per compound type, present for the types a community has (simulation/compounds.py).
COMPOUND_SUMMARY_KEYS: tuple[str, ...] = (*(f"unmet_need_days_per_1000_{t}" for t in COMPOUND_TYPES),
                                          *(f"critical_failures_{t}" for t in COMPOUND_TYPES))
