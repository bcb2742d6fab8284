"""Needs triage and referral: social workers screen the vulnerable and order the queue by urgency and vulnerability.

Source: the source panel, "Needs first" (Chen): *social workers start from residents' needs, screen and assess them, and
link each to the right resource or expert; they do not only do what they are good at*; Actors: social workers
assess and screen needs and link residents to the right expert quickly. Figures: sources, one online team saw
75 crisis cases among 6,252 served (M); social workers went offline into streets for special groups from 20 Feb
(day 28).

From `start_day`, the queue is no longer first come, first served: urgent medical needs (dialysis, acute events)
come first, then psychological needs in crisis (distress above `crisis_threshold`), then medicine, then the needs
of vulnerable households, then the rest; inside a rank, earlier reports first. The social workers also phone
`screens_per_worker` households a day each down the community's register of special groups, revealing their open
needs, in their own time (they are outside the formal community system: the source panel, Actors), as far as their
`hours_per_day` go at `screen_hours` a call.

`ranked_classes` is the same order for the needs of the households on a caseload only, the others waiting in the
general line (rank OTHER, first come): the policy of cadres who order by need the households whose assessment the
social organisations share with them (simulation/linkage/organisations.py).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from simulation.households import MEDICAL, MEDICINE, PSYCH
from simulation.linkage.base import Mechanism
from simulation.reporting import round_of

URGENT, CRISIS, MEDICINE_RANK, VULNERABLE, OTHER = range(5)


class NeedsTriage(Mechanism):
    name = "needs_triage"

    def setup(self, model) -> None:
        self.cfg = model.config.triage
        hh = model.households
        self.span = model.config.days + 1
        self.vulnerable = hh.vulnerable
        self.pointer = 0
        self.first_come = model.triage

    def start_day(self, model) -> None:
        if model.day == self.cfg.start_day and len(model.register):  # start where the cadres' round is farthest
            self.pointer = (model.register_pointer + len(model.register) // 2) % len(model.register)
        model.triage = self.classes if model.day >= self.cfg.start_day else self.first_come
        if model.day >= self.cfg.start_day:
            model.hours.offer("social_worker", self.cfg.social_workers * self.cfg.hours_per_day, owner=self.name)

    def classes(self, model, rows: np.ndarray, cats: np.ndarray) -> np.ndarray:
        """Rank by urgency and vulnerability, then report day, for the known needs at (rows, cats)."""
        hh = model.households
        return _classes(rows, cats, hh.everyone, self.vulnerable, hh.reported_day, hh.distress,
                        self.cfg.crisis_threshold, self.span)

    def report(self, model) -> None:
        if model.day < self.cfg.start_day:
            return
        register, c, hours = model.register, self.cfg, model.hours
        affordable = int(hours.left("social_worker", self.name) / c.screen_hours + 1e-9)
        k = min(c.social_workers * c.screens_per_worker, affordable, len(register))
        if k == 0:
            return
        rows = round_of(register, self.pointer, k)
        self.pointer = (self.pointer + k) % len(register)
        hours.spend("social_worker", "screening", k * c.screen_hours, owner=self.name)
        model.ledger.report(model.households, rows, model.day)


def ranked_classes(model, rows: np.ndarray, cats: np.ndarray, ranked: np.ndarray,
                   crisis_threshold: float) -> np.ndarray:
    """The triage classes of the known needs at (rows, cats) for the households of the mask `ranked`; every need of
    the other households is in the general line, rank OTHER, by report day (the order of first come, behind every
    ranked need of an earlier rank)."""
    hh = model.households
    return _classes(rows, cats, ranked, hh.vulnerable, hh.reported_day, hh.distress, crisis_threshold,
                    model.config.days + 1)


@njit(cache=True)
def _classes(rows, cats, ranked, vulnerable, reported_day, distress, crisis_threshold, span):
    """rank x span + reported_day of each need (rows[j], cats[j]): for a household of `ranked`, medical visits are
    URGENT; psychological needs in crisis (distress above the threshold) CRISIS; medicine MEDICINE_RANK; the other
    needs VULNERABLE for vulnerable households, else OTHER; every need of the other households OTHER (integers:
    exact)."""
    out = np.empty(len(rows), np.int64)
    for j in range(len(rows)):
        r, c = rows[j], cats[j]
        if not ranked[r]:
            rank = OTHER
        elif c == MEDICAL:
            rank = URGENT
        elif c == MEDICINE:
            rank = MEDICINE_RANK
        elif c == PSYCH and distress[r] > crisis_threshold:
            rank = CRISIS
        else:
            rank = VULNERABLE if vulnerable[r] else OTHER
        out[j] = rank * span + reported_day[r, c]
    return out
