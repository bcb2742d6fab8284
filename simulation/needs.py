"""Process 2, needs arise, and the self-provision the day's phase allows.

Food runs down and a need to restock opens near the end of the stock; chronic patients need refills; dialysis
patients need a session every few days; acute events strike, more often for the chronically ill and more again
when their medicine has run out; distress above a threshold becomes a need for psychological support; protective
supplies run out. Households meet needs themselves when the phase lets them out (model-spec Phases).

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
    u = model.streams("needs", day).random((7, hh.n))

    np.maximum(hh.food_stock - 1.0, 0.0, out=hh.food_stock)
    np.maximum(hh.medicine_stock - 1.0, 0.0, out=hh.medicine_stock)

    led.raise_needs(hh, hh.food_stock <= n.food_reorder_days, FOOD, day)
    led.raise_needs(hh, hh.medicine_stock <= n.medicine_reorder_days, MEDICINE, day)
    dialysis_due = hh.dialysis & ((day + hh.dialysis_offset) % n.dialysis_interval == 0)
    acute_p = np.where(hh.chronic, n.acute_rate_chronic, n.acute_rate)
    acute_p = np.where(hh.medicine_stock <= 0.0, acute_p * n.acute_rate_no_medicine, acute_p)
    led.raise_needs(hh, dialysis_due | (u[0] < acute_p), MEDICAL, day)
    led.raise_needs(hh, hh.distress > n.psych_threshold, PSYCH, day)
    led.raise_needs(hh, u[1] < n.supplies_rate, SUPPLIES, day)
    model.food_seekers = int(hh.open[:, FOOD].sum())

    _self_provide(model, u[2:])


def _self_provide(model, u: np.ndarray) -> None:
    hh, led, day, n, phase = model.households, model.ledger, model.day, model.config.needs, model.phase
    ability = np.where(hh.frail, n.frail_self_provision, 1.0)
    if phase.outing_interval > 0:
        outing = (day + hh.outing_offset) % phase.outing_interval == 0
        shop = outing & (u[0] < phase.shop_access * ability)
        rows = led.meet_mask(hh, shop, FOOD, day, "self")
        price_factor = np.where(hh.low_income[rows], model.price_index ** model.config.prices.low_income_response, 1.0)
        hh.food_stock[rows] += n.shop_purchase_days / price_factor
        led.meet_mask(hh, outing & (u[1] < phase.shop_access * ability), SUPPLIES, day, "self")
    rows = led.meet_mask(hh, u[2] < phase.self_medical * ability, MEDICINE, day, "self")
    hh.medicine_stock[rows] += n.refill_days
    led.meet_mask(hh, u[3] < phase.self_medical * ability, MEDICAL, day, "self")
    # Distress that has eased well below the threshold no longer asks for support.
    led.meet_mask(hh, hh.distress < n.psych_threshold - 0.1, PSYCH, day, "self")
