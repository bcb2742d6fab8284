"""Process 7 (prices): the food price index follows the ratio of demand to supply.

The target index is (demand / supply) ** elasticity, never below 1, where demand is the share of households seeking
food today relative to a normal day and supply is the phase's food supply relative to normal; the index closes a
fixed share of the gap to its target each day. Low-income households buy fewer days of food at the shop at high
prices (simulation/needs.py), and a group-buy package costs `prices.package_price` times the index out of their
food budget (simulation/linkage/supply.py, external.py), so the cap (price stabilisation) acts on what they can buy.

Sources: the source panel, "Prices and supply" (Huang: prices rose after closure); sources: fresh vegetables +10.9%
and pork +135% nationally in Feb 2020 (H), tomatoes 3-4x in Wuhan anecdotes (L).
"""

from __future__ import annotations


def update(model) -> None:
    p = model.config.prices
    demand = (model.food_seekers / model.households.n) / p.normal_need_share
    target = max(1.0, demand / model.phase.food_supply) ** p.elasticity
    model.price_index += p.adjustment * (target - model.price_index)
    if p.cap > 0:  # price stabilisation (the source panel, "Prices and supply": the city stabilised vegetable prices)
        model.price_index = min(model.price_index, p.cap)
