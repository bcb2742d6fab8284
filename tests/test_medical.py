"""Pattern 3: medical needs are met less reliably than food (domain-facts stylized fact 5).

Not reproduced in this version: recorded as a strict expected failure with its diagnosis, not bent into a pass.
"""

from __future__ import annotations

import pytest

import simulation

SEEDS = range(10)


@pytest.mark.xfail(strict=True, reason="Pattern 3 is not reproduced: a medical visit that a household or a cadre "
                   "arranges always takes place, because the model has no hospital side (hospitals turning away "
                   "non-COVID patients, dialysis slots cut). Medical needs are rarer than food needs and can be "
                   "self-provided in every phase, so they wait less per need than food (no_linkage: about 2 "
                   "need-days per medical need against 3.3 per food need). The fix is a phase-level hospital "
                   "access that can fail an arranged visit; see the issue note.")
def test_medical_needs_wait_longer_than_food_needs():
    """Unmet need-days per need raised, medical against food, in the Wuhan timeline: the medical figure must be the
    larger in every seed (the stylized fact: dialysis and chronic care disrupted, medicine runs slow and avoided)."""
    for seed in SEEDS:
        d = simulation.run("wuhan_2020", seed=seed).daily
        medical = d["unmet_medical"].sum() / d["raised_medical"].sum()
        food = d["unmet_food"].sum() / d["raised_food"].sum()
        assert medical > food, (seed, medical, food)
