"""Running a plan into a results folder: resumable, one durable file per finished run, bounded memory.

Running the same plan on the same folder again resumes it: runs with an ok part are skipped, failed ones are run
again, and `runs.parquet` is rebuilt from the parts, sorted by run id, so it ends identical to the table of an
uninterrupted run (the seeds come from the runs' identities, never from the order in which they finish).

One process at a time holds a results folder (a lock file); damaged parts are moved to `quarantine/` and their
runs counted as not done; a full disk or a read-only folder is reported as such. Before the runs start, the runner
says how many there are and roughly how long they will take; while they run, a progress bar on a terminal or plain
progress lines elsewhere (see `Progress`).
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from pathlib import Path
from typing import TextIO

import scenarios
import simulation
from experiments.executors import make_executor
from experiments.plan import Plan
from experiments.reports import build
from experiments.store import FORMAT, Store, machine, now, record_status, valid_parquet, writing
from simulation.keys import SUMMARY_KEYS
from simulation.provenance import code_version, package_versions

# The time estimate (docs/experiments.md, "Progress and time"): one calibration run of the experiment's own scenario,
# timed here after a tiny warm-up run (which loads the compiled kernels), shortened to at most this many household-
# days and scaled back to the scenario's days; a point that sets households or days scales with households x days.
CALIBRATION_HOUSEHOLD_DAYS = 300_000
CALIBRATION_MIN_DAYS = 5
CALIBRATED_SCENARIOS = 4       # a comparison times at most this many of its scenarios (the others: their mean)


def new_manifest(plan: Plan, command: list[str] | None) -> dict:
    packages = dict(package_versions())
    for name in ("matplotlib", "SALib", "dask", "distributed"):
        packages[name] = _version(name)
    return {
        "format": FORMAT,
        "kind": plan.kind,
        "name": plan.name,
        "fingerprint": plan.fingerprint(),
        "command": command,
        "experiment_file": plan.experiment_file,
        "experiment": plan.experiment,
        "experiment_text": plan.experiment_text,
        "design": plan.to_dict(),
        "scenarios": [{"label": label, "resolved": s, "toml": scenarios.to_toml(scenarios.load(s))}
                      for label, s in zip(plan.labels, plan.scenarios)],
        "code_version": code_version(),
        "packages": packages,
        "machine": machine(),
        "started": now(),
        "finished": None,
        "status": "running",
        "sessions": [],
        "runs": {"total": plan.n_runs},
    }


def _version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def duration(seconds: float) -> str:
    """A rough duration for people: 40 s, 12 min, 3.5 h, 2.1 days."""
    if not math.isfinite(seconds):
        return "unknown"
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


class Progress:
    """Progress on stderr: a rich bar (runs done, failures, time left) on a terminal; plain lines elsewhere (a batch
    job's log, a notebook), at most one per `every_seconds` and per `every_share` of the runs, whichever is rarer,
    and one at the end; nothing when not enabled (--quiet). Until the first run is back, the bar says `starting`
    (workers take seconds to start)."""

    def __init__(self, total: int, done: int, description: str, enabled: bool, console=None, lines: bool = False,
                 stream: TextIO | None = None, starting: str | None = None, every_seconds: float = 30.0,
                 every_share: float = 0.05) -> None:
        self.enabled, self.lines = enabled, lines
        self.total, self.done, self.failed = total, done, 0
        self.description = description
        self._first = done
        self._stream = stream
        self._started = time.monotonic()
        self._last_time, self._last_done = self._started, done
        self._every_seconds = every_seconds
        self._every_runs = max(1, math.ceil(every_share * max(1, total - done)))
        self._waiting = starting is not None
        if not enabled or lines:
            if enabled and starting:
                self._say(f"{description}: {starting}")
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
        from rich.progress import Progress as RichProgress

        self._bar = RichProgress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("runs, [red]{task.fields[failed]} failed[/red], elapsed"),
                                 TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(),
                                 console=console or Console(stderr=True), transient=False)
        self._task = self._bar.add_task(f"{description}: {starting}" if starting else description, total=total,
                                        completed=done, failed=0)

    def _say(self, text: str) -> None:
        stream = self._stream or sys.stderr
        print(text, file=stream, flush=True)

    def __enter__(self):
        if self.enabled and not self.lines:
            self._bar.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if not self.enabled:
            return
        if self.lines:
            if self.done != self._last_done or exc[0] is None:
                self._say(self._line())
        else:
            self._bar.__exit__(*exc)

    def _line(self) -> str:
        elapsed = time.monotonic() - self._started
        new = self.done - self._first
        left = (self.total - self.done) * elapsed / new if new else math.inf
        share = 100.0 * self.done / self.total if self.total else 100.0
        tail = f", about {duration(left)} left" if self.done < self.total and new else ""
        return (f"{self.description}: {self.done:,}/{self.total:,} runs ({share:.0f}%), {self.failed:,} failed, "
                f"{duration(elapsed)} elapsed{tail}")

    def advance(self, ok: bool) -> None:
        self.failed += not ok
        self.done += 1
        if not self.enabled:
            return
        if self.lines:
            at = time.monotonic()
            if (at - self._last_time >= self._every_seconds and self.done - self._last_done >= self._every_runs
                    and self.done < self.total):
                self._last_time, self._last_done = at, self.done
                self._say(self._line())
            return
        if self._waiting:
            self._waiting = False
            self._bar.update(self._task, description=self.description)
        self._bar.update(self._task, advance=1, failed=self.failed)


_calibrations: dict[str, float] = {}


def calibrate(scenario: dict) -> float:
    """Seconds one run of `scenario` (a resolved scenario dict) takes on one core of this machine, now: one run of
    it timed, shortened to at most CALIBRATION_HOUSEHOLD_DAYS household-days and scaled to its days. Remembered
    for the process, so a dry run and the run after it time it once."""
    ident = json.dumps(scenario, sort_keys=True, default=str)
    if ident in _calibrations:
        return _calibrations[ident]
    config = scenarios.load(scenario)
    days = min(config.days, max(CALIBRATION_MIN_DAYS, CALIBRATION_HOUSEHOLD_DAYS // max(1, config.households)))
    short = scenarios.apply_overrides(config, {"days": days}) if days != config.days else config
    tiny = scenarios.apply_overrides(short, {"households": min(short.households, 50), "days": min(days, 2)})
    simulation.run(tiny, seed=0)  # the compiled kernels loaded, as in a worker after its first run
    started = time.perf_counter()
    simulation.run(short, seed=0)
    seconds = (time.perf_counter() - started) * config.days / days
    _calibrations[ident] = seconds
    return seconds


def scaled_seconds(seconds: float, households: float, days: float, at_households: float, at_days: float) -> float:
    """A calibrated run's time scaled to another size, in proportion to households x days."""
    return seconds * (at_households * at_days) / max(1.0, households * days)


def estimate_seconds(plan: Plan, manifest: dict | None) -> tuple[float, str]:
    """Seconds one run takes on one worker, and where that figure comes from: the runs of earlier sessions in this
    folder, else a calibration run of the plan's scenario here (a comparison: of each scenario, up to
    CALIBRATED_SCENARIOS), scaled for points that set households or days (the mean over up to 64 points)."""
    if manifest:
        busy = sum(s.get("run_seconds", 0.0) for s in manifest.get("sessions", []))
        runs = sum(s.get("ok", 0) + s.get("failed", 0) for s in manifest.get("sessions", []))
        if runs and busy > 0:
            return busy / runs, "measured in this folder's earlier sessions"
    timed = {i: calibrate(s) for i, s in enumerate(plan.scenarios[:CALIBRATED_SCENARIOS])}
    fallback = sum(timed.values()) / len(timed)
    n = len(plan.points)
    sample = sorted({int(i * n / min(n, 64)) for i in range(min(n, 64))}) if n else []
    costs = []
    for i in sample:
        point = plan.points[i]
        base = plan.scenarios[point["scenario"]]
        values = point["values"]
        costs.append(scaled_seconds(timed.get(point["scenario"], fallback), base["households"], base["days"],
                                    values.get("households", base["households"]), values.get("days", base["days"])))
    per_run = sum(costs) / len(costs) if costs else fallback
    what = "one run of each scenario" if len(plan.scenarios) > 1 else f"one run of '{plan.labels[0]}'"
    return per_run, f"timed on {what} here"


def announce(plan: Plan, todo: int, workers: int, manifest: dict | None, stream: TextIO) -> None:
    """Say, before starting, how many runs there are and roughly how long they will take."""
    per_run, source = estimate_seconds(plan, manifest)
    unit = "scenarios" if plan.kind == "compare" else "points"
    done = plan.n_runs - todo
    already = f", {done:,} already done" if done else ""
    workers_text = f"{workers} worker{'s' if workers != 1 else ''}"
    print(f"{plan.name}: {plan.n_runs:,} runs ({len(plan.points):,} {unit} x {plan.replications:,} replications)"
          f"{already}; {todo:,} to run on {workers_text}, roughly {duration(todo * per_run / max(1, workers))} "
          f"(about {per_run:.2g} s a run: {source})", file=stream, flush=True)


def dry_run(plan: Plan, out: str | Path | None = None, *, workers: int | None = None, dask: str | None = None,
            serial: bool = False) -> str:
    """What running `plan` into `out` would do, without running anything or writing a file: its runs and points,
    how many are already stored there (or reusable, when only the replications grew) and the estimated time."""
    store = Store(out if out is not None else plan.default_out())
    existing = store.prepare(plan)  # a folder of another experiment: the same error as running would give
    stored = 0
    if existing:
        ok = [run for run, status in store.statuses().items() if status == "ok"]
        stored = len(ok) if plan.grows(existing) else sum(run < plan.n_runs for run in ok)
    todo = plan.n_runs - stored
    if serial:
        n_workers: int | None = 1
    elif dask and dask != "local":
        n_workers = None  # a running cluster's workers are known once connected
    else:
        n_workers = workers or os.cpu_count() or 1
    unit = "scenarios" if plan.kind == "compare" else "points"
    how = f", design {plan.method}" if plan.method else ""
    lines = [f"{plan.name}: {plan.kind}{how}: {len(plan.points):,} {unit} x {plan.replications:,} replications = "
             f"{plan.n_runs:,} runs"]
    if plan.factors:
        lines.append("  factors: " + ", ".join(plan.factors))
    for label, scenario in list(zip(plan.labels, plan.scenarios))[:8]:
        lines.append(f"  scenario '{label}': {scenario['households']:,} households, {scenario['days']} days")
    grown = (f" (reused: the folder holds {existing['design']['replications']} replications)"
             if existing and plan.grows(existing) else "")
    lines.append(f"  results folder {store.folder}: " + (f"{stored:,} runs stored{grown}, {todo:,} to run"
                                                          if existing else f"new, {todo:,} to run"))
    if todo:
        per_run, source = estimate_seconds(plan, existing)
        on = (f"roughly {duration(todo * per_run / n_workers)} on {n_workers} worker{'s' if n_workers != 1 else ''}"
              if n_workers else
              f"roughly {duration(todo * per_run)} of worker time, divided among the cluster's workers")
        lines.append(f"  time: {on} (about {per_run:.2g} s a run: {source})")
    lines.append("  nothing was run (--dry-run)")
    return "\n".join(lines)


def execute(plan: Plan, out: str | Path | None = None, *, workers: int | None = None, dask: str | None = None,
            serial: bool = False, executor=None, quiet: bool = True, command: list[str] | None = None,
            fsync: bool = True, figures: bool = True):
    """Run every run of `plan` not yet done in `out`, then write the tables and figures. Returns the result.

    Unless `quiet`, says on stderr how many runs there are and roughly how long they will take, then shows the
    progress (a bar on a terminal, plain lines otherwise) and names any damaged part moved aside."""
    store = Store(out if out is not None else plan.default_out(), fsync=fsync)
    store.prepare(plan)  # a folder of another experiment is refused before anything is created
    created = not store.folder.exists()
    store.create()
    given_notify = getattr(executor, "notify", None)  # a caller's executor gets its own back afterwards
    try:
        with store.lock():
            return _execute(plan, store, workers=workers, dask=dask, serial=serial, executor=executor,
                            quiet=quiet, command=command, figures=figures)
    except BaseException:
        if created and not store.exists():  # nothing was stored (e.g. an executor that could not start)
            store.remove_empty()
        raise
    finally:
        if given_notify is not None:
            executor.notify = given_notify


def _execute(plan: Plan, store: Store, *, workers, dask, serial, executor, quiet, command, figures):
    existing = store.prepare(plan)  # again, under the lock: another process may have begun meanwhile
    if existing:
        existing = store.adopt(plan, existing)  # more replications: the stored runs renumbered and kept
    done, moved = store.check_parts(plan) if existing else (bytearray(plan.n_runs), [])
    n_todo = plan.n_runs - sum(done)
    stream = sys.stderr
    if moved and not quiet:
        print(f"{store.folder}: {len(moved)} damaged part file(s) moved to {store.folder / 'quarantine'}; their "
              "runs are run again", file=stream, flush=True)
    owned = None
    if n_todo and executor is None:
        executor = owned = make_executor(workers=workers, dask=dask, serial=serial)
    manifest = existing or new_manifest(plan, command)
    session = {"start": now(), "end": None, "executor": executor.describe() if executor else None,
               "code_version": code_version(), "to_run": n_todo, "ok": 0, "failed": 0,
               "skipped": plan.n_runs - n_todo, "run_seconds": 0.0}
    if moved:
        session["quarantined"] = [str(p.relative_to(store.folder)) for p in moved]
    if existing and code_version() != existing.get("code_version"):
        session["note"] = (f"code version {code_version()} differs from {existing.get('code_version')} of the "
                           "first session")
    if n_todo and not quiet:
        announce(plan, n_todo, executor.workers, existing, stream)
    if executor is not None:
        def note(text: str) -> None:
            session.setdefault("notes", []).append(f"{now()} {text}")
            if not quiet:
                print(f"{plan.name}: {text}", file=stream, flush=True)

        executor.notify = note
    manifest["sessions"].append(session)
    manifest["status"] = "running"
    try:
        matrix_file = manifest["design"].get("matrix_file")
        if matrix_file and not valid_parquet(store.folder / matrix_file):  # new, or lost since
            store.write_design(plan)
        store.write_manifest(manifest)
    except BaseException:
        _close(owned)
        raise
    started = time.perf_counter()
    try:
        if n_todo:
            lines = not stream.isatty()
            what = "worker processes" if executor.name == "processes" else "Dask workers"
            starting = None if executor.name == "serial" else f"starting {executor.workers} {what}…"
            tasks = (plan.task(run) for run in range(plan.n_runs) if not done[run])
            task_of = {}

            def tracked():
                for task in tasks:
                    task_of[task["run"]] = {**{k: task[k] for k in ("run", "point", "rep", "seed")},
                                            "columns": plan.point_columns(task["point"])}
                    yield task

            with Progress(plan.n_runs, plan.n_runs - n_todo, plan.name, not quiet, lines=lines,
                          starting=starting) as bar:
                for result in executor.map_unordered(tracked()):
                    task = task_of.pop(result["run"])
                    store.write_result(task, result)
                    ok = result["status"] == "ok"
                    session["ok" if ok else "failed"] += 1
                    session["run_seconds"] += float(result.get("seconds") or 0.0)
                    bar.advance(ok)
    except BaseException:
        _close(owned, abort=True)
        try:  # keep what is stored in order; the error that stopped the runs is the one to report
            _finish(plan, store, manifest, session, started, interrupted=True)
        except Exception:
            pass
        raise
    _close(owned)
    runs, moved_now = _finish(plan, store, manifest, session, started, interrupted=False)
    if moved_now and not quiet:
        print(f"{store.folder}: {len(moved_now)} damaged part file(s) moved to {store.folder / 'quarantine'}; run "
              "the same command again to redo their runs", file=stream, flush=True)
    with writing(store.folder):
        result = build(store.folder, plan=plan, runs=runs, manifest=manifest, figures=figures)
    result.quarantined = moved + moved_now
    return result


def _close(executor, abort: bool = False) -> None:
    if executor is not None:
        try:
            executor.close(abort=abort) if abort else executor.close()
        except Exception:
            pass


def _finish(plan: Plan, store: Store, manifest: dict, session: dict, started: float, interrupted: bool):
    session["end"] = now()
    session["wall_seconds"] = round(time.perf_counter() - started, 3)
    session["run_seconds"] = round(session["run_seconds"], 3)
    runs, parts, moved = store.consolidate(plan, SUMMARY_KEYS)
    if moved:
        session.setdefault("quarantined", []).extend(str(p.relative_to(store.folder)) for p in moved)
    record_status(manifest, plan, parts, interrupted)
    store.write_manifest(manifest)
    return runs, moved
