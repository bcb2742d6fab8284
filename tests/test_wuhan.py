"""Pattern 1: the Wuhan timeline as it happened (`wuhan_2020`), over ten seeds.

sources: stylized fact 1: unmet needs peak around 14-20 Feb (days 22-28), when compounds were sealed and
supermarkets stopped selling to individuals before group buying and volunteers worked at scale, and fall as sunk
cadres arrive (from day 19) and approved volunteers deploy (from day 31), and waits drop to next day.
"""

from __future__ import annotations

from experiments import patterns

SEEDS = range(10)


def test_backlog_peaks_in_full_closure_and_falls_after_cadres_and_volunteers_arrive(cached_run):
    """The peak must fall in the closure weeks (days 22-40, the issue's window), and the backlog in days 41-54 (after
    sunk cadres, volunteers and next-day group buying, still in full closure) must average under half the peak:
    a model in which the linkages did not bite would stay near its peak until easing on day 55. Half is loose
    against what the model gives (about a sixteenth; without group buying the backlog would not fall, docs/odd.md
    section 1) so that it tests the fall, not its exact size. The peak's day is the day before the first group-buy
    batches reach the gates; its height is set by what the cadres can do for households whose package is late
    (docs/odd.md section 1, pattern 1)."""
    for seed in SEEDS:
        r = cached_run("wuhan_2020", seed=seed)
        verdict = patterns.backlog_peaks_in_closure(r.daily)
        assert verdict, (seed, str(verdict))
        unmet = r.daily.set_index("day")["unmet_total"]
        assert unmet.loc[r.summary["peak_unmet_day"]] > 3 * unmet.loc[0:17].mean(), seed  # and a peak, not a bump
