"""Compare: two to four scenarios, replicated on common seeds in the background, with daily bands, the table of
means and paired differences, and downloads.

The runs go through `experiments.compare` with an in-process executor that reports each finished run, so the numbers
are those of `liandong compare` with the same scenarios, replications and root seed.
"""

from __future__ import annotations

import multiprocessing
import typing
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pandas as pd
import reacton.ipyvuetify as rv
import solara

import scenarios
from dashboard import charts, explore, limits
from dashboard.i18n import phase_name, scenario_name, t
from dashboard.jobs import POLL_SECONDS, Cancelled, Job, JobButtons, JobState, JobStatus
from dashboard.tables import differences_html, explanation, means_html
from dashboard.widgets import Prose, Tip
from experiments import api
from experiments.evaluate import run_one
from experiments.executors import SerialExecutor
from scenarios import Scenario

MIN_SCENARIOS, MAX_SCENARIOS = 2, 4
selection = solara.reactive(typing.cast(list, ["no_linkage", "emergency_online"]))
reps = solara.reactive(3)
households = solara.reactive(typing.cast(int | None, None))  # None: each scenario's own
days = solara.reactive(typing.cast(int | None, None))
state = JobState()  # the session's comparison: outcome holds the last one's tables, series and scenarios
progress, outcome, failure, job, stopped = state.progress, state.outcome, state.failure, state.job, state.stopped


class JobExecutor(SerialExecutor):
    """Runs in the job's worker process, one after the other, and calls `on_run(done)` after each (the page's
    progress bar); raises Cancelled as soon as the job is cancelled."""

    name = "dashboard"

    def __init__(self, job: Job, on_run: Callable[[int], None]) -> None:
        super().__init__()
        self.job, self.on_run = job, on_run

    def describe(self) -> dict:
        return {"kind": "dashboard", "workers": 1}

    def map_unordered(self, tasks: Iterable[dict], fn: Callable = run_one) -> Iterator[dict]:
        results = self.job.pool().imap_unordered(fn, tasks)
        done = 0
        while True:
            if self.job.cancelled.is_set():
                raise Cancelled()
            try:
                result = results.next(timeout=POLL_SECONDS)
            except multiprocessing.TimeoutError:
                continue
            except StopIteration:
                return
            done += 1
            self.on_run(done)
            yield result


#: Scenarios the lessons need that are a preset with one lever changed (the one mechanism a lesson teaches).
VARIANTS = {"three_social_unintegrated": ("three_social", {"organisations.integration": 0.0})}


def variant(label: str) -> Scenario:
    preset, changes = VARIANTS[label]
    return scenarios.load(preset, overrides=changes).model_copy(update={"name": label})


def sources(labels: list[str]) -> list:
    """Preset names stay names; scenarios edited on Explore and the lessons' variants are passed whole."""
    edited = dict(explore.saved.value)
    return [edited[label] if label in edited else variant(label) if label in VARIANTS else label
            for label in labels]


def resolve(labels: list[str], overrides: dict | None) -> list[Scenario]:
    """The scenarios to compare, with the page's overrides applied (raises ScenarioError, LimitError)."""
    resolved = [scenarios.load(source) for source in sources(labels)]
    if overrides:
        resolved = [scenarios.apply_overrides(s, overrides,
                                              label=f"{scenario_name(s.name)}, {t('compare_settings_label')}")
                    for s in resolved]
    return resolved


def compare(labels: list[str], replications: int, overrides: dict | None,
            on_run: Callable[[int], None] = lambda done: None, job: Job | None = None) -> dict:
    """Run the comparison within the dashboard's limits and keep what the page shows and offers for download;
    the numbers are those of `liandong compare` with the same scenarios, overrides and replications."""
    resolved = resolve(labels, overrides)
    limits.check_comparison(resolved, replications)
    job = job or Job()
    with job.running():
        result = api.compare(resolved, reps=replications, out=job.folder, executor=JobExecutor(job, on_run),
                             figures=False)
        daily = all_daily(job.folder)
        daily["scenario"] = daily["run"].map(dict(zip(result.runs["run"], result.runs["scenario"])))
        named = {label: scenarios.load(s) for label, s in zip(result.plan.labels, result.plan.scenarios)}
        return {"labels": list(result.plan.labels), "means": result.tables["means"],
                "differences": result.tables["differences"], "runs": result.runs, "daily": daily,
                "scenarios": named, "failed": result.n_failed}


def all_daily(folder: Path) -> pd.DataFrame:
    """Every daily series of every run in a results folder. Read run by run: a column can be whole numbers in one
    run and fractions in another, which one dataset over all the parts refuses."""
    frames = []
    for part in sorted(folder.glob("daily/run=*/part.parquet"), key=lambda p: int(p.parent.name[4:])):
        frame = pd.read_parquet(part)
        frame.insert(0, "run", int(part.parent.name[4:]))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({"run": [], "day": []})


def comparison_work(labels: list[str], replications: int, overrides: dict | None, current: Job) -> dict:
    """The background part of Run: the comparison in the job's worker, its progress on the page."""
    progress.value = (0, len(labels) * replications)
    return compare(labels, replications, overrides, job=current,
                   on_run=lambda done: progress.set((done, len(labels) * replications)))


run_comparison = state.task


def overrides_of_page() -> dict | None:
    return {k: v for k, v in (("households", households.value), ("days", days.value)) if v} or None


