"""LiánDòng (联动): a Mesa model of community linkage under lockdown.

    >>> import simulation
    >>> result = simulation.run("no_linkage", seed=1, households=300, days=30)
    >>> sorted(result.summary)[:2]
    ['coordinator_overload_days', 'critical_failures']
"""

from simulation.district import DistrictResult, run_district
from simulation.model import CommunityModel
from simulation.outcomes import DAILY_COLUMNS, SUMMARY_KEYS
from simulation.run import RunResult, run

__all__ = ["CommunityModel", "RunResult", "run", "run_district", "DistrictResult", "DAILY_COLUMNS", "SUMMARY_KEYS"]
