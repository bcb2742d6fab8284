"""Tables (CSV) and figures (PNG, SVG) of a results folder, from the stored runs alone: `report(DIR)` redraws them
without running anything.

    compare      means.csv (each scenario's mean and 95% interval per summary key), differences.csv (paired
                 differences from the first scenario), backlog.png/.svg, differences.png/.svg
    sweep        points.csv (each design point's mean and interval per key), sweep.png/.svg (one outcome against
                 each factor), heatmap.png/.svg (two factors)
    sensitivity  sobol.csv or morris.csv, sensitivity.png/.svg (and mu_sigma.png/.svg for Morris), points.csv
    all          runs.csv (the runs table as CSV; runs.parquet is the same table)

`key` (`liandong report DIR --key KEY`) picks the summary key the figures draw: the sweep's outcome (default
unmet_need_days_per_1000), or the one panel of the differences and sensitivity figures; the figures drawn for a
key given are named after it (sweep-KEY.png, differences-KEY.png, ...) beside the default ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from experiments import calibration, stats
from experiments.analysis import index_warnings, indices
from experiments.errors import ExperimentError
from experiments.plan import Plan
from experiments.store import Store, atomic_write_bytes, load_daily, record_status, resume_plan, writing
from simulation.keys import SUMMARY_KEYS


@dataclass
class ExperimentResult:
    """What an experiment produced: the runs table, the derived tables, the figure files and the manifest."""

    folder: Path
    kind: str
    plan: Plan
    runs: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: list[Path] = field(default_factory=list)
    manifest: dict = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    markers: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)        # why the indices should not be quoted as they are
    key: str | None = None                                    # the summary key the figures were drawn for
    drawn: dict = field(default_factory=dict)    # file stem -> matplotlib Figure, to restyle and save again
    quarantined: list[Path] = field(default_factory=list)   # damaged part files moved aside (their runs not done)

    @property
    def n_ok(self) -> int:
        return int((self.runs["status"] == "ok").sum())

    @property
    def n_failed(self) -> int:
        return int((self.runs["status"] != "ok").sum())

    def __repr__(self) -> str:
        return (f"ExperimentResult({self.kind} '{self.plan.name}' in {self.folder}: {len(self.runs)}/"
                f"{self.plan.n_runs} runs, {self.n_failed} failed; tables {sorted(self.tables)})")


def report(folder: str | Path, figures: bool = True, key: str | None = None) -> ExperimentResult:
    """The tables and figures again from a results folder, without running anything (consolidating its parts
    into runs.parquet first if the experiment was interrupted); `key`: the summary key the figures draw. A folder
    of `liandong calibrate` gives its `CalibrationResult` (experiments.calibration.report)."""
    if calibration.is_calibration(folder):
        if key is not None:
            raise ExperimentError("--key applies to compare, sweep and sensitivity folders, not to a calibration.")
        return calibration.report(folder, figures=figures)
    store = Store(folder)
    if not Path(folder).is_dir():
        raise ExperimentError(f"{folder}: no such results folder.")
    if key is not None and key not in SUMMARY_KEYS:
        raise ExperimentError(f"--key {key!r}: not a summary key; one of {', '.join(SUMMARY_KEYS)}.")
    plan = resume_plan(folder)
    with store.lock():
        manifest = store.read_manifest()
        runs, parts, moved = store.consolidate(plan, SUMMARY_KEYS)
        counts = manifest.get("runs", {})
        if moved or counts.get("ok") != int((runs["status"] == "ok").sum()) or "failures" not in counts:
            record_status(manifest, plan, parts, interrupted=manifest.get("status") == "interrupted")
            if moved:
                manifest.setdefault("quarantined", []).extend(str(p.relative_to(store.folder)) for p in moved)
            store.write_manifest(manifest)
        if key is not None and key not in runs.columns:
            raise ExperimentError(f"--key {key!r}: the runs in {folder} have no such column (stored by an older "
                                  "version); run the experiment again in a new folder to have it.")
        with writing(store.folder):
            result = build(store.folder, plan=plan, runs=runs, manifest=manifest, figures=figures, key=key)
    result.quarantined = moved
    return result


def build(folder: Path, plan: Plan, runs: pd.DataFrame, manifest: dict, figures: bool = True,
          key: str | None = None) -> ExperimentResult:
    if figures:  # matplotlib takes about a second to import: not for tables alone
        from experiments import figures as figs
    result = ExperimentResult(folder=Path(folder), kind=plan.kind, plan=plan, runs=runs, manifest=manifest, key=key)
    tables = result.tables
    title = plan.name
    keys = [key] if key else None
    suffix = f"-{key}" if key else ""
    ok = runs[runs["status"] == "ok"]

    def keep(fig, stem: str) -> None:
        result.figures.extend(figs.save(fig, folder / stem))
        result.drawn[stem] = fig

    if plan.kind == "compare":
        tables["means"] = stats.scenario_means(runs)
        tables["differences"] = stats.paired_differences(runs)
        if figures:
            if plan.daily and (folder / "daily").exists() and len(ok) and not key:
                daily = load_daily(folder, columns=["day", "unmet_total"])
                label = dict(zip(runs["run"], runs["scenario"]))
                daily["scenario"] = daily["run"].map(label)
                marks = figs.markers(plan.scenarios, plan.labels)
                fig = figs.backlog_figure(daily, plan.labels, marks, title=f"Daily unmet backlog: {title}")
                keep(fig, "backlog")
                result.markers = marks
            if len(tables["differences"]):
                fig = figs.differences_figure(tables["differences"], runs=runs, keys=keys,
                                              title=f"{title}: paired differences from {plan.labels[0]}")
                keep(fig, f"differences{suffix}")
    else:
        tables["points"] = stats.point_means(runs, plan.factors)
        if plan.kind == "sensitivity":
            table, result.skipped = indices(runs, plan)
            tables[plan.method] = table
            result.warnings = index_warnings(table, plan)
            shown = keys if key in set(table["key"]) else None
            if figures and len(table) and (not key or shown):
                fig = figs.sensitivity_figure(table, plan.method, keys=shown, notes=result.warnings,
                                              title=f"{title}: {_method_title(plan.method)}")
                keep(fig, f"sensitivity{suffix}")
                if plan.method == "morris":
                    fig = figs.mu_sigma_figure(table, keys=shown, notes=result.warnings,
                                               title=f"{title}: Morris mu* and sigma")
                    keep(fig, f"mu_sigma{suffix}")
        elif figures and len(ok):
            outcome = key or figs.DEFAULT_SWEEP_KEY
            fig = figs.sweep_figure(ok, plan.factors, key=outcome, title=f"{title}: {outcome} by factor")
            keep(fig, f"sweep{suffix}")
            if len(plan.factors) >= 2:
                fig = figs.heatmap_figure(ok, plan.factors[0], plan.factors[1], key=outcome,
                                          title=f"{title}: {outcome} by {plan.factors[0]} and {plan.factors[1]}")
                keep(fig, f"heatmap{suffix}")
    for name, table in {"runs": runs, **tables}.items():
        atomic_write_bytes(folder / f"{name}.csv", table.to_csv(index=False).encode("utf-8"), fsync=False)
    return result


def _method_title(method: str) -> str:
    return "Sobol first-order and total indices" if method == "sobol" else "Morris screening (mu*)"


# ---------------------------------------------------------------------------------------------------------------
# Console output


def fmt(x) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    x = float(x)
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    ax = abs(x)
    if ax >= 1000:
        return f"{x:,.0f}"
    if ax >= 10:
        return f"{x:,.1f}"
    if ax >= 1 or ax == 0:
        return f"{x:.2f}"
    return f"{x:.3g}"


def interval(mean, low, high) -> str:
    return f"{fmt(mean)} [{fmt(low)}, {fmt(high)}]"


def render(result: ExperimentResult, console=None) -> None:
    """Print the experiment's main table to the console (stdout)."""
    from rich.console import Console
    from rich.table import Table

    if console is None:
        import os
        import sys

        # piped or redirected: wide enough for the comparison table, unless COLUMNS says otherwise
        wide = not sys.stdout.isatty() and "COLUMNS" not in os.environ
        console = Console(width=200 if wide else None)
    plan, runs = result.plan, result.runs
    head = (f"{plan.name}: {result.n_ok} runs ok, {result.n_failed} failed, {plan.n_runs - len(runs)} not run "
            f"({len(plan.points)} {'scenarios' if plan.kind == 'compare' else 'points'} x {plan.replications} "
            f"replications)")
    if plan.kind == "compare":
        means, diffs = result.tables["means"], result.tables["differences"]
        ref = plan.labels[0]
        table = Table(title=head, caption="mean [95% t-interval]; Δ = paired difference from "
                                          f"{ref} on common seeds [95% t-interval]")
        table.add_column("summary key")
        for label in plan.labels:
            table.add_column(label, justify="right")
        for label in plan.labels[1:]:
            table.add_column(f"Δ {label} − {ref}", justify="right")
        for key in dict.fromkeys(means["key"]):
            row = [key]
            for label in plan.labels:
                m = means[(means["scenario"] == label) & (means["key"] == key)]
                row.append(interval(*m[["mean", "ci_low", "ci_high"]].iloc[0]) if len(m) else "–")
            for label in plan.labels[1:]:
                d = diffs[(diffs["scenario"] == label) & (diffs["key"] == key)]
                row.append(interval(*d[["mean_diff", "ci_low", "ci_high"]].iloc[0]) if len(d) else "–")
            table.add_row(*row)
        console.print(table)
    elif plan.kind == "sensitivity":
        t = result.tables[plan.method]
        table = Table(title=head, caption=_method_title(plan.method) + " with 95% intervals (SALib)")
        table.add_column("summary key")
        table.add_column("factor")
        cols = ("S1", "ST") if plan.method == "sobol" else ("mu_star", "sigma")
        for c in cols:
            table.add_column(c, justify="right")
        for _, r in t.iterrows():
            if plan.method == "sobol":
                table.add_row(r["key"], r["factor"], f"{fmt(r['S1'])} ± {fmt(r['S1_conf'])}",
                              f"{fmt(r['ST'])} ± {fmt(r['ST_conf'])}")
            else:
                table.add_row(r["key"], r["factor"], f"{fmt(r['mu_star'])} ± {fmt(r['mu_star_conf'])}",
                              fmt(r["sigma"]))
        console.print(table)
        for key, why in result.skipped.items():
            console.print(f"  {key}: no indices ({why})")
        for note in result.warnings:
            console.print(f"  warning: {note}", markup=False, highlight=False)
    else:
        console.print(head)
        points = result.tables["points"]
        key = result.key or "unmet_need_days_per_1000"
        sub = points[points["key"] == key]
        table = Table(title=f"{key} by design point (mean [95% interval])")
        table.add_column("point", justify="right")
        for f in plan.factors:
            table.add_column(f, justify="right")
        table.add_column(key, justify="right")
        shown = sub.head(40)
        for _, r in shown.iterrows():
            table.add_row(str(r["point"]), *[fmt(r[f]) if not isinstance(r[f], str) else r[f] for f in plan.factors],
                          interval(r["mean"], r["ci_low"], r["ci_high"]))
        console.print(table)
        if len(sub) > len(shown):
            console.print(f"  ... {len(sub) - len(shown)} more points in points.csv")
    failed = runs[runs["status"] != "ok"]
    for _, r in failed.head(5).iterrows():
        console.print(f"  run {r['run']} (point {r['point']}, rep {r['rep']}, seed {r['seed']}) failed: {r['error']}",
                      markup=False)
    if len(failed) > 5:
        console.print(f"  ... and {len(failed) - 5} more failed runs (see manifest.json); rerun to retry them")
    if result.quarantined:
        console.print(f"  {len(result.quarantined)} damaged part file(s) moved to {result.folder / 'quarantine'}; "
                      "run the experiment's command again to redo their runs", markup=False, highlight=False)
    files = ["runs.parquet", *(f"{n}.csv" for n in ("runs", *result.tables))] + [p.name for p in result.figures]
    console.print(f"Wrote {result.folder}: {', '.join(files)}", markup=False, highlight=False)


__all__ = ["ExperimentResult", "report", "build", "render"]
