"""The patterns the model must reproduce (docs/sources.md, "Patterns the model must reproduce"), each as one
criterion over the runs of one seed.

The tests check each pattern over ten seeds (tests/test_wuhan.py, test_patterns.py, test_medical.py,
test_volunteers.py, test_organisations.py, test_external.py) and the pattern-sensitivity page checks it over a few
seeds at both ends of the assumed parameters' ranges (experiments/pattern_sensitivity.py, docs/sensitivity.md):
both call the criteria here, so that the page tests what the tests test. Who runs which scenarios, at what size,
stays with the caller; a criterion only reads the runs it is given.

A criterion returns a `Verdict`: true when every one of its parts holds, with the parts by name (a test may check
one part on its own) and the figures they compare (for a failing test's message).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from simulation.households import FOOD

#: The scenarios pattern 7 compares: cadres alone, each single linkage, and all of them integrated (`three_social`).
LINKAGE_SCENARIOS = ("no_linkage", "emergency_online", "internal", "categorized_recruitment", "three_social")


@dataclass(frozen=True)
class Verdict:
    """Whether a pattern held in one seed: `parts` by name, and the figures they compared."""

    parts: dict[str, bool]
    values: dict[str, float] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return all(self.parts.values())

    def __str__(self) -> str:
        failed = [name for name, ok in self.parts.items() if not ok]
        figures = ", ".join(f"{k} = {v:.4g}" if isinstance(v, float) else f"{k} = {v}" for k, v in self.values.items())
        return f"{'holds' if self else 'fails: ' + ', '.join(failed)} ({figures})"


# --- measures shared by the criteria and their tests --------------------------------------------------------------

def wait_per_need(daily: pd.DataFrame, category: str) -> float:
    """Unmet need-days per need raised: how long, on average, a need of `category` stays open."""
    return float(daily[f"unmet_{category}"].sum() / daily[f"raised_{category}"].sum())


def volunteer_overload_days(daily: pd.DataFrame) -> int:
    """Days the volunteer coordinators' work exceeded their hours."""
    return int((daily["volunteer_coordinator_load"] > daily["volunteer_coordinator_capacity"]).sum())


def residents_mobilised(model) -> int:
    """Residents who joined the volunteer pool by example (not recruited by the call)."""
    pool = next(m for m in model.mechanisms if m.name == "volunteers")
    return int((~pool.recruit).sum())


def food_shortfall(model, from_day: int) -> tuple[float, float, int]:
    """Step `model` to its end; from day `from_day` on, the open food needs at each day's end per vulnerable and per
    other household (need-days), and the food needs raised in those days."""
    hh = model.households
    vulnerable, other, raised = 0, 0, 0
    while model.running:
        model.step()
        if model.day - 1 >= from_day:
            short = hh.open[:, FOOD]
            vulnerable += short[hh.vulnerable].sum()
            other += short[~hh.vulnerable].sum()
            raised += int(model.ledger.raised[FOOD])
    return vulnerable / hh.vulnerable.sum(), other / (~hh.vulnerable).sum(), raised


# --- the criteria ---------------------------------------------------------------------------------------------

def backlog_peaks_in_closure(daily: pd.DataFrame) -> Verdict:
    """Pattern 1, the Wuhan timeline (stylized fact 1), on a `wuhan_2020` run: the backlog (`unmet_total`) peaks in
    the closure weeks, days 22-40, and averages under half its peak in days 41-54, after the sunk cadres, the
    volunteers and next-day group buying, still in full closure."""
    unmet = daily.set_index("day")["unmet_total"]
    peak_day, after = int(unmet.idxmax()), float(unmet.loc[41:54].mean())
    return Verdict({"peak_in_closure": 22 <= peak_day <= 40, "falls_by_half": after < 0.5 * unmet.max()},
                   {"peak_day": peak_day, "peak": int(unmet.max()), "days_41_54_mean": after})


def hidden_needs_gather_offline_elderly(daily: pd.DataFrame, households) -> Verdict:
    """Pattern 2, the digital divide (stylized fact 4), on a `no_linkage` run and its household state: hidden
    need-days per older household without digital access exceed 1.5 times those per other household."""
    n_oe = int((households.elderly & ~households.digital).sum())
    per_oe = daily["hidden_offline_elderly"].sum() / n_oe
    per_other = (daily["hidden_total"].sum() - daily["hidden_offline_elderly"].sum()) / (households.n - n_oe)
    return Verdict({"offline_elderly_hidden_longer": bool(per_oe > 1.5 * per_other)},
                   {"per_offline_elderly": float(per_oe), "per_other": float(per_other)})


def medical_needs_wait_longer(daily: pd.DataFrame) -> Verdict:
    """Pattern 3, medical needs met less reliably than food (stylized fact 5), on a `wuhan_2020` run: a medical need
    stays open longer, in unmet need-days per need raised, than a food need."""
    medical, food = wait_per_need(daily, "medical"), wait_per_need(daily, "food")
    return Verdict({"medical_waits_longer": medical > food}, {"medical": medical, "food": food})


