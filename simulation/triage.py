"""Process 4, the order in which known needs are served.

A triage policy gives each known need a priority class, a small integer: lower classes are served first and, inside
a class, needs are served in random order. Without social-worker triage the queue is first come, first served: the
class is the day the need was reported. (Needs-based triage by vulnerability and urgency is a linkage mechanism:
domain.md, "Needs first", Song.)
"""

from __future__ import annotations

import numpy as np


def first_come(model, rows: np.ndarray, cats: np.ndarray) -> np.ndarray:
    """Priority class of each queued need (rows, cats): the day it was reported."""
    return model.households.reported_day[rows, cats].astype(np.int64)
