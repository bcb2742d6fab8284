"""Process 4, the order in which known needs are served.

Without social-worker triage, the queue is first come, first served: needs reported earlier are served first, and
needs reported the same day in random order. (Needs-based triage by vulnerability and urgency is a linkage
mechanism: domain.md, "Needs first", Song.)
"""

from __future__ import annotations

import numpy as np


def first_come(model, rows: np.ndarray, cats: np.ndarray) -> np.ndarray:
    """Order of the queue (rows, cats): earliest report first, ties broken at random."""
    tie = model.streams("triage", model.day).random(len(rows))
    return np.lexsort((tie, model.households.reported_day[rows, cats]))
