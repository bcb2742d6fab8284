"""Figures of an experiment, drawn with matplotlib's object API on the Agg canvas (no pyplot, no global backend
change, so importing this in a notebook leaves its backend alone). Each figure is saved at 300 dpi as PNG and as
SVG (which keeps its text as text), 7 inches wide (a two-column page's text width).

Rules every figure follows, so that it can go into a paper as it is:

- Legends sit below the axes (`loc="outside lower center"` with the constrained layout), in as many columns as fit
  the width, labels and titles wrapped: nothing is clipped whatever the number of scenarios, factors or keys.
- Every axis names its quantity and its unit (`UNITS`, one table for every summary key).
- Replications are drawn as points (or, for daily series, thin lines) when there are at most `FEW` of them.
- Intervals of a mean over replications are 95% bootstrap percentile intervals (`bootstrap_interval`): they lie
  within the range of the values, so never below zero for a quantity that cannot be negative. Paired differences
  (which can be negative) keep the paired t-interval of `differences.csv`; sensitivity indices keep SALib's
  bootstrap intervals, with a warning on the figure when the sample is small or an index lies outside [0, 1]
  beyond its interval.
"""

from __future__ import annotations

import itertools
import math
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import rc_context, ticker
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from scipy import stats as sps

import scenarios

DPI = 300
WIDTH = 7.0          # inches
FONT = 7             # points, for everything but titles
FEW = 20             # at most this many replications: each is drawn
DEFAULT_SWEEP_KEY = "unmet_need_days_per_1000"
MARKER_SUFFIXES = ("start_day", "arrival_day")
COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
          "#17becf"]
SHAPES = ["o", "s", "^", "D", "v", "P", "X", "*", "<", ">"]

# The unit of each summary key (and of the daily columns the figures draw). Every one of them is non-negative.
UNITS: dict[str, str] = {
    "unmet_need_days": "need-days",
    "unmet_need_days_per_1000": "need-days per 1,000 households",
    "hidden_need_share": "share of need-days, 0-1",
    "critical_failures": "failures",
    "mean_days_to_meet": "days",
    "equity_ratio": "ratio, vulnerable / others",
    "wait_ratio": "ratio, vulnerable / others",
    "offline_wait_ratio": "ratio, offline / online",
    "peak_unmet_day": "day, 0 = 23 Jan 2020",
    "volunteers_active_peak": "volunteers",
    "coordinator_overload_days": "days",
    "cadre_overload_days": "days",
    "volunteer_coordinator_overload_days": "days",
    "price_index_peak": "price index, 1 = before the lockdown",
    "mean_distress_end": "distress score, 0-1",
    "unmet_total": "needs outstanding",
}


def unit(key: str) -> str:
    """The unit of a summary key: from `UNITS`, else from its name's ending, else "value"."""
    if key in UNITS:
        return UNITS[key]
    for suffix, name in (("_days", "days"), ("_day", "day"), ("_share", "share, 0-1"), ("_ratio", "ratio"),
                         ("_peak", "count"), ("_households", "households")):
        if key.endswith(suffix):
            return name
    return "value"


def label(key: str) -> str:
    """An axis label: the key and its unit."""
    return f"{key} ({unit(key)})"


def wrap(text: str, width_in: float, size: float = FONT) -> str:
    """`text` wrapped to lines that fit `width_in` inches at `size` points (a character is about 0.55 em)."""
    chars = max(12, int(width_in * 72 / (0.58 * size)))
    return "\n".join(textwrap.fill(line, chars) for line in str(text).split("\n"))


def wrap_name(name: str, width_in: float, size: float = FONT) -> str:
    """A dotted name (a factor, a key) wrapped after its dots to fit `width_in` inches; a part still too long is
    cut where it must."""
    chars = max(8, int(width_in * 72 / (0.58 * size)))
    parts = [p + "." for p in str(name).split(".")]
    parts[-1] = parts[-1][:-1]
    lines = [""]
    for part in parts:
        if lines[-1] and len(lines[-1]) + len(part) > chars:
            lines.append("")
        lines[-1] += part
    return "\n".join(piece for line in lines for piece in textwrap.wrap(line, chars) or [""])


def bootstrap_interval(values, level: float = 0.95, resamples: int = 2000) -> tuple[float, float, float]:
    """(mean, low, high): the mean of the finite values and its bootstrap percentile interval (scipy), seeded so a
    figure is the same every time it is drawn. Fewer than two values: no interval (NaN)."""
    x = pd.to_numeric(pd.Series(values), errors="coerce").astype("float64").to_numpy()
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return math.nan, math.nan, math.nan
    mean = float(x.mean())
    if len(x) < 2 or np.ptp(x) == 0:
        return (mean, math.nan, math.nan) if len(x) < 2 else (mean, mean, mean)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sps.bootstrap((x,), np.mean, confidence_level=level, n_resamples=resamples, method="percentile",
                            vectorized=True, rng=np.random.default_rng(20200123))
    return mean, float(res.confidence_interval.low), float(res.confidence_interval.high)


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


