"""Compare: two to four scenarios, replicated on common seeds in the background, with daily bands, the table of
means and paired differences, and downloads.

The runs go through `experiments.compare` with an in-process executor that reports each finished run, so the numbers
are those of `liandong compare` with the same scenarios, replications and root seed.
"""

from __future__ import annotations

import shutil
import tempfile
import typing
from collections.abc import Callable, Iterable, Iterator

import pandas as pd
import solara

import scenarios
from dashboard import charts
from dashboard import explore
from dashboard.i18n import phase_name, t
from experiments.evaluate import run_one
from experiments.executors import SerialExecutor

MIN_SCENARIOS, MAX_SCENARIOS = 2, 4

selection = solara.reactive(typing.cast(list, ["no_linkage", "emergency_online"]))
reps = solara.reactive(3)
households = solara.reactive(typing.cast(int | None, None))  # None: each scenario's own
days = solara.reactive(typing.cast(int | None, None))
progress = solara.reactive((0, 0))  # (runs done, runs in all)
outcome = solara.reactive(typing.cast(dict | None, None))  # the last comparison's tables, series and scenarios
failure = solara.reactive("")


class ReportingExecutor(SerialExecutor):
    """Runs in this process, one after the other, and calls `on_run(done)` after each: the page's progress bar."""

    def __init__(self, on_run: Callable[[int], None]) -> None:
        super().__init__()
        self.on_run = on_run

    def map_unordered(self, tasks: Iterable[dict], fn: Callable = run_one) -> Iterator[dict]:
        for done, task in enumerate(tasks, start=1):
            result = fn(task)
            self.on_run(done)
            yield result


def sources(labels: list[str]) -> list:
    """Preset names stay names (as on the command line); scenarios edited on Explore are passed whole."""
    edited = dict(explore.saved.value)
    return [edited.get(label, label) for label in labels]


def compare(labels: list[str], replications: int, overrides: dict | None,
            on_run: Callable[[int], None] = lambda done: None) -> dict:
    """Run the comparison and keep what the page shows and offers for download."""
    from experiments import api
    from experiments.store import load_daily

    folder = tempfile.mkdtemp(prefix="liandong-compare-")
    try:
        result = api.compare(sources(labels), reps=replications, overrides=overrides, out=folder,
                             executor=ReportingExecutor(on_run), figures=False)
        daily = load_daily(folder, columns=["day", "unmet_total"])
        daily["scenario"] = daily["run"].map(dict(zip(result.runs["run"], result.runs["scenario"])))
        resolved = {label: scenarios.load(s) for label, s in zip(result.plan.labels, result.plan.scenarios)}
        return {"labels": list(result.plan.labels), "means": result.tables["means"],
                "differences": result.tables["differences"], "runs": result.runs, "daily": daily,
                "scenarios": resolved, "failed": result.n_failed}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@solara.lab.task(prefer_threaded=True)
def run_comparison() -> None:
    labels = list(selection.value)
    overrides = {k: v for k, v in (("households", households.value), ("days", days.value)) if v}
    progress.value = (0, len(labels) * reps.value)
    failure.value = ""
    try:
        outcome.value = compare(labels, reps.value, overrides or None,
                                on_run=lambda done: progress.set((done, len(labels) * reps.value)))
    except Exception as exc:  # a ScenarioError or ExperimentError: shown on the page, the page goes on
        failure.value = str(exc)


def start(labels: list[str] | None = None) -> None:
    if labels is not None:
        selection.value = labels
    if MIN_SCENARIOS <= len(selection.value) <= MAX_SCENARIOS and not run_comparison.pending:
        run_comparison()


# --- tables ---------------------------------------------------------------------------------------------------------
def _interval(low, high) -> str:
    if pd.isna(low) or pd.isna(high):
        return "–"
    return f"[{explore.fmt(float(low))}, {explore.fmt(float(high))}]"


