"""Process 4, the order in which known needs are served.

A triage policy gives each known need a priority class, a small integer: lower classes are served first and, inside
a class, needs are served in random order. Without social-worker triage the queue is first come, first served: the
class is the day the need was reported. (Needs-based triage by vulnerability and urgency is a linkage mechanism:
the source panel, "Needs first", Chen.)
"""

from __future__ import annotations

import numpy as np
from numba import njit


def first_come(model, rows: np.ndarray, cats: np.ndarray) -> np.ndarray:
    """Priority classes of the known open needs at (rows, cats): the day each was reported.

    A policy returns one non-negative integer (int64) per need. A class is rank x (days + 1) + report day, rank 0
    here: delivery reads the report day back from it to decide how far responders look ahead to fill their day
    (simulation/delivery.py).
    """
    return _report_days(rows, cats, model.households.reported_day)


@njit(cache=True)
def _report_days(rows, cats, reported_day):
    """reported_day[rows, cats].astype(int64), in one compiled pass."""
    out = np.empty(len(rows), np.int64)
    for j in range(len(rows)):
        out[j] = reported_day[rows[j], cats[j]]
    return out
