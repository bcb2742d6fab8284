"""What one dashboard session may ask of the server.

The dashboard may be served to a class or a meeting (`--host 0.0.0.0`), where one visitor's request must not take
the server's memory or cores from the others. A community of at most 30,000 households (the model's largest
specified size) keeps one session's model to some tens of megabytes; a comparison is bounded by its replications
and by its total work in household-days (households x days, summed over every run). The command line has no such
limits: larger studies belong there, on the user's own machine.
"""

from __future__ import annotations

from collections.abc import Sequence

from dashboard.i18n import t
from scenarios import Scenario, ScenarioError

MAX_HOUSEHOLDS = 30_000
MAX_REPS = 100
#: Household-days of simulation in one comparison: two scenarios x 100 replications of the default community
#: (3,000 households, 90 days) fit; on this project's 2-core reference machine that is a few minutes at most.
MAX_WORK = 60_000_000
#: Days of daily series a comparison keeps for its charts and downloads (runs x days; every series, some tens of
#: columns): four scenarios x 100 replications x 90 days fit, in some tens of megabytes.
MAX_RUN_DAYS = 40_000


class LimitError(ScenarioError):
    """A request beyond what a dashboard session may run; the message (in the page's language) says what to do."""


def check_households(scenario: Scenario) -> None:
    """Raise LimitError if the scenario's community is larger than a dashboard session may build."""
    if scenario.households > MAX_HOUSEHOLDS:
        raise LimitError(t("limit_households", got=f"{scenario.households:,}", max=f"{MAX_HOUSEHOLDS:,}"))


def work(scenarios: Sequence[Scenario], reps: int) -> int:
    """Household-days of simulation that comparing `scenarios` with `reps` replications asks for."""
    return reps * sum(s.households * s.days for s in scenarios)


def check_comparison(scenarios: Sequence[Scenario], reps: int) -> None:
    """Raise LimitError unless a dashboard session may run this comparison."""
    if reps > MAX_REPS:
        raise LimitError(t("limit_reps", got=f"{reps:,}", max=f"{MAX_REPS:,}"))
    for scenario in scenarios:
        check_households(scenario)
    asked = work(scenarios, reps)
    if asked > MAX_WORK:
        raise LimitError(t("limit_work", got=f"{asked:,}", max=f"{MAX_WORK:,}"))
    kept = reps * sum(s.days for s in scenarios)
    if kept > MAX_RUN_DAYS:
        raise LimitError(t("limit_run_days", got=f"{kept:,}", max=f"{MAX_RUN_DAYS:,}"))


#: Household-days of simulation one District page run may ask for: its two map runs and two policies x the
#: replications, each a whole district run. classroom_district (4,314 households, 90 days) fits with the
#: replications' cap; jianghan_2020 (109 communities, 330,000 households: about 30 million household-days and half a
#: minute of CPU a run) does not: its comparison with three replications is eight such runs, 4-5 minutes of one
#: core and a third of a million households in one worker, which belongs on the command line.
MAX_DISTRICT_WORK = 20_000_000
MAX_DISTRICT_REPS = 20
#: CPU seconds a community-day of a district run takes on the project's 2-core reference machine, which the
#: District page quotes: at these sizes a run's time goes with its communities and days more than with their
#: households (measured: classroom_district, 7 communities, 90 days, about 2 s; jianghan_2020, 109, about 32 s).
DISTRICT_SECONDS_PER_COMMUNITY_DAY = 3.3e-3


def district_work(household_days: int, reps: int) -> int:
    """Household-days a District page run asks for: the two policies' map runs and 2 x `reps` comparison runs."""
    return household_days * (2 + 2 * reps)


def check_district(household_days: int, reps: int) -> None:
    """Raise LimitError unless a dashboard session may run a district of `household_days` a run, two policies,
    `reps` replications."""
    if not 1 <= reps <= MAX_DISTRICT_REPS:
        raise LimitError(t("limit_district_reps", got=f"{reps:,}", max=f"{MAX_DISTRICT_REPS:,}"))
    asked = district_work(household_days, reps)
    if asked > MAX_DISTRICT_WORK:
        raise LimitError(t("limit_district_work", got=f"{asked:,}", max=f"{MAX_DISTRICT_WORK:,}"))
