"""A cadre: a community worker, grid worker, or a cadre sunk from a government unit (下沉干部).

Cadres are the front line throughout and have nobody to relieve them (the source panel, cadres with nobody to relieve
them). Each day a cadre offers hours to the grid cells it covers; the model spends them on gates, reports, screening and
deliveries, then the cadre tires in proportion to its load. Fatigue eats into tomorrow's hours, and a tired cadre may
fall ill: off sick for a while, or gone for good (one Wuhan team fell from 6 to 2 people; 53 community workers died
nationally, sources H/L). Sunk cadres relieve the community's own cadres, who then recover some of their fatigue.

The cadres' daily state (fatigue, load, hours worked, health) lives in one `CadreRoster` of arrays, updated for all
cadres at once: a community with sunk cadres has hundreds of them, and a Python call per cadre per day cost a tenth
of a run. A `Cadre` agent is a view on its row of the roster, like a household on the household arrays.
"""

from __future__ import annotations

import numpy as np
from mesa import Agent
from numba import njit

_FIELDS = ("fatigue", "load", "hours_worked", "sunk", "off_until", "gone")  # the roster's arrays, one row per cadre


class CadreRoster:
    """Fatigue, load, hours worked and health of every cadre, in the order they joined."""

    def __init__(self, config) -> None:
        self.config = config  # the scenario's [cadres] section
        self.fatigue = np.zeros(0)
        self.load = np.zeros(0)  # share of the day's hours used
        self.hours_worked = np.zeros(0)
        self.sunk = np.zeros(0, dtype=bool)  # sunk from a government unit (not the community's own staff)
        self.off_until = np.zeros(0, dtype=np.int64)  # off sick up to and including this day (-1: on duty)
        self.gone = np.zeros(0, dtype=bool)  # left the post for good (fell ill and did not come back)
        self.day = 0  # the day `hours_today` offers hours for: moved on by `health` at each day's end
        # Each field is a view on the first rows of a longer array, so that a hundred sunk cadres joining on one day
        # fill rows kept free rather than copy every field a hundred times.
        self._spare: dict[str, np.ndarray] = {name: getattr(self, name) for name in _FIELDS}

    def __len__(self) -> int:
        return len(self.fatigue)

    def add(self, sunk: bool = False) -> int:
        """A new row for a cadre who joins now, rested and well; returns its index."""
        n = len(self.fatigue)
        spare = self._spare
        fields = [getattr(self, name) for name in _FIELDS]
        # no row free, or a field no longer a view on its spare array (set anew): the fields, and as many rows again
        if n == len(spare["fatigue"]) or any(a.base is not spare[name] and a is not spare[name]
                                             for name, a in zip(_FIELDS, fields)):
            spare = self._spare = {name: np.concatenate([a, np.zeros(max(n, 16), a.dtype)])
                                   for name, a in zip(_FIELDS, fields)}
        for name, value in zip(_FIELDS, (0.0, 0.0, 0.0, sunk, -1, False)):
            rows = spare[name]
            rows[n] = value
            setattr(self, name, rows[:n + 1])
        return n

    def truncate(self, n: int) -> None:
        """Keep the first `n` rows: the cadres who joined after them have left the community."""
        for name in _FIELDS:
            setattr(self, name, getattr(self, name)[:n].copy())
        self._spare = {name: getattr(self, name) for name in _FIELDS}

    def on_duty(self, day: int | None = None) -> np.ndarray:
        """Which cadres work on `day` (default: today): neither off sick nor gone."""
        return (self.off_until < (self.day if day is None else day)) & ~self.gone

    def hours_today(self) -> np.ndarray:
        """Hours each cadre can give today, less what fatigue takes; none while off sick or gone."""
        c = self.config
        return _hours_today(self.fatigue, self.off_until, self.gone, self.day, c.hours_per_day, c.fatigue_penalty)

    def end_day(self, load: np.ndarray, hours_offered: np.ndarray, rows: slice | np.ndarray = slice(None)) -> None:
        """Tire in proportion to today's load (share of the hours offered that were used), less `fatigue_recovery`
        (0 by default: nobody relieves them; relief by sunk cadres is `health`'s). A cadre off sick or gone works
        nothing: its load is 0, whatever its cells' load."""
        c = self.config
        span = range(len(self.fatigue))[rows] if isinstance(rows, slice) else None
        if span is not None and span.step == 1 and type(load) is np.ndarray and type(hours_offered) is np.ndarray \
                and load.dtype == hours_offered.dtype == np.float64 and len(load) == len(hours_offered) == len(span):
            _end_day(load, hours_offered, span.start, self.fatigue, self.load, self.hours_worked, self.off_until,
                     self.gone, self.day, c.fatigue_rate, c.fatigue_recovery)  # the same, in one compiled pass
            return
        load = np.where(self.on_duty()[rows], load, 0.0)
        self.load[rows] = load
        self.hours_worked[rows] = load * hours_offered
        self.fatigue[rows] = np.minimum(1.0, np.maximum(0.0, self.fatigue[rows] + c.fatigue_rate * load
                                                        - c.fatigue_recovery))

    def health(self, day: int, u: np.ndarray) -> tuple[int, int]:
        """The day's health, after the day's work, with one uniform number per cadre (`u`, in joining order).

        Relief: the community's own cadres on duty recover `relief_recovery` x min(1, sunk cadres on duty / own
        cadres on duty) of fatigue. Sickness: a cadre on duty falls ill with chance `sick_rate` x fatigue, and is off
        for the next `sick_days` days, or, with chance `leave_share` (the number below the sickness chance's first
        `leave_share` part), gone for good. A cadre back from sickness returns with half its fatigue (rested).
        Tomorrow's hours (`hours_today`) are then those of day + 1. Returns how many fell ill today and how many of
        them left."""
        c = self.config
        if len(u) == len(self.fatigue) and u.dtype == np.float64:
            self.day = day + 1
            return _health(day, u, self.fatigue, self.sunk, self.off_until, self.gone, c.relief_recovery,
                           c.sick_rate, c.leave_share, c.sick_days)
        duty = self.on_duty(day)
        own = duty & ~self.sunk
        n_own = int(own.sum())
        if n_own and c.relief_recovery > 0.0:
            relief = min(1.0, int((duty & self.sunk).sum()) / n_own)
            self.fatigue[own] = np.maximum(self.fatigue[own] - c.relief_recovery * relief, 0.0)
        back = self.off_until == day  # their last day off: fit again tomorrow
        self.fatigue[back & ~self.gone] *= 0.5
        chance = c.sick_rate * self.fatigue
        ill = duty & (u < chance)
        leave = ill & (u < chance * c.leave_share)
        self.off_until[ill] = day + c.sick_days
        self.gone |= leave
        self.day = day + 1
        return int(ill.sum()), int(leave.sum())


