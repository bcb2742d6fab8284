"""A social organisation: a social-work agency, charity or resident self-organisation with a leader and staff.

Its staff act as far as its leader acts (the source panel, "Leaders set the example": Chen), and it keeps as many social
workers as its purchased-service funding pays for (the source panel, "Funding strain": Chen).
"""

from __future__ import annotations

from mesa import Agent


class Organisation(Agent):
    """One organisation: whether its leader acts, and its social workers at full funding."""

    def __init__(self, model, leader_active: bool, social_workers: int) -> None:
        super().__init__(model)
        self.leader_active = leader_active
        self.social_workers = social_workers
        self.acting = 0

    def workers_acting(self, funding: float, follow_share: float) -> float:
        """Social workers at work today (in full-time equivalents): those the funding keeps, all if the leader
        acts, else the share who act anyway."""
        kept = int(self.social_workers * funding + 0.5)
        self.acting = kept if self.leader_active else kept * follow_share
        return self.acting
