"""The evaluator's unit of work: one run from a task dict, with any exception caught and recorded.

`run_one` is a plain module-level function of a plain dict, so every executor (in-process, a process pool with
'forkserver' or 'spawn', Dask workers on other machines) can call it; it needs nothing but the installed project.
"""

from __future__ import annotations

import time
import traceback

import scenarios
import simulation


def run_one(task: dict) -> dict:
    """Run `task` ({run, point, rep, seed, scenario, overrides, daily}); never raises.

    Returns {run, status: "ok" | "failed", error, traceback (None when ok), seconds, summary, daily (DataFrame or
    None)}.
    """
    start = time.perf_counter()
    out = {"run": task["run"], "status": "ok", "error": None, "traceback": None, "summary": {}, "daily": None}
    try:
        out["summary"], daily = _simulate(task)
        if task.get("daily"):
            out["daily"] = daily
    except Exception as exc:  # a run that raises is recorded, the experiment goes on
        interrupt = interrupt_behind(exc)
        if interrupt is not None:
            raise interrupt from None
        out.update(status="failed", error=f"{type(exc).__name__}: {exc}"[:2000],
                   traceback=traceback.format_exc()[-8000:])
    out["seconds"] = time.perf_counter() - start
    return out


def interrupt_behind(exc: BaseException) -> KeyboardInterrupt | None:
    """The Ctrl-C or termination signal an exception stands for, if any. A signal that arrives while compiled code
    calls back into Python (Numba loading a cached constant) surfaces as a SystemError caused by the interrupt; the
    run did not fail, the experiment was asked to stop, so the interrupt goes on up."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def scenario_of(task: dict):
    """The scenario a task runs: its resolved scenario with its point's factor values."""
    scenario = scenarios.load(task["scenario"])
    if task["overrides"]:
        scenario = scenarios.apply_overrides(scenario, task["overrides"], label=f"design point {task['point']}")
    return scenario


def _simulate(task: dict):
    result = simulation.run(scenario_of(task), seed=task["seed"])
    return dict(result.summary), result.daily


def failed(task: dict, error: str) -> dict:
    """The record of a run whose worker died or was lost (the executor could not get its result)."""
    return {"run": task["run"], "status": "failed", "error": error[:2000], "traceback": None, "summary": {},
            "daily": None, "seconds": 0.0}
