"""The comparison's tables as HTML, and why one scenario did better or worse than the reference, in words: for the
Compare page, the Learn page's reveals and the downloadable report (report.py)."""

from __future__ import annotations

import html

import pandas as pd

from dashboard import meaning
from dashboard.i18n import scenario_name, t
from simulation.households import CATEGORIES, GROUPS


def _cell(text: str, css: str = "") -> str:
    return f'<td class="{css}">{html.escape(text)}</td>' if css else f"<td>{html.escape(text)}</td>"


def _outcome_cell(key: str) -> str:
    better = meaning.OUTCOMES[key].better
    direction = t(f"better_{better}" if better else "better_none")
    return (f'<td class="outcome" title="{html.escape(t(f"def_{key}"))}"><b>{html.escape(t(f"key_{key}"))}</b>'
            f'<div class="definition">{html.escape(t(f"def_{key}"))}</div>'
            f'<div class="direction">{html.escape(direction)}</div></td>')


def means_html(means: pd.DataFrame, labels: list[str]) -> str:
    """Rows: outcomes, each with its definition and better direction; columns: each scenario's mean, with its 95%
    interval below (cut to what the quantity can be)."""
    head = "".join(f"<th>{html.escape(scenario_name(label))}</th>" for label in labels)
    rows = []
    for key, group in means.groupby("key", sort=False):
        by = {r.scenario: r for r in group.itertuples()}
        cells = []
        for label in labels:
            r = by.get(label)
            if r is None:
                cells.append("<td>–</td>")
                continue
            cells.append(f'<td><span class="mean">{html.escape(meaning.value(key, r.mean))}</span>'
                         f'<div class="interval">{html.escape(meaning.interval(key, r.ci_low, r.ci_high, r.sd))}'
                         f"</div></td>")
        rows.append(f"<tr>{_outcome_cell(key)}{''.join(cells)}</tr>")
    return (f'<table class="compare-table means"><thead><tr><th>{html.escape(t("col_key"))}</th>{head}</tr>'
            f"</thead><tbody>{''.join(rows)}</tbody></table>")


def differences_html(diffs: pd.DataFrame, scenario: str, reference: str) -> str:
    """One scenario against the reference: per outcome the change, its 95% interval, the verdict (coloured by
    whether it is an improvement or a harm) and, for counts, the relative change."""
    rows = []
    for r in diffs[diffs["scenario"] == scenario].itertuples():
        words, tone = meaning.verdict(r.key, r.ci_low, r.ci_high, r.mean_diff)
        mark = "▼" if r.ci_high < 0 else "▲" if r.ci_low > 0 else ""
        rows.append(f"<tr>{_outcome_cell(r.key)}"
                    f"{_cell(meaning.change(r.key, r.mean_diff), 'change')}"
                    f"{_cell(meaning.interval(r.key, r.ci_low, r.ci_high, r.sd_diff, difference=True))}"
                    f'<td class="verdict verdict-{tone}">{html.escape((mark + " " if mark else "") + words)}</td>'
                    f"{_cell(meaning.relative(r.key, r.relative_diff))}</tr>")
    head = "".join(f"<th>{html.escape(t(k))}</th>" for k in ("col_key", "col_diff", "col_interval", "col_verdict",
                                                                 "col_relative"))
    caption = t("compare_against", scenario=scenario_name(scenario), reference=scenario_name(reference))
    return (f'<table class="compare-table differences"><caption>{html.escape(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def explanation(result: dict, scenario: str, reference: str) -> str:
    """Why the scenario did better or worse than the reference, in a few sentences from the runs' daily series:
    the change in unmet need-days, the kind of need and the group it changed most for, the needs nobody knew of,
    and the coordinators' overload."""
    daily = result["daily"]
    per_run = daily.groupby(["scenario", "run"]).sum(numeric_only=True).groupby("scenario").mean()
    if scenario not in per_run.index or reference not in per_run.index:
        return ""
    a, b = per_run.loc[reference], per_run.loc[scenario]
    diffs = result["differences"]
    row = diffs[(diffs["scenario"] == scenario) & (diffs["key"] == "unmet_need_days")]
    if row.empty:
        return ""
    row = row.iloc[0]
    words, _ = meaning.verdict("unmet_need_days", row.ci_low, row.ci_high, row.mean_diff)
    names = {"s": scenario_name(scenario), "r": scenario_name(reference)}
    if row.ci_low <= 0 <= row.ci_high:
        return t("why_unclear", **names)
    parts = [t("why_total", **names, verdict=words, a=meaning.value("unmet_need_days", a["unmet_total"]),
               b=meaning.value("unmet_need_days", b["unmet_total"]),
               rel=meaning.relative("unmet_need_days", row.relative_diff))]
    cat = max(CATEGORIES, key=lambda c: abs(b[f"unmet_{c}"] - a[f"unmet_{c}"]))
    parts.append(t("why_category", category=t(f"cat_{cat}"), a=meaning.value("unmet_need_days", a[f"unmet_{cat}"]),
                   b=meaning.value("unmet_need_days", b[f"unmet_{cat}"])))
    shares = {g: (b[f"unmet_{g}"] - a[f"unmet_{g}"]) / a[f"unmet_{g}"] for g in GROUPS if a[f"unmet_{g}"] > 0}
    if shares:
        group = min(shares, key=shares.get) if row.mean_diff < 0 else max(shares, key=shares.get)
        parts.append(t("why_group", group=t(f"grp_{group}"), rel=meaning.relative("unmet_need_days",
                                                                                  shares[group])))
    parts.append(t("why_hidden", a=meaning.value("unmet_need_days", a["hidden_total"]),
                   b=meaning.value("unmet_need_days", b["hidden_total"])))
    overload = {}
    for name, frame in (("a", reference), ("b", scenario)):
        runs = daily[daily["scenario"] == frame]
        over = ((runs["coordinator_load"] > runs["coordinator_capacity"])
                | (runs["volunteer_coordinator_load"] > runs["volunteer_coordinator_capacity"]))
        overload[name] = over.groupby(runs["run"]).sum().mean()
    parts.append(t("why_overload", a=meaning.value("coordinator_overload_days", overload["a"]),
                   b=meaning.value("coordinator_overload_days", overload["b"])))
    return t("list_sep").join(parts) + t("full_stop")
