"""Process 3, needs are reported or stay hidden.

A household's open needs become known when it posts them in the community's online group (digital households
only), gets through on the phone, has a trusted online neighbour report for it, or is screened by a cadre working
down the register of special groups. Reports cost cadre time and the cadres' hours for them are limited, so on busy
days attempts go unanswered and needs stay hidden. A need nobody reported is invisible to every responder.

Sources: docs/sources.md, stylized facts 2 (coordinators are the early bottleneck: one worker per 450-1,000 residents on
phone duty) and 4 (digital divide: older residents depend on calls and home visits, a cadre made 100-200 calls a
day, so their needs are discovered later); hotline at 10x capacity (sources, mental health); the source panel:
people marginalised by new digital technology (Actors).
"""

from __future__ import annotations

import numpy as np
from numba import njit


def report(model) -> None:
    """Households (or neighbours for them) try to report, households already known to wait phone again to chase
    their needs; cadres read the written reports first, then take the calls as they come, until the report budget
    runs out.

    Four uniform numbers per household with hidden needs (online post, call, neighbour, place in the line), and one
    Poisson number of chasing calls for the day (stream `reporting:chase`) when households chase."""
    hh, r, day = model.households, model.config.reporting, model.day
    waiting = waiting_rows(hh)
    u = model.streams.random("reporting", day, (4, len(waiting)))
    trying, cost, call = _attempts(waiting, u, hh.digital, model.neighbour_report_prob, r.online_prob, r.call_prob,
                                   r.call_hours, r.message_hours)
    tries = waiting[trying]
    chases = 0
    if r.chase_calls > 0:  # one Poisson number: the sum of each waiting household's Poisson(chase_calls) calls
        known = _count_chasing(hh.open.view(np.uint8), hh.reported.view(np.uint8), hh.reported_day, day)
        if known:
            chases = int(model.streams("reporting:chase", day).poisson(r.chase_calls * known))
    chase_cost = chases * r.chase_hours
    budget = model.hours.budget("reports")
    load = float(np.add.reduce(cost))  # pairwise, as NumPy sums (a compiled left-to-right sum differs in the last bits)
    if load + chase_cost <= budget:  # everyone gets through
        taken, through, chased = tries, slice(None), chases
    else:  # the written reports are read first; who gets through on the phone is a matter of luck
        line = np.where(call, u[3][trying], u[3][trying] - 1.0)  # messages in [-1, 0), calls in [0, 1)
        order = line.argsort()
        taken_cost = cost[order].cumsum()
        if chases == 0:
            k = int(taken_cost.searchsorted(budget, side="right"))
            chased = 0
        else:
            # The chasing calls ring at random moments of the phone day, evenly on average: by the time of a call at
            # place u in the phone line, chase_cost * u of the budget has gone to them. The line stops at the first
            # attempt that no longer fits, and the chasing calls that fit before it are taken.
            key = np.maximum(line[order], 0.0)
            k = int((taken_cost + chase_cost * key).searchsorted(budget, side="right"))
            before = float(taken_cost[k - 1]) if k else 0.0
            stop = min(float(key[k]) if k < len(key) else 1.0, max(budget - before, 0.0) / chase_cost)
            chased = min(int(chases * stop), chases)
        taken, through = tries[order[:k]], order[:k]
    model.ledger.report(hh, taken, day)
    phoned, spent = call[through], cost[through]
    model.calls_taken = int(np.count_nonzero(phoned)) + chased
    calls = float(np.add.reduce(spent[phoned])) + chased * r.chase_hours
    taken_hours = float(np.add.reduce(spent))
    model.hours.spend("cadre", "calls", calls, budget="reports")
    model.hours.spend("cadre", "posts", taken_hours + chased * r.chase_hours - calls, budget="reports")
    model.coordination_load = model.hours.charged("reports")  # what the line took so far: the calls and posts taken
    # with the attempts and chasing calls that did not get through
    model.coordination_load += load - taken_hours + (chases - chased) * r.chase_hours


