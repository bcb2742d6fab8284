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

import scenarios
import simulation
from experiments.errors import ExperimentError
from experiments.evaluate import scenario_of
from experiments.plan import DEFAULT_ROOT_SEED, compare_plan, experiment_plan
from experiments.runner import dry_run, execute
from experiments.spec import _coerce, canonical_keys
from experiments.store import Store, resume_plan
from simulation.keys import SUMMARY_KEYS


def compare(scenarios: list, reps: int = 10, *, root_seed: int = DEFAULT_ROOT_SEED, overrides: dict | None = None,
            out: str | Path | None = None, workers: int | None = None, dask: str | None = None,
            serial: bool = False, executor=None, quiet: bool = True, name: str | None = None,
            figures: bool = True, command: list[str] | None = None, dry: bool = False, posterior=None):
    """Run each scenario (preset name, path or Scenario) `reps` times on common seeds and compare them with the
    first: means with 95% t-intervals and paired differences. Results go to `out` (default results/compare-A-B).
    `dry` returns what would run (runs, points, estimated time) as text instead, running nothing. `posterior` (a
    calibration folder): replication r of every scenario runs at the parameter set it draws from the posterior, so
    the intervals carry the parameters' uncertainty and `sign_share` says in what share of sets a difference holds."""
    plan = compare_plan(list(scenarios), replications=reps, root_seed=root_seed, overrides=overrides, name=name,
                        posterior=posterior)
    if dry:
        return dry_run(plan, out, workers=workers, dask=dask, serial=serial)
    return execute(plan, out, workers=workers, dask=dask, serial=serial, executor=executor, quiet=quiet,
                   command=command, figures=figures)


def sweep(spec, *, out: str | Path | None = None, workers: int | None = None, dask: str | None = None,
          serial: bool = False, executor=None, quiet: bool = True, figures: bool = True,
          command: list[str] | None = None, dry: bool = False, posterior=None):
    """Run an experiment file's design (grid, lhs, sobol or morris): every point, every replication (`dry`: say
    what would run and how long it would take, and run nothing; `posterior`: as for `compare`, replication r of
    every point at the parameter set it draws)."""
    plan = experiment_plan(spec, kind="sweep", posterior=posterior)
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


def model_function(base="no_linkage", *, overrides: dict | None = None, outcomes: list[str] | None = None,
                   seed: int = 0):
    """The model as a plain function of named factors returning named outcomes, the interface of the EMA workbench
    (`ema_workbench.Model("liandong", function=f)`) and of any sampler: `f(reporting__call_prob=0.3, seed=2)`
    runs `base` (a preset, a path or a Scenario, with `overrides`) with `reporting.call_prob` set to 0.3 on seed 2
    and returns {summary key: value} for `outcomes` (default: every summary key). Factors are dotted keys or their
    identifier aliases (double underscores), which the workbench's parameter names must be; `seed` is a factor too
    (default `seed`). Bad factor names or values raise ScenarioError naming them."""
    config = scenarios.load(base)
    if overrides:
        config = scenarios.apply_overrides(config, canonical_keys(overrides, where="overrides"), label="overrides")
    keys = list(outcomes) if outcomes is not None else list(SUMMARY_KEYS)
    unknown = [k for k in keys if k not in SUMMARY_KEYS]
    if unknown:
        raise ExperimentError(f"outcomes: {', '.join(map(repr, unknown))} not a summary key; the keys are "
                              f"{', '.join(SUMMARY_KEYS)}.")
    default_seed = seed

    def model(seed: int = default_seed, **factors) -> dict:
        scenario = config
        if factors:
            values = canonical_keys(factors, where="factors")
            scenario = scenarios.apply_overrides(config, _coerce(config, values), label="model_function")
        summary = simulation.run(scenario, seed=int(seed)).summary
        return {k: summary[k] for k in keys}

    model.__name__ = model.__qualname__ = f"liandong_{config.name}"
    return model
