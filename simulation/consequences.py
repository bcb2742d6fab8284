"""Process 7, consequences: urgent needs fail, distress moves, cadres tire, prices move (simulation/prices.py).

Distress rises with confinement (the phase's isolation stress), with each need left open more than a day and with an
empty larder; it relaxes towards the household's own baseline and is relieved by trusted social ties.

Sources: domain-facts, mental-health survey (41.9% distressed, H) and stylized fact 6 (committee and volunteer
support reduced distress through social cohesion; Miao, Zeng & Shi 2020); stylized fact 5 (dialysis and chronic
care disrupted: an urgent medical need unmet past its deadline is a critical failure); domain.md, cadres had
nobody to relieve them (agents/cadre.py).
"""

from __future__ import annotations

import numpy as np

from simulation.households import MEDICAL


def apply(model) -> None:
    hh, day = model.households, model.day
    deadline = model.config.needs.medical_deadline_days
    waiting = np.flatnonzero(hh.open[:, MEDICAL] & ~hh.failed[:, MEDICAL])
    late = waiting[day - hh.raised_day[waiting, MEDICAL] >= deadline]
    hh.failed[late, MEDICAL] = True
    model.ledger.critical_failures += len(late)
    _distress(model)


def _distress(model) -> None:
    """d <- clip(d + isolation + unmet_stress * overdue + hunger_stress * [no food] - relaxation * (d - baseline)
    - support * social_support, 0, 1), with the terms fixed for the run folded into `model.distress_drift`."""
    hh, d, day = model.households, model.config.distress, model.day
    overdue = hh.open_per_household(hh.open & (hh.raised_day < day))
    new = hh.distress * (1.0 - d.relaxation)
    new += model.distress_drift
    new += d.unmet_stress * overdue
    new += d.hunger_stress * (hh.food_stock <= 0.0)
    new += model.phase.isolation_stress
    np.maximum(new, 0.0, out=new)
    np.minimum(new, 1.0, out=hh.distress)
