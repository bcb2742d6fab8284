"""A household: the unit of need, of the "one person per household" rule, and a node of the social network.

Its state lives in the model's arrays (simulation/households.py), updated for all households at once each day;
the attributes here read row `index` of those arrays, so a household behaves like any Mesa agent for inspection,
plotting and network queries without costing a Python loop per household per day.
"""

from __future__ import annotations

from mesa.discrete_space import FixedAgent

from scenarios.schema import CATEGORIES


def _column(name: str, doc: str, kind: type = float) -> property:
    return property(lambda self: kind(getattr(self.model.households, name)[self.index]), doc=doc)


class Household(FixedAgent):
    """One household on the social network; the model updates its state, it has no step of its own."""

    def __init__(self, model, index: int, cell) -> None:
        super().__init__(model)
        self.index = index
        self.cell = cell

    size = _column("size", "Persons in the household.", int)
    elderly = _column("elderly", "Has a member aged 60+.", bool)
    lives_alone = _column("alone", "An older person living alone.", bool)
    chronic = _column("chronic", "Has a chronically ill member.", bool)
    dialysis = _column("dialysis", "Has a dialysis or critical-care patient.", bool)
    disabled = _column("disabled", "Has a disabled member.", bool)
    low_income = _column("low_income", "Low-income household (group in difficulty).", bool)
    digital = _column("digital", "Can use online groups and apps.", bool)
    food_stock = _column("food_stock", "Days of food at home.")
    medicine_stock = _column("medicine_stock", "Days of medicine at home (inf when none is needed).")
    distress = _column("distress", "Psychological distress, 0-1.")

    @property
    def building(self) -> int:
        return int(self.model.network.building[self.index])

    @property
    def grid(self) -> int:
        return int(self.model.network.grid[self.index])

    @property
    def open_needs(self) -> list[str]:
        """Categories of the household's open needs."""
        row = self.model.households.open[self.index]
        return [c for c, is_open in zip(CATEGORIES, row) if is_open]

    @property
    def hidden_needs(self) -> list[str]:
        """Open needs that no responder knows of."""
        row = self.model.households.hidden[self.index]
        return [c for c, is_hidden in zip(CATEGORIES, row) if is_hidden]
