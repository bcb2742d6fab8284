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
from numba import njit

from simulation.households import MEDICAL


def apply(model) -> None:
    """Urgent medical needs open past their deadline become critical failures (each counted once); distress moves."""
    hh = model.households
    model.ledger.critical_failures += _fail_late(hh.open.view(np.uint8), hh.failed.view(np.uint8), hh.raised_day,
                                                 model.day, model.config.needs.medical_deadline_days)
    _distress(model)


def _distress(model) -> None:
    """d <- clip(d + isolation + unmet_stress * overdue + hunger_stress * [no food] - relaxation * (d - baseline)
    - support * social_support, 0, 1), with the terms fixed for the run folded into `model.distress_drift`."""
    hh, d = model.households, model.config.distress
    _move_distress(hh.distress, 1.0 - d.relaxation, model.distress_drift, d.unmet_stress, d.hunger_stress,
                   model.phase.isolation_stress, hh.food_stock, hh.open.view(np.uint8), hh.raised_day, model.day)


# --- compiled loops: one pass over the households, each computing the NumPy expression in its docstring ----------
@njit(cache=True)
def _fail_late(open_, failed, raised_day, day, deadline) -> int:
    """late = open[:, MEDICAL] & ~failed[:, MEDICAL] & (day - raised_day[:, MEDICAL] >= deadline);
    failed[late, MEDICAL] = True; returns late.sum(). `open` and `failed` are the masks' bytes (0 or 1)."""
    k = 0
    for r in range(open_.shape[0]):  # without branches: whose need is late is unpredictable
        late = open_[r, MEDICAL] & ~failed[r, MEDICAL] & np.uint8(day - raised_day[r, MEDICAL] >= deadline)
        failed[r, MEDICAL] |= late
        k += late
    return k


@njit(cache=True)
def _move_distress(distress, keep, drift, unmet_stress, hunger_stress, isolation, food_stock, open_, raised_day,
                   day):
    """The day's distress, element by element in the order of the NumPy code it replaces (so bit for bit the same):

    overdue = (open & (raised_day < day)).sum(axis=1); new = distress * keep; new += drift;
    new += unmet_stress * overdue; new += hunger_stress * (food_stock <= 0.0); new += isolation;
    distress = minimum(maximum(new, 0.0), 1.0). Every term is added even when it is 0.0, as NumPy does. `open` is
    the mask's bytes (0 or 1).
    """
    n, k = open_.shape
    overdue = np.zeros(n, np.uint8)  # category by category down the (column-major) table: vectorised
    for c in range(k):
        for r in range(n):
            overdue[r] += open_[r, c] & np.uint8(raised_day[r, c] < day)
    for r in range(n):
        new = distress[r] * keep
        new += drift[r]
        new += unmet_stress * float(overdue[r])
        new += hunger_stress * (1.0 if food_stock[r] <= 0.0 else 0.0)
        new += isolation
        if new < 0.0:  # np.maximum(new, 0.0): keeps `new` unless it is smaller (NaN stays NaN)
            new = 0.0
        if new > 1.0:  # np.minimum(new, 1.0)
            new = 1.0
        distress[r] = new
