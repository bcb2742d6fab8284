"""`run`: one scenario, one seed, to the end; the object every experiment and the command line build on."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from scenarios import Scenario
from simulation.provenance import code_version

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class RunResult:
    """A finished run: its summary (the model requirements Outcomes), its daily series and the scenario it ran."""

    scenario: Scenario
    seed: int
    summary: dict
    daily: pd.DataFrame
    version: str


def run(scenario: str | Path | Scenario = "no_linkage", seed: int = 0, **overrides) -> RunResult:
    """Run `scenario` (a preset name, a path or a `Scenario`) with `seed` to its last day.

    Overrides are scenario fields: `run("no_linkage", seed=3, households=500, days=30)`, dotted keys for
    sections: `run("no_linkage", **{"reporting.call_prob": 0.2})`.
    """
    from simulation.model import CommunityModel  # here: `import simulation` does not load Mesa (simulation/__init__)

    model = CommunityModel(scenario=scenario, rng=seed, **overrides)
    while model.running:
        model.step()
    daily = model.daily()
    return RunResult(scenario=model.config, seed=model.seed, summary=model.summary(), daily=daily,
                     version=code_version())
