"""Process 5, matching and delivery: responders spend their hours on the known needs, in the triage order.

Each grid cell's responders serve the queue of their own cell. A need is served when the hours it costs (by
category) still fit in what its cell has left today, in queue order; the rest wait for tomorrow. What a served need
does: a food package adds days of food, a medicine run a refill, a conversation lowers distress, an escorted visit
or delivered supplies close the need.

Sources: model-spec Process 5; domain-facts stylized facts 2 (extra hands help with shared tasks, not case
management) and 5 (medicine runs were slow and avoided: they cost the most hours).
"""

from __future__ import annotations

import numpy as np

from simulation.households import FOOD, MEDICINE, PSYCH


def queue(model) -> tuple[np.ndarray, np.ndarray]:
    """The known open needs as (household rows, categories), in the triage order."""
    hh = model.households
    rows, cats = np.nonzero(hh.open & hh.reported)
    order = model.triage(model, rows, cats)
    return rows[order], cats[order]


def serve(model, rows: np.ndarray, cats: np.ndarray, capacity: np.ndarray, hours: np.ndarray,
          by: str, counselling_effect: float) -> tuple[np.ndarray, np.ndarray]:
    """Serve the queue (rows, cats) within `capacity` hours per grid cell, each need costing `hours[cat]`.

    Returns the mask of served queue entries and the hours used per grid cell.
    """
    grid = model.network.grid[rows]
    by_grid = np.argsort(grid, kind="stable")  # keeps the triage order inside each cell
    g, cost = grid[by_grid], hours[cats[by_grid]]
    spent = np.cumsum(cost)
    before = np.concatenate([[0.0], spent])[np.searchsorted(g, np.arange(len(capacity)))]
    fits = spent - before[g] <= capacity[g] + 1e-9
    served = np.zeros(len(rows), dtype=bool)
    served[by_grid[fits]] = True
    used = np.bincount(g[fits], weights=cost[fits], minlength=len(capacity))
    meet(model, rows[served], cats[served], by, counselling_effect)
    return served, used


def meet(model, rows: np.ndarray, cats: np.ndarray, by: str, counselling_effect: float) -> None:
    """Close needs met by a responder and apply what the help does."""
    hh, n = model.households, model.config.needs
    model.ledger.meet(hh, rows, cats, model.day, by)
    hh.food_stock[rows[cats == FOOD]] += n.package_days
    hh.medicine_stock[rows[cats == MEDICINE]] += n.refill_days
    psych = rows[cats == PSYCH]
    hh.distress[psych] = np.maximum(hh.distress[psych] - counselling_effect, 0.0)
