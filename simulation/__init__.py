"""LiánDòng (联动): a Mesa model of community linkage under lockdown.

    >>> import simulation
    >>> result = simulation.run("no_linkage", seed=1, households=300, days=30)
    >>> sorted(result.summary)[:2]
    ['coordinator_overload_days', 'critical_failures']

The model's names are imported on first use (PEP 562), so that a module which needs only a submodule or the summary's
key names (`simulation.keys`, `simulation.provenance`) does not load Mesa and every mechanism. `run` and `RunResult`
are bound here at once: `simulation/run.py` is light, and binding the function after its submodule loads keeps
`simulation.run` the function.
"""

from __future__ import annotations

import importlib
import typing

from simulation.keys import SUMMARY_KEYS
from simulation.run import RunResult, run

_LAZY = {
    "CommunityModel": "simulation.model",
    "run_district": "simulation.district",
    "DistrictResult": "simulation.district",
    "DAILY_COLUMNS": "simulation.outcomes",
}
__all__ = ["CommunityModel", "RunResult", "run", "run_district", "DistrictResult", "DAILY_COLUMNS", "SUMMARY_KEYS"]

if typing.TYPE_CHECKING:
    from simulation.district import DistrictResult, run_district
    from simulation.model import CommunityModel
    from simulation.outcomes import DAILY_COLUMNS


def __getattr__(name: str) -> typing.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'simulation' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
