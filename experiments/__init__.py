"""Experiments: replicated comparisons, parameter sweeps and sensitivity analysis, resumable, on local processes
or a Dask cluster. See docs/experiments.md.

    >>> import experiments
    >>> res = experiments.compare(["no_linkage", "variant.toml"], reps=10)      # doctest: +SKIP
    >>> res.tables["differences"]                                               # doctest: +SKIP

The design follows the EMA workbench: a model is a function of named factors returning named outcomes
(`simulation.run` with dotted scenario keys, its summary), designs (`design`: grid, Latin hypercube, Sobol, Morris)
are kept apart from evaluators (`executors`: serial, local processes, Dask), each run is identified by (design
point, replication) and seeded from that identity (`seeds`), and every finished run is stored at once (`store`).

Names are imported lazily, so `import experiments` (and the command line) stays fast.
"""

from __future__ import annotations

import importlib

from experiments.errors import ExperimentError

_EXPORTS = {
    "compare": "experiments.api",
    "sweep": "experiments.api",
    "sensitivity": "experiments.api",
    "reproduce": "experiments.api",
    "model_function": "experiments.api",
    "dry_run": "experiments.runner",
    "report": "experiments.reports",
    "ExperimentResult": "experiments.reports",
    "load_runs": "experiments.store",
    "load_daily": "experiments.store",
    "load_spec": "experiments.spec",
    "alias": "experiments.spec",
    "canonical_key": "experiments.spec",
    "ExperimentSpec": "experiments.spec",
    "scenario_means": "experiments.stats",
    "paired_differences": "experiments.stats",
    "point_means": "experiments.stats",
    "t_interval": "experiments.stats",
    "indices": "experiments.analysis",
    "run_seed": "experiments.seeds",
    "compare_plan": "experiments.plan",
    "experiment_plan": "experiments.plan",
    "execute": "experiments.runner",
    "SerialExecutor": "experiments.executors",
    "ProcessExecutor": "experiments.executors",
    "DaskExecutor": "experiments.executors",
    "calibrate": "experiments.calibration",
    "Posterior": "experiments.posterior",
}

__all__ = ["ExperimentError", *_EXPORTS]


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'experiments' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
