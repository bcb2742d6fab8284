"""Process 7, consequences: urgent needs fail, distress moves, cadres tire and fall ill, prices move
(simulation/prices.py).

Distress rises with confinement (the phase's isolation stress), with each need left open more than a day and with an
empty larder; it relaxes towards the household's own baseline and is relieved by trusted social ties. Part of the
hardship stays (`distress.scar`: the baseline rises with it), and a household whose urgent medical need fails (a
patient gravely ill or lost) carries a lasting rise of its baseline (`distress.bereavement`); the relief of a phase
with negative isolation stress (reopening) reaches the key groups (elderly people living alone, the chronically
ill, the bereaved) only in part. So distress in those
key groups does not vanish when the lockdown ends. A household is in need of psychological help from when its
distress rises above `needs.psych_threshold` until it eases below the threshold less `RECOVERY_MARGIN`.

Cadres who worked today may fall ill, the more likely the more tired they are (agents/cadre.py, `health`), and the
community's own cadres recover some fatigue when sunk cadres relieve them.

Sources: sources, mental-health survey (41.9% distressed, 10.2% needing help, H) and stylized fact 6 (committee
and volunteer support reduced distress through social cohesion; Miao, Zeng & Shi 2020); stylized fact 5 (dialysis
and chronic care disrupted: an urgent medical need unmet past its deadline is a critical failure, and each dialysis
session missed is one); the source panel, Aftermath (psychological problems surface in key groups later; community
workers need relief and care) and Actors (cadres had nobody to relieve them); sources, community-worker losses
(one team fell from 6 to 2 people, L).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from simulation.households import MEDICAL, RECOVERY_MARGIN


def apply(model) -> None:
    """Urgent medical needs open past their deadline become critical failures (each missed dialysis session, each
    other urgent need, counted once); distress moves; the households in need of help are updated; cadres' health."""
    hh, d = model.households, model.config.distress
    led = model.ledger
    led.critical_failures += _fail_late(hh.open.view(np.uint8), hh.failed.view(np.uint8), hh.raised_day,
                                        hh.medical_clock, model.day, model.config.needs.medical_deadline_days,
                                        hh.bereaved, hh.baseline_distress, d.bereavement,
                                        model.compounds.of_household, led.critical_by_compound)
    _distress(model)  # and who is in need of help
    _cadres_health(model)


def _distress(model) -> None:
    """d <- clip(d + isolation + hardship - relaxation * (d - baseline) - support * social_support, 0, 1), with
    hardship = unmet_stress * overdue + hunger_stress * [no food], isolation scaled by `key_group_recovery` for the
    key groups when it is negative, and baseline += scar * hardship (at most 1); then the households in need of help
    (`_update_in_need`), in the same pass."""
    hh, d = model.households, model.config.distress
    threshold = model.config.needs.psych_threshold
    _move_distress(hh.distress, hh.baseline_distress, model.social_support, d.relaxation, d.support, d.unmet_stress,
                   d.hunger_stress, d.scar, model.phase.isolation_stress, d.key_group_recovery, hh.key_group,
                   hh.bereaved, hh.food_stock, hh.open.view(np.uint8), hh.raised_day, model.day, hh.in_need,
                   threshold, threshold - RECOVERY_MARGIN)


def _cadres_health(model) -> None:
    """One uniform number per cadre (stream `cadres:health`), in joining order; counts kept for observation."""
    roster = model.cadre_roster
    u = model.streams.random("cadres:health", model.day, len(roster))
    model.cadres_fell_ill, model.cadres_leaving = roster.health(model.day, u)


# --- compiled loops: one pass over the households each ----------------------------------------------------------
@njit(cache=True)
def _fail_late(open_, failed, raised_day, medical_clock, day, deadline, bereaved, baseline, bereavement, compound,
               by_compound) -> int:
    """late = open[:, MEDICAL] & ~failed[:, MEDICAL] & (day - max(raised_day[:, MEDICAL], medical_clock) >=
    deadline); failed[late, MEDICAL] = True; bereaved[late] = True; baseline[late] = min(baseline + bereavement, 1);
    returns late.sum(), and adds each failure to `by_compound` at its household's compound type (`compound`, -1 for
    none). `open` and `failed` are the masks' bytes (0 or 1); `medical_clock` is the day a dialysis patient's latest
    missed session fell due (needs.py), -1 if none."""
    k = 0
    for r in range(open_.shape[0]):
        if open_[r, MEDICAL] and not failed[r, MEDICAL]:
            start = max(np.int64(raised_day[r, MEDICAL]), np.int64(medical_clock[r]))
            if day - start >= deadline:
                failed[r, MEDICAL] = 1
                bereaved[r] = True
                baseline[r] = min(baseline[r] + bereavement, 1.0)
                k += 1
                if compound[r] >= 0:
                    by_compound[compound[r]] += 1
    return k


@njit(cache=True)
def _move_distress(distress, baseline, support_ties, relaxation, support, unmet_stress, hunger_stress, scar,
                   isolation, key_group_recovery, key_group, bereaved, food_stock, open_, raised_day, day, in_need,
                   threshold, eased_below):
    """The day's distress, household by household:

    overdue = (open & (raised_day < day)).sum(axis=1); hardship = unmet_stress * overdue + hunger_stress *
    (food_stock <= 0); iso = isolation, times key_group_recovery for the key groups (key_group | bereaved) if
    isolation < 0;
    baseline = min(baseline + scar * hardship, 1); distress = clip(distress * (1 - relaxation) + relaxation *
    baseline - support * support_ties + hardship + iso, 0, 1); then in_need as `_update_in_need` sets it from the
    new distress. `open` is the mask's bytes (0 or 1).
    """
    n, k = open_.shape
    overdue = np.zeros(n, np.uint8)  # category by category down the (column-major) table: vectorised
    for c in range(k):
        for r in range(n):
            overdue[r] += open_[r, c] & np.uint8(raised_day[r, c] < day)
    keep = 1.0 - relaxation
    relief_key = isolation * key_group_recovery if isolation < 0.0 else isolation
    scarring = scar > 0.0
    for r in range(n):  # without branches (selects), so that the compiler vectorises it
        hardship = unmet_stress * float(overdue[r]) + hunger_stress * (1.0 if food_stock[r] <= 0.0 else 0.0)
        old = baseline[r]
        base = min(old + scar * hardship, 1.0) if (hardship > 0.0) & scarring else old
        baseline[r] = base
        new = distress[r] * keep + relaxation * base - support * support_ties[r] + hardship
        new += relief_key if key_group[r] | bereaved[r] else isolation
        new = min(max(new, 0.0), 1.0)
        distress[r] = new
        in_need[r] = (new > threshold) | (in_need[r] & (new >= eased_below))


@njit(cache=True)
def _update_in_need(in_need, distress, threshold, eased_below):
    """in_need = (distress > threshold) | (in_need & (distress >= eased_below))."""
    for r in range(len(distress)):
        in_need[r] = distress[r] > threshold or (in_need[r] and distress[r] >= eased_below)
