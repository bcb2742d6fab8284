"""Process 2, needs arise, and the self-provision the day's phase allows.

Food runs down and a need to restock opens near the end of the stock; chronic patients need refills; dialysis
patients need a session every few days, and a session that falls due while the last one is still missed is another
missed session (another critical failure once its deadline passes, simulation/consequences.py); acute events strike,
more often for the chronically ill and more again when their medicine has run out; distress above a threshold
becomes a request for psychological support (the household is then in need of help until its distress eases well
below the threshold, simulation/consequences.py); protective supplies run out. Households meet needs themselves when the
phase lets them out (the model requirements Phases). A medical visit also needs a hospital that takes the patient that
day (the phase's `hospital_access`), whoever arranges it.

Sources: the source panel, Timeline and "Prices and supply" (Huang: vegetable buying became hard after closure);
sources: stylized fact 5 (medical needs harder to meet: dialysis and chronic care disrupted) and the mental-health
survey (41.9% distressed, 10.2% needing help); the one-person-per-household outing rule (sources Timeline).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from simulation.households import FOOD, MEDICAL, MEDICINE, PSYCH, SUPPLIES


def arise(model) -> None:
    """Consume stocks, open new needs, then let households provide for themselves where the phase allows."""
    hh, led, day, n = model.households, model.ledger, model.day, model.config.needs
    rng = model.streams("needs", day)

    food, medicine, psych, dialysis, no_medicine = _run_down(
        day, n.food_reorder_days, n.medicine_reorder_days, n.psych_threshold, n.dialysis_interval, hh.food_stock,
        hh.medicine_stock, hh.distress, hh.dialysis_rows, hh.dialysis_offset, hh.open.view(np.uint8),
        hh.failed.view(np.uint8), hh.medical_clock)
    # the draws depend on no need open: made first, then the needs open in order
    acute = _acute_events(model, n, rng, no_medicine)
    supplies = _rare_events(hh.n, n.supplies_rate, rng)
    led.raise_each(hh, [(food, FOOD), (medicine, MEDICINE), (dialysis, MEDICAL),
                        (acute, MEDICAL),  # a patient due for dialysis has one need open
                        (psych, PSYCH), (supplies, SUPPLIES)], day)
    model.food_seekers = int(hh.open_count[FOOD])
    _hospital_day(model)

    _self_provide(model, rng)


@njit(cache=True)
def _run_down(day, food_reorder, medicine_reorder, psych_threshold, dialysis_interval, food_stock, medicine_stock,
              distress, dialysis_rows, dialysis_offset, open_, failed, medical_clock):
    """A day of stocks: food and medicine run down by a day (floored at 0). Returns, among the households without
    such a need open already, those whose food or medicine stock is at its reorder point, those whose distress is
    above the threshold (in row order), and the dialysis patients whose session is due today. A patient whose
    session falls due while the medical need is open and already counted as failed has missed another session:
    the need counts again from today (`failed` cleared, `medical_clock` = day). `open_` and `failed` are the needs
    tables' bytes. Also returns the households whose medicine has run out (stock 0 after the day's), in row order.

    The stocks, then the marks of who is in each result (bytes of 8-byte words, `_collect`), are computed in loops
    of their own, which the compiler vectorises."""
    n = len(food_stock)
    for r in range(n):
        food_stock[r] = max(food_stock[r] - 1.0, 0.0)
        medicine_stock[r] = max(medicine_stock[r] - 1.0, 0.0)
    words = (n + 7) // 8
    marks_w = np.empty(4 * words, np.uint64)  # out, food, medicine, psych: `words` words each
    for j in range(1, 5):
        marks_w[j * words - 1] = 0  # the bytes past row n stay 0
    marks = marks_w.view(np.uint8)
    out_m, food_m = marks[:n], marks[8 * words:8 * words + n]
    medicine_m, psych_m = marks[16 * words:16 * words + n], marks[24 * words:24 * words + n]
    food_open, medicine_open, psych_open = open_[:, FOOD], open_[:, MEDICINE], open_[:, PSYCH]
    for r in range(n):
        out_m[r] = medicine_stock[r] <= 0.0
        food_m[r] = (food_stock[r] <= food_reorder) & (food_open[r] == 0)
        medicine_m[r] = (medicine_stock[r] <= medicine_reorder) & (medicine_open[r] == 0)
        psych_m[r] = (distress[r] > psych_threshold) & (psych_open[r] == 0)
    found = []
    for j in range(4):
        column = marks_w[j * words:(j + 1) * words]
        count = _marked(column)
        rows = np.empty(count + 1, np.int64)
        _collect(column, count, rows, 0)
        found.append(rows[:count])
    due = np.empty(len(dialysis_rows), np.int64)
    k_due = 0
    for r in dialysis_rows:
        if (day + dialysis_offset[r]) % dialysis_interval == 0:
            if not open_[r, MEDICAL]:
                due[k_due] = r
                k_due += 1
            elif failed[r, MEDICAL]:
                failed[r, MEDICAL] = 0
                medical_clock[r] = day
    return found[1], found[2], found[3], due[:k_due], found[0]


@njit(cache=True)
def _marked(marks_w) -> int:
    """How many of the bytes of `marks_w` (each 0 or 1) are 1."""
    ones = np.uint64(0x0101010101010101)  # a word of 0s and 1s times this: their sum in its top byte
    total = np.uint64(0)
    for w in range(len(marks_w)):
        total += (marks_w[w] * ones) >> np.uint64(56)
    return np.int64(total)


@njit(cache=True)
def _collect(marks_w, count, into, m) -> int:
    """into[m:m + count] = flatnonzero(marks_w.view(uint8)), for `count` the marks set (bytes 0 or 1); returns
    m + count. `into` has one spare place past there: the rows are collected without branches (which are marked is
    unpredictable), each written and kept when marked. When fewer than a tenth are marked, the 8-byte words with
    none marked, most of them, are skipped whole."""
    marks = marks_w.view(np.uint8)
    if count * 10 < len(marks):
        for w in range(len(marks_w)):
            if marks_w[w]:
                for i in range(8):
                    into[m] = w * 8 + i
                    m += marks[w * 8 + i]
    else:
        for r in range(len(marks)):
            into[m] = r
            m += marks[r]
    return m


def _rare_events(n: int, p: float, rng: np.random.Generator) -> np.ndarray:
    """Households (sorted, unique) struck by an event of daily chance `p`, drawn without a number per household.

    The gaps between struck households in a row of independent chances are geometric, so their positions are the
    running sums of geometric draws: exact, and far fewer draws than households when `p` is small.
    """
    if p <= 0.0:
        return np.zeros(0, dtype=np.int64)
    if p >= 1.0:
        return np.arange(n)
    chunk = int(n * p + 6 * math.sqrt(n * p) + 16)
    gaps = rng.geometric(p, chunk)
    struck, reached = _struck(gaps, n)
    while not reached:  # rarely: the chunk did not reach the last household
        gaps = np.concatenate([gaps, rng.geometric(p, chunk)])
        struck, reached = _struck(gaps, n)
    return struck


@njit(cache=True)
def _struck(gaps, n):
    """positions = cumsum(gaps) - 1 and those below n (the gaps are at least 1, so they rise), and whether the
    positions reach n."""
    out = np.empty(len(gaps), np.int64)
    position, k = -1, 0
    for j in range(len(gaps)):
        position += gaps[j]
        if position >= n:
            return out[:k], True
        out[k] = position
        k += 1
    return out[:k], False


def _acute_events(model, n, rng: np.random.Generator, no_medicine: np.ndarray) -> np.ndarray:
    """Acute medical events, in two draws so that the multiplier for patients out of medicine changes only its own
    events (common random numbers): everyone's at the base rate (candidates at the highest rate, kept with chance
    rate / highest rate), then, for the patients whose medicine has run out (`no_medicine`, in row order) and were
    not struck, the extra chance that brings theirs to rate x `acute_rate_no_medicine` (one uniform each, from a
    stream of its own)."""
    hh = model.households
    top = max(n.acute_rate, n.acute_rate_chronic)
    cand = _rare_events(hh.n, top, rng)
    struck = _thin(cand, rng.random(len(cand)), top, n.acute_rate, n.acute_rate_chronic, hh.chronic)
    if n.acute_rate_no_medicine <= 1.0 or len(no_medicine) == 0:
        return struck
    u = model.streams.random("needs:no_medicine", model.day, len(no_medicine))
    return _union_sorted(struck, _no_medicine_struck(no_medicine, u, n.acute_rate, n.acute_rate_chronic,
                                                     n.acute_rate_no_medicine, hh.chronic))


@njit(cache=True)
def _no_medicine_struck(out, u, rate_other, rate_chronic, multiplier, chronic):
    """out[u < extra]: rate = where(chronic[out], rate_chronic, rate_other), extra = (minimum(rate x multiplier,
    1) - rate) / maximum(1 - rate, 1e-12)."""
    struck = np.empty(len(out) + 1, np.int64)
    k = 0
    for j in range(len(out)):
        r = out[j]
        rate = rate_chronic if chronic[r] else rate_other
        extra = (min(rate * multiplier, 1.0) - rate) / max(1.0 - rate, 1e-12)
        struck[k] = r
        k += u[j] < extra
    return struck[:k]


@njit(cache=True)
def _union_sorted(a, b):
    """np.union1d(a, b) of two sorted arrays of distinct rows: merged, each row once."""
    out = np.empty(len(a) + len(b), np.int64)
    i = j = n = 0
    while i < len(a) or j < len(b):
        if j == len(b) or (i < len(a) and a[i] < b[j]):
            out[n] = a[i]
            i += 1
        elif i == len(a) or b[j] < a[i]:
            out[n] = b[j]
            j += 1
        else:  # in both
            out[n] = a[i]
            i += 1
            j += 1
        n += 1
    return out[:n]


@njit(cache=True)
def _thin(cand, u, top, rate_other, rate_chronic, chronic):
    """cand[u x top < rate], rate = where(chronic, rate_chronic, rate_other)."""
    kept = np.empty(len(cand), np.int64)
    k = 0
    for j in range(len(cand)):
        r = cand[j]
        kept[k] = r
        k += u[j] * top < (rate_chronic if chronic[r] else rate_other)
    return kept[:k]


def _hospital_day(model) -> None:
    """Which of today's patients a hospital would take: one draw per household with a medical need open, so that a
    household is admitted or turned away alike whoever brings it (itself, a cadre, a volunteer). Hospitals turned to
    COVID care and turned others away (sources: stylized fact 5); the phase's `hospital_access` is the chance."""
    hh, access = model.households, model.phase.hospital_access
    if access < 1.0:
        u = model.streams.random("hospital", model.day, int(hh.open_count[MEDICAL]))
        _admit(hh.open.view(np.uint8), u, access, hh.turned_away)
    else:
        hh.turned_away[:] = False


