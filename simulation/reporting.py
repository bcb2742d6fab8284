"""Process 3, needs are reported or stay hidden.

A household's open needs become known when it posts them in the community's online group (digital households
only), gets through on the phone, has a trusted online neighbour report for it, or is screened by a cadre working
down the register of special groups. Reports cost cadre time and the cadres' hours for them are limited, so on busy
days attempts go unanswered and needs stay hidden. A need nobody reported is invisible to every responder.

Sources: domain-facts stylized facts 2 (coordinators are the early bottleneck: one worker per 450-1,000 residents on
phone duty) and 4 (digital divide: older residents depend on calls and home visits, a cadre made 100-200 calls a
day, so their needs are discovered later); hotline at 10x capacity (domain-facts, mental health); domain.md:
people marginalised by new digital technology (Actors).
"""

from __future__ import annotations

import numpy as np


def report(model) -> None:
    """Households (or neighbours for them) try to report; cadres take reports until their hours run out."""
    hh, r, day = model.households, model.config.reporting, model.day
    waiting = np.flatnonzero((hh.open & ~hh.reported).any(axis=1))
    u = model.streams("reporting", day).random((4, len(waiting)))
    online = hh.digital[waiting] & (u[0] < r.online_prob)
    call = ~online & (u[1] < r.call_prob)
    neighbour = ~online & ~call & (u[2] < model.neighbour_report_prob[waiting])
    trying = online | call | neighbour
    tries = waiting[trying]
    cost = np.where(call[trying], r.call_hours, r.message_hours)
    load = float(cost.sum())
    if load <= model.hours.coordination:  # everyone gets through
        taken, used = tries, load
    else:  # who gets through first is a matter of luck
        order = np.argsort(u[3][trying])
        spent = np.cumsum(cost[order])
        k = int(np.searchsorted(spent, model.hours.coordination, side="right"))
        taken, used = tries[order[:k]], float(spent[k - 1]) if k else 0.0
    model.ledger.report(hh, taken, day)
    model.coordination_load = load
    model.hours.coordination_used = used


def screen(model) -> None:
    """Cadres work down the register of special groups, revealing the open needs of each household they reach."""
    register = model.register
    if len(register) == 0:
        return
    per_call = model.config.reporting.screen_hours
    k = min(int(model.hours.screening / per_call + 1e-9), len(register))  # at most one pass a day
    rows = register[(model.register_pointer + np.arange(k)) % len(register)]
    model.register_pointer = (model.register_pointer + k) % len(register)
    model.ledger.report(model.households, np.sort(rows), model.day)
    model.hours.screening_used = k * per_call
