"""The baseline patterns of the `no_linkage` world (cadres alone), each checked over ten seeds.

Stylized facts from docs/sources.md: unmet needs build up once compounds are sealed and supermarkets stop
selling to individuals (fact 1), and the digital divide hides older residents' needs (fact 4). The tolerances are
argued from the model's own arithmetic, not tuned: see each test.
"""

from __future__ import annotations

import numpy as np
import pytest

import simulation
from experiments import patterns

SEEDS = range(10)


@pytest.fixture(scope="module")
def runs(cached_run):
    return [cached_run("no_linkage", seed=s) for s in SEEDS]


def test_unmet_needs_rise_after_full_closure(runs):
    """Under full closure nobody may shop and cadres alone cannot carry food to everyone.

    Arithmetic of the defaults: ~3,000 households restock about every 4-7 days, so a few hundred food needs open each
    day; the cadres (16 x 12 h, less gates and reports) deliver at most ~150 packages a day at 0.5 h each. The
    backlog must therefore grow many-fold over the weeks of closure. A floor of 3x the pre-closure backlog (days
    0-17) is far below that arithmetic yet fails at once for a model in which closure has no bite; and the backlog
    must still be growing ten days into closure.
    """
    for r in runs:
        unmet = r.daily.set_index("day")["unmet_total"]
        before = unmet.loc[0:17].mean()
        closure = unmet.loc[25:54].mean()
        assert closure > 3 * before, (r.seed, before, closure)
        assert unmet.loc[35] > unmet.loc[25], (r.seed, unmet.loc[25], unmet.loc[35])
        assert 25 <= r.summary["peak_unmet_day"] <= 55, r.summary["peak_unmet_day"]


def test_hidden_needs_concentrate_among_offline_elderly(runs):
    """Offline households can report only by phone (call_prob 0.3 a day, against 0.7 online), through a neighbour,
    or when screened, so each of their needs stays hidden about twice as long; older households also have more
    needs (chronic illness, medicine, medical visits). Hidden need-days per offline elderly household must be at
    least one and a half times those of the other households in every seed; the register screening that protects
    elderly people living alone must not erase the gap. (The bar was twice before psychological need was calibrated to
    the survey week's 10.2% of households: that need arises at every age and reaches the remote services by a call
    of the household's own, so it adds hidden need-days to every group and dilutes the ratio to about 1.8. The source
    gives no ratio, only that older offline residents' needs are discovered later: the test asks for a clear gap.)
    """
    for seed, r in zip(SEEDS, runs):
        households = simulation.CommunityModel(rng=seed).households  # same seed: same population as the run
        verdict = patterns.hidden_needs_gather_offline_elderly(r.daily, households)
        assert verdict, (seed, str(verdict))


def test_hidden_needs_are_a_digital_divide_not_only_age():
    """Making every household digital must shrink the hidden share: the gap comes from the channel, not age.

    With everyone online the offline phone-only path disappears; the hidden share of need-days must fall in every
    seed (paired: same seed, same needs process).
    """
    for seed in range(10):
        base = simulation.run("no_linkage", seed=seed, households=1000, days=40)
        online = simulation.run("no_linkage", seed=seed, households=1000, days=40,
                                **{"population.digital_share_elderly": 1.0, "population.digital_share_alone": 1.0,
                                   "population.digital_share_other": 1.0})
        assert online.summary["hidden_need_share"] < base.summary["hidden_need_share"], seed


def test_population_matches_sourced_shares():
    """The drawn population reproduces the sourced shares within sampling error (3 standard errors, 30,000 draws)."""
    model = simulation.CommunityModel(rng=7, households=30_000, days=1)
    hh, pop = model.households, model.config.population
    n = hh.n

    def close(observed: float, expected: float, count: int) -> bool:
        return abs(observed - expected) <= 3 * np.sqrt(expected * (1 - expected) / count)

    assert close(hh.elderly.mean(), pop.elderly_share, n)
    assert close(hh.chronic[hh.elderly].mean(), pop.chronic_share_elderly, int(hh.elderly.sum()))
    assert close(hh.alone[hh.elderly].mean(), pop.alone_share_of_elderly, int(hh.elderly.sum()))
    assert abs(hh.size.mean() - pop.persons_per_household) < 0.1
