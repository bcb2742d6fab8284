"""Process 2, needs arise, and the self-provision the day's phase allows.

Food runs down and a need to restock opens near the end of the stock; chronic patients need refills; dialysis
patients need a session every few days; acute events strike, more often for the chronically ill and more again
when their medicine has run out; distress above a threshold becomes a need for psychological support; protective
supplies run out. Households meet needs themselves when the phase lets them out (model-spec Phases). A medical
visit also needs a hospital that takes the patient that day (the phase's `hospital_access`), whoever arranges it.

Sources: domain.md, Timeline and "Prices and supply" (Huang: vegetable buying became hard after closure);
domain-facts stylized fact 5 (medical needs harder to meet: dialysis and chronic care disrupted) and the mental-health
survey (41.9% distressed, 10.2% needing help); the one-person-per-household outing rule (domain-facts Timeline).
"""

from __future__ import annotations

import numpy as np

from simulation.households import FOOD, MEDICAL, MEDICINE, PSYCH, SUPPLIES


def arise(model) -> None:
    """Consume stocks, open new needs, then let households provide for themselves where the phase allows."""
    hh, led, day, n = model.households, model.ledger, model.day, model.config.needs
    rng = model.streams("needs", day)

    np.maximum(hh.food_stock - 1.0, 0.0, out=hh.food_stock)
    np.maximum(hh.medicine_stock - 1.0, 0.0, out=hh.medicine_stock)

    led.raise_needs(hh, hh.food_stock <= n.food_reorder_days, FOOD, day)
    led.raise_needs(hh, hh.medicine_stock <= n.medicine_reorder_days, MEDICINE, day)
    dialysis = hh.dialysis_rows
    due = dialysis[(day + hh.dialysis_offset[dialysis]) % n.dialysis_interval == 0]
    acute = _acute_events(hh, n, rng)
    led.raise_needs(hh, np.unique(np.concatenate([due, acute])) if len(due) else acute, MEDICAL, day)
    led.raise_needs(hh, hh.distress > n.psych_threshold, PSYCH, day)
    led.raise_needs(hh, _rare_events(hh.n, n.supplies_rate, rng), SUPPLIES, day)
    model.food_seekers = int(np.count_nonzero(hh.open[:, FOOD]))
    _hospital_day(model)

    _self_provide(model, rng)


def _rare_events(n: int, p: float, rng: np.random.Generator) -> np.ndarray:
    """Households (sorted, unique) struck by an event of daily chance `p`, drawn without a number per household.

    The gaps between struck households in a row of independent chances are geometric, so their positions are the
    running sums of geometric draws: exact, and far fewer draws than households when `p` is small.
    """
    if p <= 0.0:
        return np.zeros(0, dtype=np.int64)
    if p >= 1.0:
        return np.arange(n)
    chunk = int(n * p + 6 * np.sqrt(n * p) + 16)
    positions = np.cumsum(rng.geometric(p, chunk)) - 1
    while positions[-1] < n:  # rarely: the chunk did not reach the last household
        positions = np.concatenate([positions, positions[-1] + np.cumsum(rng.geometric(p, chunk))])
    return positions[: np.searchsorted(positions, n)]


def _acute_events(hh, n, rng: np.random.Generator) -> np.ndarray:
    """Acute medical events, by thinning: candidates at the highest rate, kept with chance rate / highest rate."""
    top = max(n.acute_rate, n.acute_rate_chronic) * n.acute_rate_no_medicine
    cand = _rare_events(hh.n, min(top, 1.0), rng)
    rate = np.where(hh.chronic[cand], n.acute_rate_chronic, n.acute_rate)
    rate = np.where(hh.medicine_stock[cand] <= 0.0, rate * n.acute_rate_no_medicine, rate)
    return cand[rng.random(len(cand)) * min(top, 1.0) < rate]


def _hospital_day(model) -> None:
    """Which of today's patients a hospital would take: one draw per household with a medical need open, so that a
    household is admitted or turned away alike whoever brings it (itself, a cadre, a volunteer). Hospitals turned to
    COVID care and turned others away (domain-facts stylized fact 5); the phase's `hospital_access` is the chance."""
    hh, access = model.households, model.phase.hospital_access
    hh.turned_away[:] = False
    if access < 1.0:
        rows = np.flatnonzero(hh.open[:, MEDICAL])
        hh.turned_away[rows] = model.streams("hospital", model.day).random(len(rows)) >= access


def _self_provide(model, rng: np.random.Generator) -> None:
    hh, led, day, n, phase = model.households, model.ledger, model.day, model.config.needs, model.phase
    if phase.outing_interval > 0:
        outing = hh.outing_days(phase.outing_interval, day)
        for category in (FOOD, SUPPLIES):
            rows = np.flatnonzero(hh.open[:, category] & outing)
            ok = rows[rng.random(len(rows)) < phase.shop_access * hh.self_provision[rows]]
            led.meet_rows(hh, ok, category, day, "self")
            if category == FOOD:
                price = np.where(hh.low_income[ok], model.price_index ** model.config.prices.low_income_response, 1.0)
                hh.food_stock[ok] += n.shop_purchase_days * hh.food_days_factor[ok] / price
    for category in (MEDICINE, MEDICAL):
        rows = np.flatnonzero(hh.open[:, category])
        ok = rows[rng.random(len(rows)) < phase.self_medical * hh.self_provision[rows]]
        if category == MEDICAL:  # made it to the hospital; a turned-away patient tries again another day
            model.ledger.turned_away += int(np.count_nonzero(hh.turned_away[ok]))
            ok = ok[~hh.turned_away[ok]]
        led.meet_rows(hh, ok, category, day, "self")
        if category == MEDICINE:
            hh.medicine_stock[ok] += n.refill_days
    # Distress that has eased well below the threshold no longer asks for support.
    eased = np.flatnonzero(hh.open[:, PSYCH] & (hh.distress < n.psych_threshold - 0.1))
    led.meet_rows(hh, eased, PSYCH, day, "self")