def start(labels: list[str] | None = None) -> None:
    """Check the request and start it in the background; a request beyond the limits is refused with why."""
    if labels is not None:
        selection.value = labels
    labels = list(selection.value)
    if not MIN_SCENARIOS <= len(labels) <= MAX_SCENARIOS:
        return
    overrides, replications = overrides_of_page(), reps.value

    def prepare() -> tuple:
        limits.check_comparison(resolve(labels, overrides), replications)
        return labels, replications, overrides

    state.submit(prepare, comparison_work)


running, cancel, end_session = state.running, state.cancel, state.end_session


def results_csv(result: dict) -> str:
    """Means and paired differences in one CSV, a `table` column telling them apart."""
    frames = [result[name].assign(table=name) for name in ("means", "differences")]
    both = pd.concat(frames, ignore_index=True)
    return both[["table", *(c for c in both.columns if c != "table")]].to_csv(index=False)


@solara.component
def Table(markup: str):
    solara.HTML(tag="div", unsafe_innerHTML=markup, style="overflow-x: auto; font-size: 13px",
                classes=["table-box"])


@solara.component
def Results(result: dict):
    from dashboard import report  # here: its matplotlib adds about a second to the dashboard's start

    first = next(iter(result["scenarios"].values()))
    tips = {"scenario": t("col_scenario"), "mean": t("col_mean"), "low": t("band_low"), "high": t("band_high"),
            "phase": t("phase_word")}
    labels = result["labels"]
    named = result["daily"][["scenario", "day", "unmet_total"]].assign(
        scenario=result["daily"]["scenario"].map(scenario_name))
    charts.show(charts.bands(named, "unmet_total", [scenario_name(label) for label in labels], t("compare_bands"),
                             t("axis_day"), t("axis_needs"), [(p.start, phase_name(p.name)) for p in first.phases],
                             first.days, tips), "liandong-comparison")
    Prose(f"**{t('compare_means')}**")
    solara.Text(t("compare_means_note"), classes=["note"])
    Table(means_html(result["means"], labels))
    Prose(f"**{t('compare_diffs')}**")
    solara.Text(t("compare_diffs_note", reference=scenario_name(labels[0])), classes=["note"])
    for label in labels[1:]:
        why = explanation(result, label, labels[0])
        if why:
            solara.Text(why, classes=["why", "note"])
        Table(differences_html(result["differences"], label, labels[0]))
    with solara.Row(style={"flex-wrap": "wrap"}):
        solara.FileDownload(lambda: report.report_html(result, int(result["runs"]["rep"].max()) + 1),
                            filename="comparison-report.html", label=t("compare_download_report"),
                            mime_type="text/html")
        solara.FileDownload(lambda: results_csv(result), filename="comparison.csv",
                            label=t("compare_download_results"), mime_type="text/csv")
        solara.FileDownload(lambda: result["runs"].to_csv(index=False), filename="runs.csv",
                            label=t("compare_download_runs"), mime_type="text/csv")
        solara.FileDownload(lambda: result["daily"].to_csv(index=False), filename="daily.csv",
                            label=t("compare_download_daily"), mime_type="text/csv")
        for label, scenario in result["scenarios"].items():
            solara.FileDownload(lambda s=scenario: scenarios.to_toml(s), filename=f"{label}.toml",
                                label=t("compare_download_scenario", name=scenario_name(label)))


@solara.component
def Compare():
    """The Compare page."""
    choices = scenarios.names() + list(VARIANTS) + [label for label, _ in explore.saved.value]
    chosen = [c for c in selection.value if c in choices]
    rv.Select(label=t("compare_pick"), v_model=chosen, multiple=True, chips=True, deletable_chips=True,
              items=[{"text": scenario_name(c), "value": c} for c in choices],
              on_v_model=lambda v: selection.set(list(v or [])), class_="compare-select")
    for label in chosen:
        if label in explore.saved_changes.value:
            solara.Text(t("edited_note", name=scenario_name(label),
                          changes=explore.describe_changes(explore.saved_changes.value[label])),
                        classes=["note", "edited-note"])
    with solara.Row():
        Tip(t("compare_reps_tip"), side="bottom", children=[solara.Div(children=[
            solara.InputInt(t("compare_reps"), value=reps.value, on_value=lambda v: reps.set(max(1, int(v or 1))),
                            classes=["compare-reps"], dense=True)])])
        solara.InputInt(t("compare_households"), value=households.value, optional=True,
                        on_value=households.set, dense=True, classes=["compare-households"])
        solara.InputInt(t("compare_days"), value=days.value, optional=True, on_value=days.set, dense=True,
                        classes=["compare-days"])
    ok = MIN_SCENARIOS <= len(chosen) <= MAX_SCENARIOS
    busy = running()
    JobButtons("compare", state, lambda: start(chosen), can_run=ok)
    with solara.Div():
        if not ok:
            solara.Warning(t("compare_need_two"), dense=True)
    JobStatus("compare", state)
    if outcome.value is not None:
        if outcome.value["failed"]:
            solara.Warning(t("compare_runs_failed", failed=outcome.value["failed"]), classes=["compare-runs-failed"])
        with solara.Div(classes=["compare-results", f"compare-results-{outcome.value.get('number', 0)}"]):
            Results(outcome.value)
    elif not busy:
        solara.Info(t("compare_none"))
