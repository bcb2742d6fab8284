"""Figures of an experiment, drawn with matplotlib's object API on the Agg canvas (no pyplot, no global backend
change, so importing this in a notebook leaves its backend alone). Each figure is saved as PNG and SVG; SVG keeps
its text as text.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

MARKER_SUFFIXES = ("start_day", "arrival_day")
COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
          "#17becf"]


def phase_changes(scenario: dict) -> list[tuple[int, str]]:
    """(day, "phase: name") for each phase after the first, within the horizon."""
    days = scenario.get("days", math.inf)
    return [(int(p["start"]), f"phase: {p['name']}") for p in scenario.get("phases", [])[1:] if p["start"] < days]


def mechanism_starts(scenario: dict, defaults: dict | None = None) -> list[tuple[int, str]]:
    """(day, "section.field") for every field named like `*start_day` or `*arrival_day` whose mechanism is on.

    A section with an `enabled` switch counts when it is enabled; a section without one when it differs from its
    defaults (a mechanism left at its defaults has not been set up). Generic: it reads whatever the scenario holds.
    """
    if defaults is None:
        import scenarios

        defaults = scenarios.Scenario().model_dump(mode="json")
    days = scenario.get("days", math.inf)
    out: list[tuple[int, str]] = []

    def walk(node: dict, default: dict | None, prefix: str, top: bool) -> None:
        if not top:
            if "enabled" in node and isinstance(node["enabled"], bool):
                if not node["enabled"]:
                    return
            elif default is not None and node == default:
                return
        for key, value in node.items():
            if isinstance(value, dict):
                walk(value, (default or {}).get(key) if isinstance(default, dict) else None, f"{prefix}{key}.",
                     False)
            elif (isinstance(value, int) and not isinstance(value, bool) and key.endswith(MARKER_SUFFIXES)
                  and 0 <= value < days):
                out.append((value, f"{prefix}{key}"))

    walk(scenario, defaults, "", True)
    return sorted(out)


def markers(scenarios: list[dict], labels: list[str]) -> list[dict]:
    """Markers for a figure: phase changes and mechanism starts; one per (day, text), with the scenarios it is
    in (all of them: drawn in grey; some: drawn in their colour)."""
    found: dict[tuple[int, str, str], list[int]] = {}
    for i, scenario in enumerate(scenarios):
        for day, text in phase_changes(scenario):
            found.setdefault((day, text, "phase"), []).append(i)
        for day, text in mechanism_starts(scenario):
            found.setdefault((day, text, "mechanism"), []).append(i)
    out = []
    for (day, text, kind), which in sorted(found.items()):
        out.append({"day": day, "text": text, "kind": kind, "scenarios": [labels[i] for i in which],
                    "all": len(which) == len(scenarios)})
    return out


def save(fig: Figure, stem: Path) -> list[Path]:
    stem.parent.mkdir(parents=True, exist_ok=True)
    FigureCanvasAgg(fig)
    paths = []
    for ext in ("png", "svg"):
        path = stem.with_suffix(f".{ext}")
        tmp = path.with_name(f".{path.name}.tmp")
        with rc_context({"svg.fonttype": "none", "svg.hashsalt": "liandong"}):
            fig.savefig(tmp, format=ext, dpi=130, metadata=_metadata(ext))
        tmp.replace(path)
        paths.append(path)
    return paths


def _metadata(ext: str) -> dict:
    return {"Date": None} if ext == "svg" else {"Software": "liandong"}


def backlog_figure(daily: pd.DataFrame, labels: list[str], marks: list[dict], title: str = "") -> Figure:
    """Daily unmet backlog (`unmet_total`) per scenario: median over replications with a 10-90% band; phase
    changes (dashed) and mechanism starts (dotted) marked, grey when common to every scenario."""
    fig = Figure(figsize=(9, 5), layout="constrained")
    ax = fig.add_subplot()
    color = {label: COLORS[i % len(COLORS)] for i, label in enumerate(labels)}
    for label in labels:
        rows = daily[daily["scenario"] == label]
        if rows.empty:
            continue
        table = rows.pivot_table(index="day", columns="run", values="unmet_total", aggfunc="first")
        q = table.quantile([0.1, 0.5, 0.9], axis=1).T
        n = table.shape[1]
        ax.fill_between(q.index, q[0.1], q[0.9], color=color[label], alpha=0.2, linewidth=0)
        ax.plot(q.index, q[0.5], color=color[label], linewidth=2, label=f"{label} (median, 10-90%, n={n})")
    top = ax.get_ylim()[1]
    for i, m in enumerate(marks):
        c = "0.45" if m["all"] else color.get(m["scenarios"][0], "0.45")
        style = "--" if m["kind"] == "phase" else ":"
        ax.axvline(m["day"], color=c, linestyle=style, linewidth=1, gid=f"marker-{i}")
        who = "" if m["all"] else f" ({', '.join(m['scenarios'])})"
        ax.text(m["day"] + 0.3, top * (0.98 - 0.055 * (i % 6)), m["text"] + who, fontsize=7, color=c,
                va="top", ha="left")
    ax.set_xlabel("day (0 = 23 Jan 2020)")
    ax.set_ylabel("unmet needs outstanding (unmet_total)")
    ax.set_title(title or "Daily unmet backlog")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=min(3, max(1, len(labels))), fontsize=8,
              frameon=False)
    return fig


def differences_figure(diffs: pd.DataFrame, title: str = "") -> Figure:
    """One panel per summary key: each scenario's paired difference from the reference with its 95% interval."""
    keys = list(dict.fromkeys(diffs["key"]))
    scenarios = list(dict.fromkeys(diffs["scenario"]))
    ncols = 3
    nrows = max(1, math.ceil(len(keys) / ncols))
    fig = Figure(figsize=(12, 1.0 + (0.9 + 0.35 * len(scenarios)) * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, key in zip(axes, keys):
        rows = diffs[diffs["key"] == key].set_index("scenario").reindex(scenarios)
        y = np.arange(len(scenarios))
        mean = rows["mean_diff"].to_numpy(dtype=float)
        err = np.vstack([mean - rows["ci_low"].to_numpy(dtype=float), rows["ci_high"].to_numpy(dtype=float) - mean])
        err = np.where(np.isfinite(err), err, 0.0)
        ax.errorbar(mean, y, xerr=err, fmt="o", color="#1f77b4", ecolor="#1f77b4", capsize=3)
        ax.axvline(0, color="0.4", linewidth=0.8)
        ax.set_yticks(y, scenarios, fontsize=8)
        ax.set_ylim(-0.6, len(scenarios) - 0.4)
        ax.set_title(key, fontsize=9)
        ax.tick_params(axis="x", labelsize=7)
    for ax in axes[len(keys):]:
        ax.set_visible(False)
    ref = diffs["reference"].iloc[0] if len(diffs) else ""
    fig.suptitle(title or f"Paired differences from {ref} (mean, 95% interval, common seeds)")
    return fig


def sensitivity_figure(table: pd.DataFrame, method: str, title: str = "") -> Figure:
    """Sobol: first-order and total indices with intervals, per outcome. Morris: mu* with interval, per outcome."""
    keys = list(dict.fromkeys(table["key"]))
    factors = list(dict.fromkeys(table["factor"]))
    ncols = 3
    nrows = max(1, math.ceil(len(keys) / ncols))
    fig = Figure(figsize=(12, 1.5 + (0.35 * len(factors) + 1.2) * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    y = np.arange(len(factors))
    for ax, key in zip(axes, keys):
        rows = table[table["key"] == key].set_index("factor").reindex(factors)
        if method == "sobol":
            ax.barh(y - 0.2, rows["S1"], height=0.4, xerr=rows["S1_conf"].fillna(0), color="#1f77b4",
                    label="first order S1", capsize=2)
            ax.barh(y + 0.2, rows["ST"], height=0.4, xerr=rows["ST_conf"].fillna(0), color="#ff7f0e",
                    label="total ST", capsize=2)
        else:
            ax.barh(y, rows["mu_star"], height=0.6, xerr=rows["mu_star_conf"].fillna(0), color="#2ca02c",
                    label="mu* (mean |elementary effect|)", capsize=2)
        ax.set_yticks(y, factors, fontsize=8)
        ax.invert_yaxis()
        ax.set_title(key, fontsize=9)
        ax.tick_params(axis="x", labelsize=7)
    for ax in axes[len(keys):]:
        ax.set_visible(False)
    if keys:
        axes[0].legend(fontsize=7, frameon=False)
    fig.suptitle(title or ("Sobol indices (95% intervals)" if method == "sobol" else "Morris screening"))
    return fig


def sweep_figure(points: pd.DataFrame, factors: list[str], key: str = "unmet_need_days_per_1000",
                 title: str = "") -> Figure:
    """One panel per factor: each design point's mean of `key` (with its interval) against the factor's value."""
    rows = points[points["key"] == key]
    ncols = min(3, max(1, len(factors)))
    nrows = max(1, math.ceil(max(1, len(factors)) / ncols))
    fig = Figure(figsize=(4.2 * ncols, 3.4 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, factor in zip(axes, factors or [None]):
        if factor is None:
            ax.errorbar([0], rows["mean"], yerr=[rows["mean"] - rows["ci_low"], rows["ci_high"] - rows["mean"]],
                        fmt="o")
            ax.set_xticks([])
        else:
            x = pd.to_numeric(rows[factor], errors="coerce")
            err = np.vstack([rows["mean"] - rows["ci_low"], rows["ci_high"] - rows["mean"]]).astype(float)
            err = np.where(np.isfinite(err), err, 0.0)
            ax.errorbar(x, rows["mean"], yerr=err, fmt="o", markersize=4, alpha=0.8, capsize=2)
            ax.set_xlabel(factor)
        ax.set_ylabel(key, fontsize=8)
    for ax in axes[max(1, len(factors)):]:
        ax.set_visible(False)
    fig.suptitle(title or f"{key} by factor (design point means, 95% intervals)")
    return fig
