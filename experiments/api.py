"""The experiments as Python functions, for notebooks: each returns an `ExperimentResult` whose `.runs` and
`.tables` are pandas DataFrames, and writes the same results folder as the command line.

    import experiments
    res = experiments.compare(["no_linkage", "my_variant.toml"], reps=10, overrides={"households": 500})
    res.tables["differences"]          # paired differences from the first scenario, with 95% intervals
    res = experiments.sweep("sweep.toml", workers=2)
    res.runs                            # one row per run: ids, factors, seed, status, error, summary keys
    experiments.report("results/call_prob_sweep").tables["points"]
    experiments.reproduce("results/call_prob_sweep", 5).result.daily   # one stored run again, exactly
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from experiments.errors import ExperimentError
from experiments.plan import DEFAULT_ROOT_SEED, compare_plan, experiment_plan
from experiments.runner import dry_run, execute


def compare(scenarios: list, reps: int = 10, *, root_seed: int = DEFAULT_ROOT_SEED, overrides: dict | None = None,
            out: str | Path | None = None, workers: int | None = None, dask: str | None = None,
            serial: bool = False, executor=None, quiet: bool = True, name: str | None = None,
            figures: bool = True, command: list[str] | None = None, dry: bool = False):
    """Run each scenario (preset name, path or Scenario) `reps` times on common seeds and compare them with the
    first: means with 95% t-intervals and paired differences. Results go to `out` (default results/compare-A-B).
    `dry` returns what would run (runs, points, estimated time) as text instead, running nothing."""
    plan = compare_plan(list(scenarios), replications=reps, root_seed=root_seed, overrides=overrides, name=name)
    if dry:
        return dry_run(plan, out, workers=workers, dask=dask, serial=serial)
    return execute(plan, out, workers=workers, dask=dask, serial=serial, executor=executor, quiet=quiet,
                   command=command, figures=figures)


def sweep(spec, *, out: str | Path | None = None, workers: int | None = None, dask: str | None = None,
          serial: bool = False, executor=None, quiet: bool = True, figures: bool = True,
          command: list[str] | None = None, dry: bool = False):
    """Run an experiment file's design (grid, lhs, sobol or morris): every point, every replication (`dry`: say
    what would run and how long it would take, and run nothing)."""
    plan = experiment_plan(spec, kind="sweep")
    if dry:
        return dry_run(plan, out, workers=workers, dask=dask, serial=serial)
    return execute(plan, out, workers=workers, dask=dask, serial=serial, executor=executor, quiet=quiet,
                   command=command, figures=figures)


def sensitivity(spec, method: str | None = None, *, out: str | Path | None = None, workers: int | None = None,
                dask: str | None = None, serial: bool = False, executor=None, quiet: bool = True,
                figures: bool = True, command: list[str] | None = None, dry: bool = False):
    """Sobol first and total indices (or the Morris screen) of every summary key, with 95% intervals (SALib).
    `method` defaults to the file's design when it is sobol or morris, else sobol; `dry` as for `sweep`."""
    plan = experiment_plan(spec, kind="sensitivity", method=method)
    if dry:
        return dry_run(plan, out, workers=workers, dask=dask, serial=serial)
    return execute(plan, out, workers=workers, dask=dask, serial=serial, executor=executor, quiet=quiet,
                   command=command, figures=figures)


@dataclass
class Reproduction:
    """One stored run run again: its identity, the scenario it ran (factor values applied) and the model's result
    (`.result.summary`, `.result.daily`)."""

    folder: Path
    run: int
    point: int
    rep: int
    seed: int
    values: dict
    scenario: object
    result: object
    code_version: str | None   # the code version of the folder's first session


def reproduce(folder: str | Path, run: int) -> Reproduction:
    """Run again, exactly, run `run` of a results folder: the scenario as the folder resolved it, the factor values
    of its point and its seed (same code version: the same daily frame and summary as stored)."""
    import simulation
    from experiments.evaluate import scenario_of
    from experiments.runner import resume_plan
    from experiments.store import Store

    if not Path(folder).is_dir():
        raise ExperimentError(f"--from {folder}: no such results folder; give a folder written by `liandong "
                              "compare`, `sweep` or `sensitivity`.")
    plan = resume_plan(folder)
    if isinstance(run, bool) or not isinstance(run, int) or not 0 <= run < plan.n_runs:
        raise ExperimentError(f"--run {run!r}: {folder} holds runs 0 to {plan.n_runs - 1:,} (the `run` column of "
                              "its runs.parquet); give one of them.")
    task = plan.task(run)
    scenario = scenario_of(task)
    result = simulation.run(scenario, seed=task["seed"])
    return Reproduction(folder=Path(folder), run=run, point=task["point"], rep=task["rep"], seed=task["seed"],
                        values=dict(task["overrides"]), scenario=scenario, result=result,
                        code_version=Store(folder).read_manifest().get("code_version"))
