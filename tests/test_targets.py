"""Calibration: `wuhan_2020` at the default size reproduces every sourced figure of experiments/targets.py.

One test measures all targets over ten seeds and names every target outside its band, so a change that moves
several figures shows them all at once."""

from __future__ import annotations

import pytest

from experiments import targets

pytestmark = pytest.mark.patterns


@pytest.fixture(scope="module")
def values():
    return targets.measure(targets.SEEDS, workers=1)


def test_every_target_holds_on_the_ten_seed_mean(values):
    missed = [f"{t.key}: mean {values[t.key].mean():.4g} outside [{t.low:g}, {t.high:g}] "
              f"(seeds: {', '.join(f'{v:.3g}' for v in values[t.key])})"
              for t in targets.TARGETS if not t.holds(float(values[t.key].mean()))]
    assert not missed, "\n".join(missed)


def test_the_targets_page_lists_every_target():
    text = (targets.Path(__file__).resolve().parent.parent / "docs" / "targets.md").read_text(encoding="utf-8")
    for t in targets.TARGETS:
        assert f"`{t.key}`" in text, ("docs/targets.md is stale: run python -m experiments.targets --write "
                                      "docs/targets.md")


def test_a_target_outside_its_band_is_reported():
    t = targets.TARGETS[0]
    assert t.holds((t.low + t.high) / 2) and not t.holds(t.high + 1) and not t.holds(t.low - 1)