@njit(cache=True)
def _admit(open_, u, access, turned_away):
    """turned_away = zeros; turned_away[flatnonzero(open[:, MEDICAL])] = u >= access. `open_` is the needs table's
    bytes (the category's column contiguous); `u` has one number per open medical need (the Ledger's count)."""
    column = open_[:, MEDICAL]
    j = 0
    for r in range(len(column)):
        turned_away[r] = False
        if column[r]:
            if j == len(u):
                raise ValueError("more open medical needs than the ledger counts")
            turned_away[r] = u[j] >= access
            j += 1


def _self_provide(model, rng: np.random.Generator) -> None:
    """Households shop on their outing days (food, protective supplies) and get their own medicine and medical
    care where the phase allows; distress that has eased well below the threshold no longer asks for support.

    One uniform number per open need tried, in the order food, supplies, medicine, medical, each by household."""
    hh, led, day, n, phase = model.households, model.ledger, model.day, model.config.needs, model.phase
    shopping = phase.outing_interval > 0
    outing = hh.outing_days(phase.outing_interval, day) if shopping else True
    if outing is True:
        outing = hh.everyone
    tried, count = _candidates(hh.open.view(np.uint8), outing, shopping, hh.distress, n.psych_threshold - 0.1)
    price = model.price_index ** model.config.prices.low_income_response
    rows, cats, turned_away = _provide(
        rng.random(int(np.add.reduce(count[:4]))), tried, count, phase.shop_access, phase.self_medical,
        hh.self_provision, price, n.shop_purchase_days, n.refill_days, hh.low_income, hh.food_days_factor,
        hh.food_stock, hh.medicine_stock, hh.turned_away)
    led.meet(hh, rows, cats, day, "self")
    led.turned_away += turned_away


