"""A cadre: a community worker, grid worker, or a cadre sunk from a government unit (下沉干部).

Cadres are the front line throughout and have nobody to relieve them (domain.md, Actors; Song). Each day a cadre
offers hours to the grid cells it covers; the model spends them on gates, reports, screening and deliveries, then
the cadre tires in proportion to its load. Fatigue eats into tomorrow's hours.

The cadres' daily state (fatigue, load, hours worked) lives in one `CadreRoster` of arrays, updated for all cadres at
once: a community with sunk cadres has hundreds of them, and a Python call per cadre per day cost a tenth of a run.
A `Cadre` agent is a view on its row of the roster, like a household on the household arrays.
"""

from __future__ import annotations

import numpy as np
from mesa import Agent


class CadreRoster:
    """Fatigue, load and hours worked of every cadre, in the order they joined."""

    def __init__(self, config) -> None:
        self.config = config  # the scenario's [cadres] section
        self.fatigue = np.zeros(0)
        self.load = np.zeros(0)  # share of the day's hours used
        self.hours_worked = np.zeros(0)

    def __len__(self) -> int:
        return len(self.fatigue)

    def add(self) -> int:
        """A new row for a cadre who joins now, rested; returns its index."""
        self.fatigue, self.load, self.hours_worked = (np.append(a, 0.0) for a in
                                                      (self.fatigue, self.load, self.hours_worked))
        return len(self.fatigue) - 1

    def hours_today(self) -> np.ndarray:
        """Hours each cadre can give today, less what fatigue takes."""
        c = self.config
        return c.hours_per_day * (1.0 - c.fatigue_penalty * self.fatigue)

    def end_day(self, load: np.ndarray, hours_offered: np.ndarray, rows: slice | np.ndarray = slice(None)) -> None:
        """Tire in proportion to today's load (share of the hours offered that were used); recover only if someone
        relieves the cadre (`fatigue_recovery`, 0 by default)."""
        c = self.config
        self.load[rows] = load
        self.hours_worked[rows] = load * hours_offered
        self.fatigue[rows] = np.minimum(1.0, np.maximum(0.0, self.fatigue[rows] + c.fatigue_rate * load
                                                        - c.fatigue_recovery))


class Cadre(Agent):
    """One cadre with daily hours, fatigue and the grid cells it covers (a view on the model's `cadre_roster`)."""

    def __init__(self, model, role: str, grids: list[int]) -> None:
        super().__init__(model)
        self.role = role  # "grid_worker", "community_worker" or "sunk"
        self.grids = grids
        self.index = model.cadre_roster.add()

    @property
    def fatigue(self) -> float:
        return float(self.model.cadre_roster.fatigue[self.index])

    @property
    def load(self) -> float:
        """Share of today's hours used."""
        return float(self.model.cadre_roster.load[self.index])

    @property
    def hours_worked(self) -> float:
        return float(self.model.cadre_roster.hours_worked[self.index])

    def hours_today(self) -> float:
        """Hours this cadre can give today, less what fatigue takes."""
        c = self.model.cadre_roster.config
        return c.hours_per_day * (1.0 - c.fatigue_penalty * self.fatigue)

    def end_day(self, load: float, hours_offered: float) -> None:
        """This cadre's end of day alone (the model ends all cadres' days at once with the roster)."""
        self.model.cadre_roster.end_day(np.array([load]), np.array([hours_offered]),
                                        slice(self.index, self.index + 1))