def screen(model) -> None:
    """Cadres work down the register of special groups, revealing the open needs of each household they reach."""
    register = model.register
    if len(register) == 0:
        return
    per_call = model.config.reporting.screen_hours
    k = min(int(model.hours.budget("screening") / per_call + 1e-9), len(register))  # at most one pass a day
    rows = round_of(register, model.register_pointer, k)
    model.register_pointer = (model.register_pointer + k) % len(register)
    model.ledger.report(model.households, rows, model.day)
    model.hours.spend("cadre", "screening", k * per_call, budget="screening")


# --- shared by the channels of linkage/ (called from Python: a compiled function calls none of another module) ---
def waiting_rows(hh, among: np.ndarray | None = None) -> np.ndarray:
    """The households (of the mask `among`, or all) with an open need no responder knows of, in row order."""
    among = hh.everyone if among is None else among
    return _waiting(hh.open.view(np.uint8), hh.reported.view(np.uint8), among.view(np.uint8))


def count_waiting(hh, rows: np.ndarray) -> int:
    """How many of the households `rows` have an open need no responder knows of."""
    return _count_waiting(rows, hh.open, hh.reported)


def round_of(roster: np.ndarray, pointer: int, k: int) -> np.ndarray:
    """roster[(pointer + arange(k)) % len(roster)] for k <= len(roster): the next k households of a round that
    works down `roster` and starts again at its top (a view when the round does not wrap)."""
    end = pointer + k
    if end <= len(roster):
        return roster[pointer:end]
    return np.concatenate((roster[pointer:], roster[:end - len(roster)]))


# --- compiled loops: each computes the NumPy expression in its docstring, exactly (comparisons and counts only) ----
@njit(cache=True)
def _waiting(open_, reported, among):
    """flatnonzero(among & (open & ~reported).any(axis=1)), on the masks' bytes (0 or 1: `open & ~reported` is 1
    exactly when the need is open and not reported).

    Category by category down the (column-major) table, which the compiler vectorises, then one pass to collect."""
    n, k = open_.shape
    hidden = np.zeros(n, np.uint8)
    for c in range(k):
        for r in range(n):
            hidden[r] |= open_[r, c] & ~reported[r, c]
    out = np.empty(n, np.int64)
    m = 0
    for r in range(n):  # without branches: who has a hidden need is unpredictable
        out[m] = r
        m += among[r] & hidden[r]
    return out[:m]


@njit(cache=True)
def _count_chasing(open_, reported, reported_day, day) -> int:
    """int((open & reported & (reported_day < day)).any(axis=1).sum()): households waiting for a need that
    responders have known of since an earlier day. `open` and `reported` are the masks' bytes."""
    n, k = open_.shape
    chasing = np.zeros(n, np.uint8)
    for c in range(k):  # category by category down the (column-major) table
        for r in range(n):
            chasing[r] |= open_[r, c] & reported[r, c] & np.uint8(reported_day[r, c] < day)
    m = 0
    for r in range(n):
        m += chasing[r]
    return m


@njit(cache=True)
def _count_waiting(rows, open_, reported) -> int:
    """int((open[rows] & ~reported[rows]).any(axis=1).sum())."""
    m = 0
    for r in rows:
        hidden = False
        for c in range(open_.shape[1]):
            hidden |= open_[r, c] > reported[r, c]
        m += hidden
    return m


@njit(cache=True)
def _attempts(waiting, u, digital, neighbour_prob, online_prob, call_prob, call_hours, message_hours):
    """Who of `waiting` tries to report, and at what cost to the cadres:

    online = digital[waiting] & (u[0] < online_prob); call = ~online & (u[1] < call_prob);
    neighbour = ~online & ~call & (u[2] < neighbour_prob[waiting]); trying = online | call | neighbour;
    returns flatnonzero(trying) (positions in `waiting`), where(call[trying], call_hours, message_hours) and
    call[trying].
    """
    m = len(waiting)
    trying = np.empty(m, np.int64)
    cost = np.empty(m)
    phoned = np.empty(m, np.bool_)
    k = 0
    for j in range(m):  # without branches: who tries is a draw
        r = waiting[j]
        online = digital[r] & (u[0, j] < online_prob)
        call = (not online) & (u[1, j] < call_prob)
        neighbour = (not online) & (not call) & (u[2, j] < neighbour_prob[r])
        trying[k] = j
        cost[k] = call_hours if call else message_hours
        phoned[k] = call
        k += online | call | neighbour
    return trying[:k], cost[:k], phoned[:k]