# ---------------------------------------------------------------------------------------------------------------
# Layout


def _figure(height: float) -> Figure:
    fig = Figure(figsize=(WIDTH, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _title(fig: Figure, text: str, size: float = 9) -> None:
    fig.suptitle(wrap(text, WIDTH - 0.3, size), fontsize=size)


def _legend(fig: Figure, handles: list, labels: list[str], columns: int = 3, groups: int = 0,
            note: str = "") -> None:
    """A legend below the axes, in at most `columns` columns, each label wrapped to its column's width; fewer
    columns if it would still be wider than the figure. With two columns, the first `groups` entries fill the first
    column and the rest the second. `note` (a warning) is written above the entries, in red."""
    if not handles:
        return
    for ncols in range(min(columns, len(handles)), 0, -1):
        width = (WIDTH - 0.2) / ncols - 0.45
        hs, ts = list(handles), [wrap(t, width) for t in labels]
        if ncols == 2 and 0 < groups < len(handles):
            rows = max(groups, len(handles) - groups)
            blank = Line2D([], [], linestyle="", marker="")
            hs = hs[:groups] + [blank] * (rows - groups) + hs[groups:] + [blank] * (rows - len(handles) + groups)
            ts = ts[:groups] + [""] * (rows - groups) + ts[groups:] + [""] * (rows - len(handles) + groups)
        legend = fig.legend(hs, ts, loc="outside lower center", ncols=ncols, fontsize=FONT, frameon=False,
                            title=wrap(note, WIDTH - 0.4) if note else None, title_fontsize=FONT)
        if note:
            legend.get_title().set_color("#b00000")
        if legend.get_window_extent(fig.canvas.get_renderer()).width <= fig.bbox.width * 0.98 or ncols == 1:
            return
        legend.remove()


def _grow(fig: Figure, panels_height: float) -> None:
    """Make the figure tall enough that its panels keep `panels_height` inches beside the titles, legends and
    labels the constrained layout places around them: first room for the legends and title as measured, then a
    few corrections from where the layout put the panels."""
    renderer = fig.canvas.get_renderer()
    texts = [*fig.legends, *fig.texts]   # the legends below, the title above
    around = sum(t.get_window_extent(renderer).height for t in texts) / fig.dpi
    fig.set_figheight(max(fig.get_figheight(), panels_height + around + 1.0))
    for _ in range(3):
        fig.draw_without_rendering()
        axes = [ax for ax in fig.axes if ax.get_visible()]
        if not axes:
            return
        height = fig.get_figheight()
        used = (max(ax.get_position().y1 for ax in axes) - min(ax.get_position().y0 for ax in axes)) * height
        if used >= panels_height - 0.02:
            break
        fig.set_figheight(height + panels_height - used)
    fig.set_figheight(math.ceil(fig.get_figheight() * 100) / 100)   # whole pixels at 300 dpi


def _compact(x: float, _pos=None) -> str:
    if x == 0:
        return "0"
    ax = abs(x)
    if ax >= 1e6:
        return f"{x / 1e6:g}M"
    if ax >= 1e4:
        return f"{x / 1e3:g}k"
    return f"{x:.4g}"


def _ticks(ax, axis: str = "x", bins: int = 4) -> None:
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(ticker.MaxNLocator(nbins=bins))
    target.set_major_formatter(ticker.FuncFormatter(_compact))
    ax.tick_params(axis=axis, labelsize=FONT - 0.5)


def save(fig: Figure, stem: Path) -> list[Path]:
    """`stem`.png and `stem`.svg at 300 dpi, each written to a temporary file and renamed into place."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    if fig.canvas is None or not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    paths = []
    for ext in ("png", "svg"):
        path = stem.with_suffix(f".{ext}")
        tmp = path.with_name(f".{path.name}.tmp")
        with rc_context({"svg.fonttype": "none", "svg.hashsalt": "liandong"}):
            fig.savefig(tmp, format=ext, dpi=DPI, metadata=_metadata(ext))
        tmp.replace(path)
        paths.append(path)
    return paths


def _metadata(ext: str) -> dict:
    return {"Date": None} if ext == "svg" else {"Software": "liandong"}


# ---------------------------------------------------------------------------------------------------------------
# Comparisons


def backlog_figure(daily: pd.DataFrame, labels: list[str], marks: list[dict], title: str = "") -> Figure:
    """Daily unmet backlog (`unmet_total`) per scenario: the median over replications, with each replication as a
    thin line when there are at most `FEW`, else a 10-90% band. Phase changes (dashed) and mechanism starts
    (dotted) are numbered above the axes (numbers staggered so that they never overlap) and listed in the
    legend, grey when common to every scenario, in the scenario's colour otherwise."""
    fig = _figure(4.0)
    ax = fig.add_subplot()
    color = {lab: COLORS[i % len(COLORS)] for i, lab in enumerate(labels)}
    handles, texts, kinds = [], [], set()
    for lab in labels:
        rows = daily[daily["scenario"] == lab]
        if rows.empty:
            continue
        table = rows.pivot_table(index="day", columns="run", values="unmet_total", aggfunc="first")
        q = table.quantile([0.1, 0.5, 0.9], axis=1).T
        n = table.shape[1]
        if n <= FEW:
            for run in table.columns:
                ax.plot(table.index, table[run], color=color[lab], linewidth=0.5, alpha=0.35, gid="run")
            kinds.add("runs")
        else:
            ax.fill_between(q.index, q[0.1], q[0.9], color=color[lab], alpha=0.2, linewidth=0)
            kinds.add("band")
        dash = ["-", "--", "-.", (0, (1, 1))][(labels.index(lab) // len(COLORS)) % 4]   # past 10: colours repeat
        (line,) = ax.plot(q.index, q[0.5], color=color[lab], linewidth=1.6, linestyle=dash, gid="median")
        handles.append(line)
        texts.append(f"{lab} (n={n})")
    what = {"runs": "thin lines: each run", "band": "band: 10-90% of the runs"}
    handles.append(Line2D([], [], color="0.3", linewidth=1.6))
    texts.append("thick line: the median over the runs; " + "; ".join(what[k] for k in sorted(kinds, reverse=True)))
    groups = len(handles)
    ax.set_ylim(bottom=0)
    x0, x1 = ax.get_xlim()
    axes_in = WIDTH - 0.9
    tiers: list[float] = []   # the right edge (in days) of the last number in each tier
    for i, m in enumerate(marks):
        c = "0.45" if m["all"] else color.get(m["scenarios"][0], "0.45")
        style = "--" if m["kind"] == "phase" else ":"
        ax.axvline(m["day"], color=c, linestyle=style, linewidth=0.9, gid=f"marker-{i}")
        number = str(i + 1)
        half = (len(number) * 0.62 * FONT / 72 + 0.05) / 2 / axes_in * (x1 - x0)   # half its width, in days
        tier = next((t for t, right in enumerate(tiers) if right < m["day"] - half), len(tiers))
        if tier == len(tiers):
            tiers.append(0.0)
        tiers[tier] = m["day"] + half
        ax.annotate(number, xy=(m["day"], 1), xycoords=("data", "axes fraction"), xytext=(0, 2 + 8 * tier),
                    textcoords="offset points", ha="center", va="bottom", fontsize=FONT, color=c,
                    gid=f"marker-number-{i}")
        who = "" if m["all"] else f" ({', '.join(m['scenarios'])})"
        handles.append(Line2D([], [], color=c, linestyle=style, linewidth=0.9))
        texts.append(f"{number}: day {m['day']}, {m['text']}{who}")
    ax.set_xlim(x0, x1)
    ax.set_xlabel("day (0 = 23 Jan 2020)", fontsize=FONT)
    ax.set_ylabel(label("unmet_total"), fontsize=FONT)
    _ticks(ax, "x", 8)
    _ticks(ax, "y", 6)
    _title(fig, title or "Daily unmet backlog")
    _legend(fig, handles, texts, columns=2, groups=groups)
    _grow(fig, 2.6)
    return fig


def paired_seed_differences(runs: pd.DataFrame, key: str, scenario: str, reference: str) -> np.ndarray:
    """The per-seed differences (scenario - reference) of `key` over the seeds both ran, finite ones only."""
    ok = runs[runs["status"] == "ok"] if "status" in runs.columns else runs
    a = ok[ok["scenario"] == scenario].set_index("seed")[key]
    b = ok[ok["scenario"] == reference].set_index("seed")[key]
    common = a.index.intersection(b.index)
    d = (pd.to_numeric(a.loc[common], errors="coerce") - pd.to_numeric(b.loc[common], errors="coerce"))
    d = d.astype("float64").to_numpy()
    return d[np.isfinite(d)]


def differences_figure(diffs: pd.DataFrame, runs: pd.DataFrame | None = None, keys: list[str] | None = None,
                       title: str = "") -> Figure:
    """One panel per summary key: each scenario's paired difference from the reference, in the key's unit, with
    its 95% paired t-interval, and each common seed's difference as a point when there are at most `FEW`."""
    keys = keys or list(dict.fromkeys(diffs["key"]))
    scenarios = list(dict.fromkeys(diffs["scenario"]))
    ref = str(diffs["reference"].iloc[0]) if len(diffs) else ""
    ncols = min(3, max(1, len(keys)))
    nrows = max(1, math.ceil(len(keys) / ncols))
    per_row = 0.45 + 0.2 * len(scenarios)
    fig = _figure(1.5 + (per_row + 0.7) * nrows)
    axes = fig.subplots(nrows, ncols, squeeze=False, sharey=True).ravel()
    y = np.arange(len(scenarios))
    rng = np.random.default_rng(0)
    drew_points = False
    for ax, key in zip(axes, keys):
        rows = diffs[diffs["key"] == key].set_index("scenario").reindex(scenarios)
        if runs is not None:
            for j, scenario in enumerate(scenarios):
                d = paired_seed_differences(runs, key, scenario, ref)
                if 0 < len(d) <= FEW:
                    ax.plot(d, j + rng.uniform(-0.18, 0.18, len(d)), "o", color="0.55", markersize=2, alpha=0.7,
                            markeredgewidth=0, gid="seeds")
                    drew_points = True
        mean = rows["mean_diff"].to_numpy(dtype=float)
        err = np.vstack([mean - rows["ci_low"].to_numpy(dtype=float), rows["ci_high"].to_numpy(dtype=float) - mean])
        err = np.where(np.isfinite(err), err, 0.0)
        ax.errorbar(mean, y, xerr=err, fmt="o", color="#1f77b4", ecolor="#1f77b4", capsize=2, markersize=3,
                    elinewidth=1)
        ax.axvline(0, color="0.4", linewidth=0.6)
        ax.set_ylim(len(scenarios) - 0.5, -0.5)
        ax.set_title(wrap(key, WIDTH / ncols - 0.3, 8), fontsize=8)
        ax.set_xlabel(wrap(f"{key} − {ref} ({unit(key)})", WIDTH / ncols - 0.5), fontsize=FONT - 0.5)
        _ticks(ax, "x", 4)
    for ax in axes[: len(keys)]:
        ax.set_yticks(y, [wrap_name(s, 1.4) for s in scenarios])
        ax.tick_params(axis="y", labelsize=FONT)
    for ax in axes[len(keys):]:
        ax.set_visible(False)
    handles = [Line2D([], [], marker="o", color="#1f77b4", markersize=3, linewidth=1)]
    texts = ["mean paired difference with its 95% paired t-interval (common seeds)"]
    if drew_points:
        handles.append(Line2D([], [], marker="o", color="0.55", markersize=2, linewidth=0))
        texts.append("each common seed's difference")
    _title(fig, title or f"Paired differences from {ref}")
    _legend(fig, handles, texts, columns=2)
    _grow(fig, per_row * nrows + 0.25 * (nrows - 1))
    return fig


# ---------------------------------------------------------------------------------------------------------------
# Sweeps


def _numeric(values: pd.Series) -> pd.Series | None:
    """The values as numbers, or None if some are not numbers (text or boolean factors)."""
    if values.map(lambda v: isinstance(v, (bool, np.bool_))).any():
        return None
    x = pd.to_numeric(values, errors="coerce")
    return None if x.isna().any() else x.astype("float64")


def _positions(values: pd.Series) -> tuple[pd.Series, list | None]:
    """x positions of a factor's values and, for a factor that is not numeric, its categories (the tick labels)."""
    x = _numeric(values)
    if x is not None:
        return x, None
    cats = list(dict.fromkeys(values.astype(str)))
    return values.astype(str).map({c: i for i, c in enumerate(cats)}).astype("float64"), cats


def _levels(values: pd.Series, most: int = 8) -> list | None:
    """A factor's distinct values, to colour by, when there are at most `most` of them and (for a number) they
    repeat, as a grid's levels do; else None (a sampled design's values get a colour scale)."""
    distinct = list(dict.fromkeys(values.sort_values(kind="stable").tolist()))
    if len(distinct) > most or (_numeric(values) is not None and len(distinct) == len(values) > 1):
        return None
    return distinct


def point_table(runs: pd.DataFrame, factors: list[str], key: str) -> pd.DataFrame:
    """One row per design point: its factors' values, n, the mean of `key` over replications and its 95%
    bootstrap percentile interval."""
    ok = runs[runs["status"] == "ok"] if "status" in runs.columns else runs
    rows = []
    for point, group in ok.groupby("point", sort=True):
        mean, low, high = bootstrap_interval(group[key])
        n = int(np.isfinite(pd.to_numeric(group[key], errors="coerce").astype("float64")).sum())
        rows.append({"point": int(point), **{f: group.iloc[0][f] for f in factors}, "n": n, "mean": mean,
                     "low": low, "high": high})
    return pd.DataFrame(rows, columns=["point", *factors, "n", "mean", "low", "high"])


def sweep_figure(runs: pd.DataFrame, factors: list[str], key: str = DEFAULT_SWEEP_KEY, title: str = "") -> Figure:
    """One panel per factor: each design point's mean of `key` with its 95% bootstrap percentile interval against
    the factor's value, coloured by a second factor (the next one in the plan) and shaped by a third one with few
    levels, and each replication as a point when there are at most `FEW`. Levels of the second and third factors
    are set slightly apart on the x axis (so points of one x are never piled up) and get a legend; a second
    factor with many values a colour scale instead."""
    ok = runs[runs["status"] == "ok"] if "status" in runs.columns else runs
    table = point_table(ok, factors, key)
    shown = factors or [None]
    ncols = min(2, len(shown))
    nrows = math.ceil(len(shown) / ncols)
    fig = _figure(1.2 + 2.9 * nrows)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    most = int(ok.groupby("point").size().max()) if len(ok) else 0
    few = 1 < most <= FEW
    for i, (ax, factor) in enumerate(zip(axes, shown)):
        other = next((f for f in factors[i + 1:] + factors[:i] if f != factor), None) if factor else None
        x, cats = _positions(table[factor]) if factor else (pd.Series(np.zeros(len(table))), None)
        third = next((f for f in factors[i + 2:] + factors[:i] if f not in (factor, other)), None) if other else None
        colors = pd.Series(["#1f77b4"] * len(table), index=table.index)
        shapes = pd.Series(["o"] * len(table), index=table.index)
        scale = None
        levels = _levels(table[other]) if other is not None else None
        forms = _levels(table[third], most=len(SHAPES)) if third is not None else None
        keyed, names, slots = [], [], pd.Series(np.zeros(len(table)), index=table.index)
        if levels is not None:
            palette = {v: COLORS[j % len(COLORS)] for j, v in enumerate(levels)}
            colors = table[other].map(palette)
            slots = table[other].map({v: j for j, v in enumerate(levels)}).astype(float)
            keyed += [Line2D([], [], marker="o", color=palette[v], linestyle="", markersize=4) for v in levels]
            names += [f"{_value(v)}" for v in levels]
        elif other is not None:
            scale = _positions(table[other])[0]
        if forms is not None:
            form = {v: SHAPES[j] for j, v in enumerate(forms)}
            shapes = table[third].map(form)
            slots = slots * len(forms) + table[third].map({v: j for j, v in enumerate(forms)}).astype(float)
            keyed += [Line2D([], [], marker=form[v], color="0.35", linestyle="", markersize=4) for v in forms]
            names += [f"{_value(v)}" for v in forms]
        n_slots = (len(levels) if levels else 1) * (len(forms) if forms else 1)
        distinct = np.unique(x.to_numpy())
        step = np.min(np.diff(distinct)) if len(distinct) > 1 else 1.0
        offset = (slots - (n_slots - 1) / 2) * (0.6 * step / n_slots) if n_slots > 1 else slots * 0.0
        if keyed:
            heading = (f"colour: {other}" if levels else "") + ("; " if levels and forms else "") + (
                f"shape: {third}" if forms else "")
            ax.legend(keyed, [wrap(t, 0.9) for t in names], title=wrap(heading, WIDTH / ncols - 0.5),
                      loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=min(4, len(keyed)),
                      fontsize=FONT - 0.5, title_fontsize=FONT - 0.5, frameon=False, handletextpad=0.2,
                      columnspacing=0.8)
        for j, row in table.iterrows():
            xj = x[j] + offset[j]
            c = colors[j]
            if scale is not None:
                c = _colormap(scale, scale[j])
            if few:
                reps = pd.to_numeric(ok.loc[ok["point"] == row["point"], key], errors="coerce").astype("float64")
                ax.plot(np.full(len(reps), xj), reps, shapes[j], color=c, markersize=2.5, alpha=0.55,
                        markeredgewidth=0, gid="replications")
            if np.isfinite(row["low"]):
                ax.errorbar([xj], [row["mean"]], yerr=[[row["mean"] - row["low"]], [row["high"] - row["mean"]]],
                            fmt=shapes[j], color=c, markersize=3.5, capsize=2, elinewidth=0.9, gid="point")
            else:
                ax.plot([xj], [row["mean"]], shapes[j], color=c, markersize=3.5, gid="point")
        if scale is not None:
            mappable = _scalar_mappable(scale)
            bar = fig.colorbar(mappable, ax=ax, pad=0.02, fraction=0.06)
            bar.set_label(wrap_name(other, 2.4), fontsize=FONT - 0.5)
            bar.ax.tick_params(labelsize=FONT - 1)
        if factor is None:
            ax.set_xticks([])
        else:
            ax.set_xlabel(wrap_name(factor, WIDTH / ncols - 0.6), fontsize=FONT)
            if cats is not None:
                ax.set_xticks(range(len(cats)), [wrap(c, 0.8) for c in cats])
                ax.tick_params(axis="x", labelsize=FONT - 0.5)
            elif _grid_like(x):
                ax.set_xticks(sorted(x.unique()), [_value(v) for v in sorted(x.unique())])
                ax.tick_params(axis="x", labelsize=FONT - 0.5)
            else:
                _ticks(ax, "x", 5)
        ax.set_ylabel(wrap(label(key), 2.6), fontsize=FONT)
        _ticks(ax, "y", 5)
        if other is not None:
            by = f"coloured by {other}" + (f", shaped by {third}" if forms else "")
            ax.set_title(wrap(by, WIDTH / ncols - 0.4), fontsize=FONT)
        ax.set_ylim(bottom=min(0.0, ax.get_ylim()[0]))
    for ax in axes[len(shown):]:
        ax.set_visible(False)
    _title(fig, title or f"{key} by factor")
    handles = [Line2D([], [], marker="o", color="0.3", markersize=3.5, linewidth=0.9)]
    texts = ["design point: mean over its replications, 95% bootstrap percentile interval" if most > 1
             else "design point (one replication each)"]
    if few:
        handles.append(Line2D([], [], marker="o", color="0.3", markersize=2.5, alpha=0.55, linewidth=0))
        texts.append("each replication")
    _legend(fig, handles, texts, columns=2)
    _grow(fig, 2.3 * nrows)
    return fig


def _grid_like(x: pd.Series) -> bool:
    """Whether a factor takes a few values, repeated, spaced widely enough for a tick at each (a grid's levels)."""
    distinct = np.sort(x.unique())
    if not 1 < len(distinct) <= 8 or len(distinct) == len(x):
        return False
    return bool(np.diff(distinct).min() >= (distinct[-1] - distinct[0]) / 12)


def _value(v) -> str:
    return _compact(float(v)) if isinstance(v, (int, float, np.number)) and not isinstance(v, bool) else str(v)


def _scalar_mappable(values: pd.Series):
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    return ScalarMappable(norm=Normalize(float(values.min()), float(values.max())), cmap="viridis")


def _colormap(values: pd.Series, value: float):
    return _scalar_mappable(values).to_rgba(value)


def _bins(values: pd.Series, most: int = 10) -> tuple[pd.Series, list[str]]:
    """A factor's values as cell indices and labels: its levels when it takes at most `most` values, repeated (a
    grid), or is not a number; else equal-width bins, about the square root of its number of values (2 to 6),
    labelled by their ranges."""
    x = _numeric(values)
    distinct = values.nunique()
    if x is None or (distinct <= most and distinct < len(values)):
        cats = sorted(dict.fromkeys(values.tolist()), key=lambda v: (str(type(v)), v))
        return values.map({c: i for i, c in enumerate(cats)}), [_value(c) for c in cats]
    bins = max(2, min(6, round(math.sqrt(distinct))))
    cut, edges = pd.cut(x, bins=bins, retbins=True, labels=False, include_lowest=True)
    return cut, [f"{_compact(float(f'{a:.3g}'))} to {_compact(float(f'{b:.3g}'))}"
                 for a, b in itertools.pairwise(edges)]


def heatmap_figure(runs: pd.DataFrame, fx: str, fy: str, key: str = DEFAULT_SWEEP_KEY, title: str = "") -> Figure:
    """The mean of `key` over every run in each cell of two factors (their distinct values, or six equal-width
    bins of a factor with many values), over the replications and the levels of any other factor; cells without
    runs are blank, the number of runs is written in each cell beside the mean when the grid is small."""
    ok = runs[runs["status"] == "ok"] if "status" in runs.columns else runs
    ix, xlabels = _bins(ok[fx])
    iy, ylabels = _bins(ok[fy])
    values = pd.to_numeric(ok[key], errors="coerce").astype("float64")
    frame = pd.DataFrame({"x": ix.to_numpy(), "y": iy.to_numpy(), "v": values.to_numpy()})
    frame = frame[np.isfinite(frame["v"])]
    grid = frame.pivot_table(index="y", columns="x", values="v", aggfunc="mean").reindex(
        index=range(len(ylabels)), columns=range(len(xlabels)))
    counts = frame.pivot_table(index="y", columns="x", values="v", aggfunc="count").reindex(
        index=range(len(ylabels)), columns=range(len(xlabels)))
    fig = _figure(4.6)
    ax = fig.add_subplot()
    from matplotlib import colormaps

    cmap = colormaps["viridis"].with_extremes(bad="0.92")
    image = ax.imshow(np.ma.masked_invalid(grid.to_numpy(dtype=float)), cmap=cmap, origin="lower", aspect="auto")
    if len(xlabels) * len(ylabels) <= 100:
        norm = image.norm
        for (r, c), v in np.ndenumerate(grid.to_numpy(dtype=float)):
            if not np.isfinite(v):
                continue
            shade = cmap(norm(v))
            dark = 0.299 * shade[0] + 0.587 * shade[1] + 0.114 * shade[2] < 0.5
            ax.text(c, r, f"{_short(v)}\nn={int(counts.iat[r, c])}", ha="center", va="center",
                    fontsize=FONT - 1.5, color="white" if dark else "black")
    ax.set_xticks(range(len(xlabels)), xlabels, rotation=30 if len(xlabels) > 5 else 0,
                  ha="right" if len(xlabels) > 5 else "center")
    ax.set_yticks(range(len(ylabels)), ylabels)
    ax.tick_params(labelsize=FONT - 0.5)
    ax.set_xlabel(wrap_name(fx, WIDTH - 1.5), fontsize=FONT)
    ax.set_ylabel(wrap_name(fy, 3.0), fontsize=FONT)
    bar = fig.colorbar(image, ax=ax, pad=0.02, fraction=0.05)
    bar.set_label(wrap(f"mean {label(key)}", 3.5), fontsize=FONT)
    bar.ax.tick_params(labelsize=FONT - 1)
    _title(fig, title or f"{key}: mean over runs by {fx} and {fy}")
    return fig


def _short(v: float) -> str:
    ax = abs(v)
    if ax >= 1e4:
        return _compact(round(v, -2))
    if ax >= 100:
        return f"{v:.0f}"
    if ax >= 1:
        return f"{v:.3g}"
    return f"{v:.2g}"


# ---------------------------------------------------------------------------------------------------------------
# Sensitivity


def sensitivity_figure(table: pd.DataFrame, method: str, keys: list[str] | None = None, title: str = "",
                       notes: list[str] | tuple = ()) -> Figure:
    """One panel per summary key. Sobol: first-order S1 and total ST indices with SALib's 95% bootstrap
    intervals, [0, 1] marked. Morris: mu* (mean absolute elementary effect, in the key's unit per factor range)
    with its 95% interval cut at 0, a mu* of 0 drawn as a marker like any other. Each of `notes` (the
    warnings of `experiments.analysis.index_warnings`) is written under the panels."""
    keys = keys or list(dict.fromkeys(table["key"]))
    factors = list(dict.fromkeys(table["factor"]))
    ncols = min(3, max(1, len(keys)))
    nrows = max(1, math.ceil(len(keys) / ncols))
    per_row = 0.5 + 0.22 * len(factors) * (2 if method == "sobol" else 1)
    fig = _figure(1.5 + (per_row + 0.6) * nrows)
    axes = fig.subplots(nrows, ncols, squeeze=False, sharey=True).ravel()
    y = np.arange(len(factors))
    for ax, key in zip(axes, keys):
        rows = table[table["key"] == key].set_index("factor").reindex(factors)
        if method == "sobol":
            for name, dy, shape, color in (("S1", -0.17, "o", "#1f77b4"), ("ST", 0.17, "s", "#ff7f0e")):
                ax.errorbar(rows[name], y + dy, xerr=rows[f"{name}_conf"].fillna(0).abs(), fmt=shape, color=color,
                            markersize=3, capsize=2, elinewidth=0.9, clip_on=False, gid=name)
            ax.axvline(0, color="0.4", linewidth=0.6)
            ax.axvline(1, color="0.4", linewidth=0.6, linestyle="--")
            ax.set_xlabel("index (share of variance)", fontsize=FONT - 0.5)
        else:
            mu = rows["mu_star"].to_numpy(dtype=float)
            conf = np.abs(rows["mu_star_conf"].fillna(0).to_numpy(dtype=float))
            low = np.minimum(conf, np.where(np.isfinite(mu), mu, 0.0))   # the interval stops at 0
            ax.errorbar(mu, y, xerr=np.vstack([low, conf]), fmt="o", color="#2ca02c", markersize=3.5, capsize=2,
                        elinewidth=0.9, clip_on=False, gid="mu_star")
            right = float(np.nanmax(mu + conf)) if np.isfinite(mu).any() else 1.0
            ax.set_xlim(-0.05 * (right or 1.0), 1.05 * (right or 1.0))
            ax.axvline(0, color="0.4", linewidth=0.6)
            ax.set_xlabel(wrap(f"mu* ({unit(key)} per factor range)", WIDTH / ncols - 0.4), fontsize=FONT - 0.5)
        ax.set_ylim(len(factors) - 0.5, -0.5)
        ax.set_title(wrap(key, WIDTH / ncols - 0.3, 8), fontsize=8)
        _ticks(ax, "x", 4)
    for ax in axes[: len(keys)]:
        ax.set_yticks(y, [wrap_name(f, 1.6) for f in factors])
        ax.tick_params(axis="y", labelsize=FONT)
    for ax in axes[len(keys):]:
        ax.set_visible(False)
    if method == "sobol":
        handles = [Line2D([], [], marker="o", color="#1f77b4", markersize=3),
                   Line2D([], [], marker="s", color="#ff7f0e", markersize=3)]
        texts = ["first-order S1, 95% bootstrap interval (SALib)", "total ST, 95% bootstrap interval (SALib)"]
    else:
        handles = [Line2D([], [], marker="o", color="#2ca02c", markersize=3.5)]
        texts = ["mu*, mean absolute elementary effect; 95% bootstrap interval (SALib), cut at 0"]
    _legend(fig, handles, texts, columns=2, note="Warning: " + " ".join(notes) if notes else "")
    _title(fig, title or ("Sobol indices" if method == "sobol" else "Morris screening"))
    _grow(fig, per_row * nrows + 0.3 * (nrows - 1))
    return fig


def mu_sigma_figure(table: pd.DataFrame, keys: list[str] | None = None, title: str = "",
                    notes: list[str] | tuple = ()) -> Figure:
    """Morris's mu*-sigma plane, one panel per summary key: a factor far from the origin matters; one above the
    line sigma = mu* acts non-linearly or through interactions. A factor is a colour and shape (the legend)."""
    keys = keys or list(dict.fromkeys(table["key"]))
    factors = list(dict.fromkeys(table["factor"]))
    ncols = min(3, max(1, len(keys)))
    nrows = max(1, math.ceil(len(keys) / ncols))
    fig = _figure(1.5 + 2.6 * nrows)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    style = {f: (COLORS[i % len(COLORS)], SHAPES[(i // len(COLORS) + i) % len(SHAPES)])
             for i, f in enumerate(factors)}
    for ax, key in zip(axes, keys):
        rows = table[table["key"] == key].set_index("factor").reindex(factors)
        for f in factors:
            c, shape = style[f]
            ax.plot([rows.at[f, "mu_star"]], [rows.at[f, "sigma"]], shape, color=c, markersize=4, clip_on=False,
                    gid=f"factor:{f}")
        top = float(np.nanmax(rows[["mu_star", "sigma"]].to_numpy(dtype=float))) if len(rows) else 1.0
        top = top if np.isfinite(top) and top > 0 else 1.0
        ax.plot([0, 1.05 * top], [0, 1.05 * top], color="0.5", linestyle="--", linewidth=0.7)
        ax.set_xlim(-0.05 * top, 1.05 * top)
        ax.set_ylim(-0.05 * top, 1.05 * top)
        ax.set_title(wrap(key, WIDTH / ncols - 0.3, 8), fontsize=8)
        u = unit(key)
        ax.set_xlabel(wrap(f"mu* ({u} per factor range)", WIDTH / ncols - 0.4), fontsize=FONT - 0.5)
        ax.set_ylabel(wrap(f"sigma ({u} per factor range)", 1.9), fontsize=FONT - 0.5)
        _ticks(ax, "x", 4)
        _ticks(ax, "y", 4)
    for ax in axes[len(keys):]:
        ax.set_visible(False)
    handles = [Line2D([], [], marker=style[f][1], color=style[f][0], linestyle="", markersize=4) for f in factors]
    handles.append(Line2D([], [], color="0.5", linestyle="--", linewidth=0.7))
    _legend(fig, handles, [*factors, "sigma = mu*"], columns=3, note="Warning: " + " ".join(notes) if notes else "")
    _title(fig, title or "Morris screening: mu* and sigma")
    _grow(fig, 2.0 * nrows + 0.3 * (nrows - 1))
    return fig
