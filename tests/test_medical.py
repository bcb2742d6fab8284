"""Pattern 3: medical needs are met less reliably than food (sources: stylized fact 5: dialysis and chronic care
disrupted, medicine runs slow and avoided, 19 of 29 online help requests on one day from non-COVID patients).

The mechanism is the hospital side (`phases[].hospital_access`, drawn once per patient and day in simulation/needs.py):
a medical visit, whoever arranges it, happens only if a hospital takes the patient that day. Food has no such second
gate, so a medical need waits longer than a food need although triage ranks it first.
"""

from __future__ import annotations

import numpy as np
import pytest

import scenarios
import simulation
from experiments import patterns
from experiments.patterns import wait_per_need as _per_need

SEEDS = range(10)


def test_medical_needs_wait_longer_than_food_needs_in_every_seed(cached_run):
    """wuhan_2020, the timeline as it happened: the medical figure is the larger in every one of 10 seeds.

    Why per seed: the 10-seed means are about 0.75 (medical) against 0.45 (food) need-days per need, and the smallest
    seed-wise gap found while building was +0.16, so a per-seed claim is the honest strong form; a model in which
    medical visits were as reliable as shopping (hospital_access 1) fails it in most seeds (see the next test)."""
    verdicts = [patterns.medical_needs_wait_longer(cached_run("wuhan_2020", seed=seed).daily) for seed in SEEDS]
    assert all(verdicts), [str(v) for v in verdicts]


def test_the_hospital_side_is_what_makes_medical_needs_harder():
    """With hospitals taking every patient the pattern reverses (medical needs are rarer, triaged first and can be
    self-provided in every phase): the pattern comes from the mechanism, not from the test's choice of scenario."""
    base = scenarios.load("wuhan_2020")
    open_hospitals = base.model_copy(update={
        "phases": [p.model_copy(update={"hospital_access": 1.0}) for p in base.phases]})
    gaps = []
    for seed in SEEDS:
        d = simulation.run(open_hospitals, seed=seed).daily
        gaps.append(_per_need(d, "medical") - _per_need(d, "food"))
        assert d["medical_turned_away"].sum() == 0
    assert np.mean(gaps) < 0, gaps


@pytest.mark.parametrize("preset", ["no_linkage", "three_social"])
def test_medical_needs_wait_longer_on_average_without_and_with_all_linkage(preset, cached_run):
    """The pattern is not an artefact of one timeline: on the 10-seed mean it holds with no linkage and with every
    linkage on (single no_linkage seeds can tie, as food then also waits more than three days: the mean is the
    claim)."""
    gaps = [_per_need(d, "medical") - _per_need(d, "food")
            for d in (cached_run(preset, seed=s).daily for s in SEEDS)]
    assert np.mean(gaps) > 0, gaps


def test_a_turned_away_patient_keeps_the_need_and_the_escort_spends_the_hours():
    """With no hospital taking anyone, no medical need is ever met, yet the cadres' hours are spent on escorts."""
    base = scenarios.load("no_linkage")
    closed = base.model_copy(update={
        "households": 600, "days": 30,
        "phases": [p.model_copy(update={"hospital_access": 0.0}) for p in base.phases]})
    d = simulation.run(closed, seed=3).daily
    assert d["met_medical"].sum() == 0
    assert d["medical_turned_away"].sum() > 0
    assert d["unmet_medical"].iloc[-1] > 0
