"""Needs triage and referral: social workers screen the vulnerable and order the queue by urgency and vulnerability.

Source: domain.md, "Needs first" (Song): *social workers start from residents' needs, screen and assess them, and
link each to the right resource or expert; they do not only do what they are good at*; Actors: social workers
assess and screen needs and link residents to the right expert quickly. Figures: domain-facts, one online team saw
75 crisis cases among 6,252 served (M); social workers went offline into streets for special groups from 20 Feb
(day 28).

From `start_day`, the queue is no longer first come, first served: urgent medical needs (dialysis, acute events)
come first, then psychological needs in crisis (distress above `crisis_threshold`), then medicine, then the needs
of vulnerable households, then the rest; inside a rank, earlier reports first. The social workers also phone `screens_per_worker`
households a day each down the community's register of special groups, revealing their open needs, in their own
time (they are outside the formal community system: domain.md, Actors).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from simulation.households import CATEGORIES, FOOD, MEDICAL, MEDICINE, PSYCH, SUPPLIES
from simulation.linkage import Mechanism
from simulation.reporting import round_of

URGENT, CRISIS, MEDICINE_RANK, VULNERABLE, OTHER = range(5)


class NeedsTriage(Mechanism):
    name = "needs_triage"

    def setup(self, model) -> None:
        self.cfg = model.config.triage
        hh = model.households
        self.span = model.config.days + 1
        rank = np.empty((hh.n, len(CATEGORIES)), dtype=np.int64, order="F")
        other = np.where(hh.vulnerable, VULNERABLE, OTHER)
        rank[:, MEDICAL] = URGENT
        rank[:, MEDICINE] = MEDICINE_RANK
        rank[:, FOOD] = other
        rank[:, SUPPLIES] = other
        rank[:, PSYCH] = other
        # int32, as hh.reported_day: the classes are small (rank x (days + 1) + day), and the first-come table
        # delivery reads is int32 too
        self.base = (rank * self.span).astype(np.int32, order="F")
        self.table = self.base.copy(order="F")  # the day's classes, rewritten in place by `classes`
        self.pointer = 0
        self.first_come = model.triage

    def start_day(self, model) -> None:
        if model.day == self.cfg.start_day and len(model.register):  # start where the cadres' round is farthest
            self.pointer = (model.register_pointer + len(model.register) // 2) % len(model.register)
        model.triage = self.classes if model.day >= self.cfg.start_day else self.first_come

    def classes(self, model) -> np.ndarray:
        """Rank by urgency and vulnerability, then report day: a table of every (household, category) cell, the
        same one rewritten each day (a fresh households x categories table a day costs more than the rest of the
        triage)."""
        hh = model.households
        _classes(self.base, hh.reported_day, hh.distress, self.cfg.crisis_threshold, CRISIS * self.span,
                 self.table)
        return self.table

    def report(self, model) -> None:
        if model.day < self.cfg.start_day:
            return
        register = model.register
        k = min(self.cfg.social_workers * self.cfg.screens_per_worker, len(register))
        if k == 0:
            return
        rows = round_of(register, self.pointer, k)
        self.pointer = (self.pointer + k) % len(register)
        model.ledger.report(model.households, rows, model.day)


@njit(cache=True)
def _classes(base, reported_day, distress, crisis_threshold, crisis_class, table):
    """table[:] = base + reported_day; crisis = distress > crisis_threshold;
    table[crisis, PSYCH] = crisis_class + reported_day[crisis, PSYCH] (integers: exact)."""
    n, k = base.shape
    for c in range(k):
        if c == PSYCH:
            for r in range(n):
                table[r, c] = (crisis_class if distress[r] > crisis_threshold else base[r, c]) + reported_day[r, c]
        else:
            for r in range(n):
                table[r, c] = base[r, c] + reported_day[r, c]