def means_table(means: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    """Rows: summary keys; columns: each scenario's mean and 95% interval."""
    rows = []
    for key, group in means.groupby("key", sort=False):
        row = {t("col_key"): t(f"key_{key}")}
        for r in group.itertuples():
            row[f"{r.scenario} {t('col_mean')}"] = explore.fmt(r.mean)
            row[f"{r.scenario} {t('col_interval')}"] = _interval(r.ci_low, r.ci_high)
        rows.append(row)
    return pd.DataFrame(rows)


def differences_table(diffs: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame([{t("col_scenario"): f"{r.scenario} − {r.reference}", t("col_key"): t(f"key_{r.key}"),
                          t("col_diff"): explore.fmt(r.mean_diff), t("col_interval"): _interval(r.ci_low, r.ci_high),
                          t("col_relative"): "–" if pd.isna(r.relative_diff) else f"{r.relative_diff:+.1%}"}
                         for r in diffs.itertuples()])


def results_csv(result: dict) -> str:
    """Means and paired differences in one CSV, a `table` column telling them apart."""
    frames = [result[name].assign(table=name) for name in ("means", "differences")]
    both = pd.concat(frames, ignore_index=True)
    return both[["table", *(c for c in both.columns if c != "table")]].to_csv(index=False)


@solara.component
def Table(frame: pd.DataFrame, css: str):
    solara.HTML(tag="div", unsafe_innerHTML=frame.to_html(index=False, classes=["compare-table", css], border=0),
                style="overflow-x: auto; font-size: 13px")


@solara.component
def Results(result: dict):
    first = next(iter(result["scenarios"].values()))
    tips = {"scenario": t("col_scenario"), "mean": t("col_mean"), "low": t("band_low"), "high": t("band_high")}
    charts.show(charts.bands(result["daily"], "unmet_total", result["labels"], t("compare_bands"), t("axis_day"),
                             t("axis_needs"), [(p.start, phase_name(p.name)) for p in first.phases], first.days,
                             tips))
    solara.Markdown(f"**{t('compare_means')}**")
    Table(means_table(result["means"], result["labels"]), "means")
    solara.Markdown(f"**{t('compare_diffs')}**")
    Table(differences_table(result["differences"]), "differences")
    with solara.Row(style={"flex-wrap": "wrap"}):
        solara.FileDownload(lambda: results_csv(result), filename="comparison.csv",
                            label=t("compare_download_results"), mime_type="text/csv")
        solara.FileDownload(lambda: result["runs"].to_csv(index=False), filename="runs.csv",
                            label="runs.csv", mime_type="text/csv")
        solara.FileDownload(lambda: result["daily"].to_csv(index=False), filename="daily.csv",
                            label=t("compare_download_daily"), mime_type="text/csv")
        for label, scenario in result["scenarios"].items():
            solara.FileDownload(lambda s=scenario: scenarios.to_toml(s), filename=f"{label}.toml",
                                label=t("compare_download_scenario", name=label))


@solara.component
def Compare():
    """The Compare page."""
    choices = scenarios.names() + [label for label, _ in explore.saved.value]
    chosen = [c for c in selection.value if c in choices]
    solara.SelectMultiple(t("compare_pick"), values=chosen, all_values=choices,
                          on_value=lambda v: selection.set(list(v)), classes=["compare-select"])
    with solara.Row():
        solara.Tooltip(t("compare_reps_tip"), children=[solara.Div(children=[
            solara.InputInt(t("compare_reps"), value=reps.value, on_value=lambda v: reps.set(max(1, int(v or 1))),
                            classes=["compare-reps"], dense=True)])])
        solara.InputInt(t("compare_households"), value=households.value, optional=True,
                        on_value=households.set, dense=True, classes=["compare-households"])
        solara.InputInt(t("compare_days"), value=days.value, optional=True, on_value=days.set, dense=True,
                        classes=["compare-days"])
    ok = MIN_SCENARIOS <= len(chosen) <= MAX_SCENARIOS
    solara.Button(t("compare_run"), on_click=lambda: start(chosen), disabled=not ok or run_comparison.pending,
                  color="primary", classes=["btn-compare"])
    with solara.Div():
        if not ok:
            solara.Warning(t("compare_need_two"), dense=True)
    done, total = progress.value
    with solara.Div(classes=["compare-status"]):  # one slot, so that the results below are never replaced
        if run_comparison.pending:
            solara.ProgressLinear(100.0 * done / total if total else True, classes=["compare-progress"])
            solara.Text(t("compare_progress", done=done, total=total), classes=["compare-progress-text"])
        if failure.value:
            solara.Error(f"{t('compare_failed')} {failure.value}", classes=["compare-error"])
    if outcome.value is not None:
        if outcome.value["failed"]:
            solara.Warning(t("compare_runs_failed", failed=outcome.value["failed"]), classes=["compare-runs-failed"])
        Results(outcome.value)
    elif not run_comparison.pending:
        solara.Info(t("compare_none"))
