"""Running a plan into a results folder: resumable, one durable file per finished run, bounded memory.

Running the same plan on the same folder again resumes it: runs with an ok part are skipped, failed ones are run
again, and `runs.parquet` is rebuilt from the parts, sorted by run id, so it ends identical to the table of an
uninterrupted run (the seeds come from the runs' identities, never from the order in which they finish).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from experiments.errors import ExperimentError
from experiments.executors import make_executor
from experiments.plan import Plan
from experiments.store import FORMAT, Store, machine, now


def new_manifest(plan: Plan, command: list[str] | None) -> dict:
    import scenarios
    from simulation.provenance import code_version, package_versions

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


class Progress:
    """A rich progress bar on stderr (runs done, failures, time left); silent when quiet or not a terminal."""

    def __init__(self, total: int, done: int, description: str, enabled: bool, console=None) -> None:
        self.enabled = enabled
        self.failed = 0
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress as RichProgress, TextColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)

        self._bar = RichProgress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("runs, [red]{task.fields[failed]} failed[/red], elapsed"),
                                 TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(),
                                 console=console or Console(stderr=True), transient=False)
        self._task = self._bar.add_task(description, total=total, completed=done, failed=0)

    def __enter__(self):
        if self.enabled:
            self._bar.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self.enabled:
            self._bar.__exit__(*exc)

    def advance(self, ok: bool) -> None:
        self.failed += not ok
        if self.enabled:
            self._bar.update(self._task, advance=1, failed=self.failed)


def execute(plan: Plan, out: str | Path | None = None, *, workers: int | None = None, dask: str | None = None,
            serial: bool = False, executor=None, quiet: bool = True, command: list[str] | None = None,
            fsync: bool = True, figures: bool = True):
    """Run every run of `plan` not yet done in `out`, then write the tables and figures. Returns the result."""
    from experiments.reports import build

    store = Store(out if out is not None else plan.default_out(), fsync=fsync)
    existing = store.prepare(plan.fingerprint())
    statuses = store.statuses() if existing else {}
    todo = [run for run in range(plan.n_runs) if statuses.get(run) != "ok"]
    owned = None
    if todo and executor is None:
        executor = owned = make_executor(workers=workers, dask=dask, serial=serial)
    manifest = existing or new_manifest(plan, command)
    session = {"start": now(), "end": None, "executor": executor.describe() if executor else None,
               "code_version": manifest["code_version"], "to_run": len(todo), "ok": 0, "failed": 0,
               "skipped": plan.n_runs - len(todo)}
    from simulation.provenance import code_version

    session["code_version"] = code_version()
    if existing and code_version() != existing.get("code_version"):
        session["note"] = (f"code version {code_version()} differs from {existing.get('code_version')} of the "
                           "first session")
    manifest["sessions"].append(session)
    manifest["status"] = "running"
    store.create()
    store.write_manifest(manifest)
    interrupted = False
    started = time.perf_counter()
    try:
        if todo:
            enabled = not quiet and sys.stderr.isatty()
            tasks = (plan.task(run) for run in todo)
            task_of = {}

            def tracked():
                for task in tasks:
                    task_of[task["run"]] = {k: task[k] for k in ("run", "point", "rep", "seed")}
                    yield task

            with Progress(plan.n_runs, plan.n_runs - len(todo), plan.name, enabled) as bar:
                for result in executor.map_unordered(tracked()):
                    task = task_of.pop(result["run"])
                    store.write_result(task, result)
                    ok = result["status"] == "ok"
                    session["ok" if ok else "failed"] += 1
                    bar.advance(ok)
    except BaseException:
        interrupted = True
        raise
    finally:
        if owned is not None:
            try:
                owned.close()
            except Exception:
                pass
        session["end"] = now()
        session["wall_seconds"] = round(time.perf_counter() - started, 3)
        from simulation.outcomes import SUMMARY_KEYS

        runs, parts = store.consolidate(plan, SUMMARY_KEYS)
        _record_status(manifest, plan, parts, interrupted)
        store.write_manifest(manifest)
    return build(store.folder, plan=plan, runs=runs, manifest=manifest, figures=figures)


def _record_status(manifest: dict, plan: Plan, parts: list[dict], interrupted: bool) -> None:
    ok = sum(p["status"] == "ok" for p in parts)
    failed = [p for p in parts if p["status"] != "ok"]
    pending = plan.n_runs - len(parts)
    manifest["runs"] = {
        "total": plan.n_runs, "ok": ok, "failed": len(failed), "pending": pending,
        "status": [{"run": p["run"], "point": p["point"], "rep": p["rep"], "seed": p["seed"], "status": p["status"],
                    "seconds": round(float(p.get("seconds") or 0.0), 4),
                    **({"error": p["error"], "traceback": p.get("traceback", "")} if p["status"] != "ok" else {})}
                   for p in parts],
    }
    manifest["finished"] = now()
    manifest["status"] = ("interrupted" if interrupted or pending else
                          "complete" if not failed else "complete with failures")


def resume_plan(folder: str | Path) -> Plan:
    store = Store(folder)
    manifest = store.read_manifest()
    if manifest.get("format") != FORMAT:
        raise ExperimentError(f"{folder}: manifest.json is not a LiánDòng experiment ({manifest.get('format')}).")
    return Plan.from_manifest(manifest)

