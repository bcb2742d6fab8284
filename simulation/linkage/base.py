"""What every linkage mechanism is: the hooks of `Mechanism` (see the package's docstring for when each is called),
and `find`, how one mechanism finds another. The mechanisms' modules import this, and the package imports them.
"""

from __future__ import annotations

from typing import TypeVar

from simulation.delivery import Queue


class Mechanism:
    """Base class: every hook does nothing unless the mechanism overrides it."""

    name = "mechanism"
    COLUMNS: dict[str, int | float] = {}  # its daily columns, with their values when it is off

    def observe(self, model) -> dict[str, int | float]:
        """Today's values of the mechanism's columns (`COLUMNS`); those it leaves out keep their off values."""
        return {}

    def setup(self, model) -> None:
        pass

    def start_day(self, model) -> None:
        pass

    def report(self, model) -> None:
        pass

    def deliver(self, model, queue: Queue) -> Queue:
        return queue

    def mobilise(self, model) -> None:
        pass

    def end_day(self, model) -> None:
        pass


M = TypeVar("M", bound=Mechanism)


def find(model, kind: type[M]) -> M | None:
    """The model's mechanism of class `kind`, or None when the scenario does not switch it on."""
    return next((m for m in model.mechanisms if isinstance(m, kind)), None)