@njit(cache=True)
def _candidates(open_, outing, shopping, distress, eased_below):
    """The households who try to meet an open need themselves today, by category in the order they draw (the
    `count[k]` entries of category k follow those of category k - 1 in `tried`, each in row order): food (0) and
    supplies (1) on their outing days when the phase lets them shop, medicine (2) and medical (3); and those whose
    distress has eased below `eased_below` with a psychological need open (4). `open_` is the table's bytes: each
    category's column is contiguous. Who tries is marked category by category (bytes of 8-byte words, `_collect`)
    in loops the compiler vectorises, then collected."""
    n = open_.shape[0]
    words = (n + 7) // 8
    marks_w = np.empty(5 * words, np.uint64)  # `words` words for each of the five
    for k in range(1, 6):
        marks_w[k * words - 1] = 0  # the bytes past row n stay 0
    marks = marks_w.view(np.uint8)
    count = np.zeros(5, np.int64)
    for k, c in ((0, FOOD), (1, SUPPLIES), (2, MEDICINE), (3, MEDICAL), (4, PSYCH)):
        column, into = open_[:, c], marks[8 * k * words:8 * k * words + n]
        if k < 2:
            for r in range(n):
                into[r] = column[r] & outing[r] & shopping
        elif k < 4:
            for r in range(n):
                into[r] = column[r]
        else:
            for r in range(n):
                into[r] = column[r] & (distress[r] < eased_below)
        count[k] = _marked(marks_w[k * words:(k + 1) * words])
    tried = np.empty(count.sum() + 1, np.int64)
    m = 0
    for k in range(5):
        m = _collect(marks_w[k * words:(k + 1) * words], count[k], tried, m)
    return tried[:m], count


