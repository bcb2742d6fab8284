"""What the dashboard's numbers mean: each outcome's kind, unit and better direction, how its values, intervals and
differences are written, and the verdict a difference supports.

A planner reads "+1007.2%" on a share of a backlog that fell by 90% as a failure, and "1.00 [-1.48, 3.48]" on a
count of days as nonsense; so shares change in percentage points, counts never get negative bounds, a difference
comes with a verdict in words ("clearly fewer", "no clear difference"), and every outcome says whether lower is
better.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from dashboard.i18n import t


@dataclass(frozen=True)
class Outcome:
    """How one summary key is read. `kind`: count (whole numbers), rate (per 1,000 households), share (0-1, shown
    as %), ratio, days (a duration), day (a day of the run), index, level (0-1); `better`: "lower", "higher" or
    None (a description, not a goal)."""

    kind: str
    better: str | None


OUTCOMES: dict[str, Outcome] = {
    "unmet_need_days": Outcome("count", "lower"),
    "unmet_need_days_per_1000": Outcome("rate", "lower"),
    "hidden_need_share": Outcome("share", "lower"),
    "critical_failures": Outcome("count", "lower"),
    "mean_days_to_meet": Outcome("days", "lower"),
    "equity_ratio": Outcome("ratio", "lower"),
    "wait_ratio": Outcome("ratio", "lower"),
    "offline_wait_ratio": Outcome("ratio", "lower"),
    "peak_unmet_day": Outcome("day", None),
    "volunteers_active_peak": Outcome("count", None),
    "coordinator_overload_days": Outcome("count", "lower"),
    "cadre_overload_days": Outcome("count", "lower"),
    "volunteer_coordinator_overload_days": Outcome("count", "lower"),
    "price_index_peak": Outcome("index", "lower"),
    "mean_distress_end": Outcome("level", "lower"),
}
#: Kinds that cannot be negative (a mean's interval is cut at 0), and those that cannot exceed 1.
NONNEGATIVE = {"count", "rate", "share", "days", "day", "index", "level", "ratio"}
AT_MOST_ONE = {"share", "level"}


def _number(value: float, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text[1:].replace(",", "")) == 0 else text


def value(key: str, x) -> str:
    """A value of outcome `key`, written for its kind (no unit: the table's row names it)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if isinstance(x, float) and math.isinf(x):
        return "∞"
    kind = OUTCOMES[key].kind
    if kind == "share":
        return _number(100 * x, 1) + "%"
    if kind in ("count", "rate", "day"):
        return _number(x, 0 if abs(x) >= 100 or float(x).is_integer() else 1)
    return _number(x, 2)


def change(key: str, d) -> str:
    """A difference of outcome `key` with its sign (shares in percentage points)."""
    if d is None or (isinstance(d, float) and math.isnan(d)):
        return "–"
    kind = OUTCOMES[key].kind
    if kind == "share":
        text, unit = _number(100 * d, 1), t("unit_pp")
    elif kind in ("count", "rate", "day"):
        text, unit = _number(d, 0 if abs(d) >= 100 or float(d).is_integer() else 1), ""
    else:
        text, unit = _number(d, 2), ""
    if not text.startswith("-") and float(text.rstrip("%").replace(",", "")) != 0:
        text = "+" + text
    return text.replace("-", "−") + unit


def interval(key: str, low, high, sd=None, *, difference: bool = False) -> str:
    """A 95% interval, cut to what the quantity can be (a count's mean is never below 0); "same in every run"
    when the runs did not vary."""
    if low is None or high is None or (isinstance(low, float) and (math.isnan(low) or math.isnan(high))):
        return "–"
    if sd is not None and sd == 0:
        return t("interval_same")
    kind = OUTCOMES[key].kind
    if not difference:
        if kind in NONNEGATIVE:
            low = max(0.0, low)
        if kind in AT_MOST_ONE:
            high = min(1.0, high)
    write = change if difference else value
    return f"[{write(key, low)}, {write(key, high)}]"


def verdict(key: str, low, high, mean_diff) -> tuple[str, str]:
    """(words, tone) for a paired difference: "clearly fewer", "clearly lower", "clearly earlier", "clearly more"
    ..., "no clear difference" (the 95% interval includes 0), "no difference"; tone is "better", "worse" or
    "neutral" by the outcome's better direction."""
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in (low, high, mean_diff)):
        return t("verdict_none"), "neutral"
    if low == high == 0:
        return t("verdict_same"), "neutral"
    kind = OUTCOMES[key].kind
    words_for = {"count": ("verdict_fewer", "verdict_more"), "day": ("verdict_earlier", "verdict_later")}
    fewer, more = words_for.get(kind, ("verdict_lower", "verdict_higher"))
    if high < 0:
        direction, words = "lower", t(fewer)
    elif low > 0:
        direction, words = "higher", t(more)
    else:
        return t("verdict_unclear"), "neutral"
    better = OUTCOMES[key].better
    if better is None:
        return words, "neutral"
    return words, "better" if direction == better else "worse"


def relative(key: str, r) -> str:
    """The relative change, for counts and rates only (of a share or a ratio it misleads)."""
    if OUTCOMES[key].kind not in ("count", "rate") or r is None or (isinstance(r, float) and not math.isfinite(r)):
        return "–"
    pct = 100 * r
    text = f"{pct:+.0f}%" if abs(pct) >= 10 else f"{pct:+.1f}%"
    return "0%" if text.lstrip("+-") in ("0%", "0.0%") else text.replace("-", "−")