def open_call_overloads_the_coordinator(open_daily: pd.DataFrame, categorized_daily: pd.DataFrame) -> Verdict:
    """Pattern 4, the open call (stylized fact 8), on `open_recruitment` and `categorized_recruitment` runs: the
    open call overloads the volunteer coordinators on at least 5 more days, its vetting queue peaks at least twice
    as long, and it ends with fewer volunteers at work."""
    over_open, over_cat = volunteer_overload_days(open_daily), volunteer_overload_days(categorized_daily)
    queue_open, queue_cat = open_daily["volunteers_vetting"].max(), categorized_daily["volunteers_vetting"].max()
    end_open, end_cat = open_daily["volunteers_active"].iloc[-1], categorized_daily["volunteers_active"].iloc[-1]
    return Verdict({"overload": over_open >= over_cat + 5, "vetting_queue": queue_open >= 2 * queue_cat,
                    "fewer_volunteers_at_the_end": end_cat > end_open},
                   {"overload_days_open": over_open, "overload_days_categorized": over_cat,
                    "vetting_peak_open": int(queue_open), "vetting_peak_categorized": int(queue_cat),
                    "active_at_end_open": int(end_open), "active_at_end_categorized": int(end_cat)})


def strong_mass_base_mobilises_more(weak, strong) -> Verdict:
    """Pattern 5, the mass base (stylized fact 6), on finished `weak_mass_base` and `strong_mass_base` models: the
    strong mass base mobilises more residents by example and leaves fewer unmet need-days."""
    mobilised = residents_mobilised(weak), residents_mobilised(strong)
    unmet = int(weak.daily()["unmet_total"].sum()), int(strong.daily()["unmet_total"].sum())
    return Verdict({"mobilises_more": mobilised[1] > mobilised[0], "fewer_unmet": unmet[1] < unmet[0]},
                   {"mobilised_weak": mobilised[0], "mobilised_strong": mobilised[1], "unmet_weak": unmet[0],
                    "unmet_strong": unmet[1]})


def inactive_leaders_lower_activation(idle_daily: pd.DataFrame, acting_daily: pd.DataFrame) -> Verdict:
    """Pattern 6, leaders set the example (the source panel, Chen), on `leader_inactive` runs with its leaders idle
    and acting (`organisations.leader_active_prob` = 1): idle leaders leave fewer social workers acting, summed
    over the run's days, and more unmet need-days."""
    active = int(idle_daily["social_workers_active"].sum()), int(acting_daily["social_workers_active"].sum())
    unmet = int(idle_daily["unmet_total"].sum()), int(acting_daily["unmet_total"].sum())
    return Verdict({"fewer_acting": active[0] < active[1], "more_unmet": unmet[0] > unmet[1]},
                   {"acting_idle": active[0], "acting_active": active[1], "unmet_idle": unmet[0],
                    "unmet_active": unmet[1]})


def three_social_leaves_fewest_unmet(summaries: Mapping[str, Mapping]) -> Verdict:
    """Pattern 7, all linkages integrated (the source panel: three kinds of linkage, linkage-ism, last-mile
    precision), on the summaries of one seed's runs of `LINKAGE_SCENARIOS`: `three_social` leaves fewer unmet
    need-days than cadres alone and than each single linkage. (Its second half, the best equity ratio, is a claim
    about the mean over seeds: `three_social_has_the_best_mean_equity`.)"""
    best = summaries["three_social"]["unmet_need_days"]
    return Verdict({f"fewer_than_{name}": best < s["unmet_need_days"] for name, s in summaries.items()
                    if name != "three_social"},
                   {name: s["unmet_need_days"] for name, s in summaries.items()})


def three_social_has_the_best_mean_equity(summaries_by_seed: list[Mapping[str, Mapping]]) -> Verdict:
    """Pattern 7, second half, over several seeds' summaries of `LINKAGE_SCENARIOS`: the mean equity ratio of
    `three_social` is below every other scenario's (one run's ratio is too noisy to compare)."""
    means = {name: float(np.mean([s[name]["equity_ratio"] for s in summaries_by_seed]))
             for name in summaries_by_seed[0]}
    return Verdict({f"fairer_than_{name}": means["three_social"] < mean for name, mean in means.items()
                    if name != "three_social"}, means)


def need_targeting_narrows_the_food_gap(first_come: float, need: float) -> Verdict:
    """Pattern 8, adequate supply while households go short (stylized fact 9), on the vulnerable households' food
    shortfall (`food_shortfall`) in runs with free packages handed out first come and by need: by need the
    vulnerable go short less."""
    return Verdict({"need_narrows_the_gap": bool(need < first_come)},
                   {"first_come": float(first_come), "need": float(need)})


@dataclass(frozen=True)
class Pattern:
    """A pattern: its number (as docs/sources.md and the tests number it), what must hold, and its criterion."""

    key: str
    holds: str
    criterion: Callable[..., Verdict]


PATTERNS: dict[str, Pattern] = {p.key: p for p in (
    Pattern("1", "wuhan_2020: backlog peaks in days 22-40, days 41-54 under half the peak", backlog_peaks_in_closure),
    Pattern("2", "no_linkage: hidden need-days per offline elderly household > 1.5x the others'",
            hidden_needs_gather_offline_elderly),
    Pattern("3", "wuhan_2020: medical needs wait longer per need than food needs", medical_needs_wait_longer),
    Pattern("4", "open call: >= 5 more overload days, >= 2x vetting queue, fewer volunteers at the end",
            open_call_overloads_the_coordinator),
    Pattern("5", "strong mass base: more residents mobilised, fewer unmet need-days than weak",
            strong_mass_base_mobilises_more),
    Pattern("6", "leader_inactive: fewer social workers acting, more unmet need-days",
            inactive_leaders_lower_activation),
    Pattern("7", "three_social: fewest unmet need-days of all, best mean equity ratio",
            three_social_leaves_fewest_unmet),
    Pattern("8", "adequate supply: need targeting narrows the vulnerable's food shortfall against first come",
            need_targeting_narrows_the_food_gap),
)}
