"""A cadre: a community worker, grid worker, or a cadre sunk from a government unit (下沉干部).

Cadres are the front line throughout and have nobody to relieve them (domain.md, Actors; Song). Each day a cadre
offers hours to the grid cells it covers; the model spends them on gates, reports, screening and deliveries, then
the cadre tires in proportion to its load. Fatigue eats into tomorrow's hours.
"""

from __future__ import annotations

from mesa import Agent


class Cadre(Agent):
    """One cadre with daily hours, fatigue and the grid cells it covers."""

    def __init__(self, model, role: str, grids: list[int]) -> None:
        super().__init__(model)
        self.role = role  # "grid_worker", "community_worker" or "sunk"
        self.grids = grids
        self.fatigue = 0.0
        self.load = 0.0  # share of today's hours used
        self.hours_worked = 0.0

    def hours_today(self) -> float:
        """Hours this cadre can give today, less what fatigue takes."""
        c = self.model.config.cadres
        return c.hours_per_day * (1.0 - c.fatigue_penalty * self.fatigue)

    def end_day(self, load: float, hours_offered: float) -> None:
        """Tire in proportion to today's load (share of the hours offered that were used); recover only if someone
        relieves the cadre."""
        c = self.model.config.cadres
        self.load = load
        self.hours_worked = load * hours_offered
        self.fatigue = min(1.0, max(0.0, self.fatigue + c.fatigue_rate * load - c.fatigue_recovery))