class Cadre(Agent):
    """One cadre with daily hours, fatigue and the grid cells it covers (a view on the model's `cadre_roster`)."""

    def __init__(self, model, role: str, grids: list[int]) -> None:
        super().__init__(model)
        self.role = role  # "grid_worker", "community_worker" or "sunk"
        self.grids = grids
        self.index = model.cadre_roster.add(sunk=role == "sunk")

    @property
    def fatigue(self) -> float:
        return float(self.model.cadre_roster.fatigue[self.index])

    @property
    def load(self) -> float:
        """Share of today's hours used."""
        return float(self.model.cadre_roster.load[self.index])

    @property
    def hours_worked(self) -> float:
        return float(self.model.cadre_roster.hours_worked[self.index])

    @property
    def on_duty(self) -> bool:
        """Neither off sick today nor gone."""
        return bool(self.model.cadre_roster.on_duty()[self.index])

    def hours_today(self) -> float:
        """Hours this cadre can give today, less what fatigue takes; none while off sick or gone."""
        return float(self.model.cadre_roster.hours_today()[self.index])

    def end_day(self, load: float, hours_offered: float) -> None:
        """This cadre's end of day alone (the model ends all cadres' days at once with the roster)."""
        self.model.cadre_roster.end_day(np.array([load]), np.array([hours_offered]),
                                        slice(self.index, self.index + 1))


# --- the roster's day in compiled loops: each does, cadre by cadre, what the NumPy lines of its method do
# (elementwise: the same numbers); a roster has hundreds of rows, where each NumPy call costs more than its work -------
@njit(cache=True)
def _hours_today(fatigue, off_until, gone, day, hours_per_day, fatigue_penalty):
    """where(on_duty(), hours_per_day * (1 - fatigue_penalty * fatigue), 0)."""
    out = np.empty(len(fatigue))
    for i in range(len(fatigue)):
        duty = off_until[i] < day and not gone[i]
        out[i] = hours_per_day * (1.0 - fatigue_penalty * fatigue[i]) if duty else 0.0
    return out


@njit(cache=True)
def _end_day(load, hours_offered, start, fatigue, load_out, hours_worked, off_until, gone, day, rate, recovery):
    """`CadreRoster.end_day` for the rows start, start + 1, ...: load = where(on_duty, load, 0); load_out = load;
    hours_worked = load * hours_offered; fatigue = minimum(1, maximum(0, fatigue + rate * load - recovery))."""
    for j in range(len(load)):
        i = start + j
        x = load[j] if off_until[i] < day and not gone[i] else 0.0
        load_out[i] = x
        hours_worked[i] = x * hours_offered[j]
        v = fatigue[i] + rate * x - recovery
        v = 0.0 if 0.0 >= v else v  # maximum(0, v), NaN kept
        fatigue[i] = 1.0 if 1.0 <= v else v  # minimum(1, v)


@njit(cache=True)
def _health(day, u, fatigue, sunk, off_until, gone, relief_recovery, sick_rate, leave_share, sick_days):
    """`CadreRoster.health`'s day, cadre by cadre (duty, the sunk cadres' relief, the return from sickness,
    sickness and leaving, each from the values before the day's changes as the NumPy masks take them)."""
    n = len(fatigue)
    n_own = n_sunk = 0
    for i in range(n):
        if off_until[i] < day and not gone[i]:
            if sunk[i]:
                n_sunk += 1
            else:
                n_own += 1
    take = 0.0
    relieve = n_own > 0 and relief_recovery > 0.0
    if relieve:
        take = relief_recovery * min(1.0, n_sunk / n_own)
    ill_count = leave_count = 0
    for i in range(n):
        duty = off_until[i] < day and not gone[i]
        if relieve and duty and not sunk[i]:
            v = fatigue[i] - take
            fatigue[i] = 0.0 if v < 0.0 else v  # maximum(v, 0), NaN kept
        if off_until[i] == day and not gone[i]:
            fatigue[i] *= 0.5
        chance = sick_rate * fatigue[i]
        if duty and u[i] < chance:
            off_until[i] = day + sick_days
            ill_count += 1
            if u[i] < chance * leave_share:
                gone[i] = True
                leave_count += 1
    return ill_count, leave_count
