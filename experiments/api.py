"""The experiments as Python functions, for notebooks: each returns an `ExperimentResult` whose `.runs` and
`.tables` are pandas DataFrames, and writes the same results folder as the command line.

    import experiments
    res = experiments.compare(["no_linkage", "my_variant.toml"], reps=10, overrides={"households": 500})
    res.tables["differences"]          # paired differences from the first scenario, with 95% intervals
    res = experiments.sweep("sweep.toml", workers=2)
    res.runs                            # one row per run: ids, factors, seed, status, error, summary keys
    experiments.report("results/call_prob_sweep").tables["points"]
"""

from __future__ import annotations

from pathlib import Path

from experiments.plan import DEFAULT_ROOT_SEED, compare_plan, experiment_plan
from experiments.runner import execute


def compare(scenarios: list, reps: int = 10, *, root_seed: int = DEFAULT_ROOT_SEED, overrides: dict | None = None,
            out: str | Path | None = None, workers: int | None = None, dask: str | None = None,
            serial: bool = False, executor=None, quiet: bool = True, name: str | None = None,
            figures: bool = True, command: list[str] | None = None):
    """Run each scenario (preset name, path or Scenario) `reps` times on common seeds and compare them with the
    first: means with 95% t-intervals and paired differences. Results go to `out` (default results/compare-A-B)."""
    plan = compare_plan(list(scenarios), replications=reps, root_seed=root_seed, overrides=overrides, name=name)
    return execute(plan, out, workers=workers, dask=dask, serial=serial, executor=executor, quiet=quiet,
                   command=command, figures=figures)


def sweep(spec, *, out: str | Path | None = None, workers: int | None = None, dask: str | None = None,
          serial: bool = False, executor=None, quiet: bool = True, figures: bool = True,
          command: list[str] | None = None):
    """Run an experiment file's design (grid, lhs, sobol or morris): every point, every replication."""
    plan = experiment_plan(spec, kind="sweep")
    return execute(plan, out, workers=workers, dask=dask, serial=serial, executor=executor, quiet=quiet,
                   command=command, figures=figures)


def sensitivity(spec, method: str | None = None, *, out: str | Path | None = None, workers: int | None = None,
                dask: str | None = None, serial: bool = False, executor=None, quiet: bool = True,
                figures: bool = True, command: list[str] | None = None):
    """Sobol first and total indices (or the Morris screen) of every summary key, with 95% intervals (SALib).
    `method` defaults to the file's design when it is sobol or morris, else sobol."""
    plan = experiment_plan(spec, kind="sensitivity", method=method)
    return execute(plan, out, workers=workers, dask=dask, serial=serial, executor=executor, quiet=quiet,
                   command=command, figures=figures)
