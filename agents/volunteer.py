"""A volunteer: a resident who joined, a recruit from a call, medical, psychological or general.

Its state lives in the volunteer pool's arrays (simulation/linkage/volunteers.py), updated for all volunteers at
once; the attributes here read row `index` of them, like a household's.
"""

from __future__ import annotations

from mesa import Agent

#: A volunteer's kind and status, by the codes the pool's arrays hold.
KIND_NAMES = ("general", "medical", "psych")
STATUS_NAMES = ("applicant", "active", "burnt_out", "dropped", "rejected")


class Volunteer(Agent):
    """One volunteer; the pool updates its state, it has no step of its own."""

    def __init__(self, model, pool, index: int) -> None:
        super().__init__(model)
        self.pool = pool
        self.index = index

    @property
    def category(self) -> str:
        return KIND_NAMES[int(self.pool.kind[self.index])]

    @property
    def status(self) -> str:
        return STATUS_NAMES[int(self.pool.status[self.index])]

    @property
    def fatigue(self) -> float:
        return float(self.pool.fatigue[self.index])

    @property
    def grid(self) -> int:
        return int(self.pool.grid[self.index])

    @property
    def recruited(self) -> bool:
        """Came through a recruitment call (vetted, supervised), rather than mobilised by neighbours."""
        return bool(self.pool.recruit[self.index])

    @property
    def household(self) -> int:
        return int(self.pool.home[self.index])