@njit(cache=True)
def _provide(u, tried, count, shop_access, self_medical, self_provision, price, purchase_days, refill_days,
             low_income, food_days_factor, food_stock, medicine_stock, turned_away):
    """The self-provision of `_self_provide`, with its stocks: one number of `u` per need tried (`_candidates`),
    category after category. Returns the needs (rows, categories) that households met themselves, food, supplies,
    medicine and medical, and those whose distress eased (for the Ledger to close), and the patients turned away.
    A food purchase adds purchase_days x the household's food-days factor, divided by `price` for low-income
    households; a medicine run adds `refill_days`."""
    met = np.empty(count.sum(), np.int64)
    cats = np.empty(count.sum(), np.int64)
    m, away, j = 0, 0, 0  # j: the first need of the category in `tried` (and its number in `u`)
    # Without branches (who succeeds is a draw): each need written, and kept when met, into the place after the last
    # kept; a stock gains its purchase or refill times 1 when met, times 0 (adding 0.0, which changes no stock) else.
    for k, c in ((0, FOOD), (1, SUPPLIES), (2, MEDICINE), (3, MEDICAL)):
        chance = shop_access if k < 2 else self_medical
        for i in range(j, j + count[k]):
            r = tried[i]
            hit = u[i] < chance * self_provision[r]
            if c == MEDICAL:  # made it to the hospital, which may have turned the patient away
                away += hit & turned_away[r]
                hit = hit & (not turned_away[r])
            met[m], cats[m] = r, c
            m += hit
            if c == FOOD:
                food_stock[r] += hit * (purchase_days * food_days_factor[r] / (price if low_income[r] else 1.0))
            elif c == MEDICINE:
                medicine_stock[r] += hit * refill_days
        j += count[k]
    for i in range(j, j + count[4]):
        met[m], cats[m] = tried[i], PSYCH
        m += 1
    return met[:m], cats[:m], away
