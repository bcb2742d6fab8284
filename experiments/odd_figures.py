"""Every figure docs/odd.md and the README quote from runs, rebuilt by one command and written back in place.

    python -m experiments.odd_figures --write          # run everything, write docs/findings/, fill the docs
    python -m experiments.odd_figures --fill           # fill the docs from the committed docs/findings/ (no runs)

The documents quote a figure through an invisible marker, `<!--f:name-->28<!--/f-->`, and a generated table
between `<!-- begin:name -->` and `<!-- end:name -->`. `--write` runs the model, writes every figure to
`docs/findings/odd.csv` (name, text, value, low, high, scenario, seeds, households, days, holds) and every table to
`docs/findings/<name>.md`, records the code version on `docs/findings/odd.md`, and rewrites each marker's text and
each table in docs/odd.md and README.md. `tests/test_odd_figures.py` checks, reading files only, that every marker
quotes the CSV, every figure and table is quoted somewhere, and every claim the prose makes (`holds`) still holds.

Seed policy: seeds 0-9 (`simulation.run(..., seed=s)`), each figure at the size of the test its paragraph cites
(mostly the default community of 3,000 households and 90 days; 1,500 households for the volunteer presets' tests,
1,000 households and 45 days for the mechanism checks), so the prose and the tests measure the same runs. The
README's table of common random numbers uses the seeds `liandong compare` gives replications 0-9 (root seed
20200123), since it shows that command. Each scenario and seed runs once; every figure is read off its daily series,
its summary and a few counts kept while it runs.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import hashlib
import math
import multiprocessing
import pickle
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd

import scenarios
from experiments import quoted
from experiments.findings import FINDINGS
from experiments.numbers import DASH, n0, n1, n2, n3, p0, p1, p2, signed
from experiments.plan import DEFAULT_ROOT_SEED, compare_plan
from experiments.stats import paired_differences, t_interval
from experiments.targets import TARGETS
from simulation import CommunityModel, linkage
from simulation.households import FOOD
from simulation.linkage.external import ExternalLinkage
from simulation.linkage.organisations import SocialOrganisations
from simulation.linkage.volunteers import BURNT_OUT, VolunteerPool
from simulation.provenance import code_version

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "findings"
DOCS = (ROOT / "docs" / "odd.md", ROOT / "README.md", ROOT / "docs" / "district.md", ROOT / "docs" / "calibration.md")
SEEDS = tuple(range(10))
EXIT_BAD_INPUT = 2
COMMAND = "python -m experiments.odd_figures --write"

# --- what runs -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """A scenario the figures read: a preset, overrides (dotted keys), and the seeds it runs on."""

    key: str
    preset: str
    overrides: tuple = ()
    seeds: tuple = SEEDS

    def scenario(self):
        s = scenarios.load(self.preset, dict(self.overrides)) if self.overrides else scenarios.load(self.preset)
        return s

    @property
    def label(self) -> str:
        shown = [(k, v) for k, v in self.overrides if k not in ("households", "days")]
        return self.preset + "".join(f" {k}={_plain(v)}" for k, v in shown)


def _plain(value) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


VARIANTS: dict[str, Variant] = {}


def variant(key: str, preset: str, overrides: dict | None = None, seeds: tuple = SEEDS) -> Variant:
    v = Variant(key, preset, tuple(sorted((overrides or {}).items())), tuple(seeds))
    if key in VARIANTS:
        raise ValueError(f"duplicate variant {key!r}")
    VARIANTS[key] = v
    return v


TESTS_SMALL = {"households": 1000, "days": 45}  # tests/test_linkage.py, test_external.py
VOLUNTEERS_SIZE = {"households": 1500, "days": 90}  # tests/test_volunteers.py
LEADERS_SIZE = {"households": 1500, "days": 60}  # tests/test_organisations.py, pattern 6
PATTERN8 = {"households": 1000, "days": 45, "internal.sunk_cadres_per_1000": 10.0, "external.stock_days": 30.0,
            "external.supply_days": list(range(25, 45)), "external.supply_per_1000": 400.0,
            "external.approval_days": 0, "external.approval_hours": 0.0,
            "compounds.mix": {}}  # tests/test_external.py, pattern 8: one compound of no type
NO_AFTERMATH = {"distress.scar": 0.0, "distress.bereavement": 0.0, "distress.key_group_recovery": 1.0}
OPEN_HOSPITALS = {f"phases.{p}.hospital_access": 1.0
                  for p in ("sealed_city", "closed_compound", "full_closure", "easing", "reopened")}
LADDER = (0.0, 0.25, 0.49, 0.5, 0.75, 1.0)


def _integration(level: float) -> dict:
    return {"organisations.integration": level}


def _funding(level: float) -> dict:
    return {"organisations.funding": level, "organisations.funding_after_drop": level}


PRESETS = ("no_linkage", "emergency_online", "internal", "external", "open_recruitment", "categorized_recruitment",
           "weak_mass_base", "strong_mass_base", "leader_inactive", "three_social", "wuhan_2020")
for _p in PRESETS:
    variant(_p, _p)
variant("group_buy", "no_linkage", {"external.group_buy": True})
variant("orgs", "no_linkage", {"organisations.enabled": True})
variant("orgs.I0.5", "no_linkage", {"organisations.enabled": True, **_integration(0.5)})
variant("orgs.I1", "no_linkage", {"organisations.enabled": True, **_integration(1.0)})
variant("leader_inactive.active", "leader_inactive", {"organisations.leader_active_prob": 1.0})
for _p in ("three_social", "wuhan_2020"):
    variant(f"{_p}.orgs_off", _p, {"organisations.enabled": False})
    for _level in LADDER:
        if (_p, _level) != ("three_social", 1.0):  # three_social's own integration is 1
            variant(f"{_p}.I{_level:g}", _p, _integration(_level))
    for _level in (0.0, 1.0):  # funding 0.5 keeps the presets' own 2 social workers an organisation
        variant(f"{_p}.f{_level:g}", _p, _funding(_level))
variant("three_social.le0", "three_social", {"internal.leader_example": 0.0})
WUHAN_LEVERS = {
    "no_gb": {"external.group_buy": False}, "no_step_in": {"external.cadres_step_in": False},
    "default_schedule": {"phases.full_closure.start": 25}, "hospitals_open": OPEN_HOSPITALS,
    "cap1": {"prices.cap": 1.0}, "no_neighbours": {"external.neighbour_order_rate": 0.0},
    "no_lists": {"external.organiser_reach": 0.0}, "lean_supply": {"external.deliveries_days": 0.38},
    "no_aftermath": NO_AFTERMATH, "vol_off": {"volunteers.enabled": False},
    "incentives": {"volunteers.incentives": True}, "conflict": {"volunteers.conflict_handling": True},
    "categorized": {"volunteers.mode": "categorized"}, "sup0.3": {"volunteers.supervision_hours": 0.3},
    "sup0.05": {"volunteers.supervision_hours": 0.05}, "ls0": {"internal.leader_share": 0.0},
    "ls0.6": {"internal.leader_share": 0.6}, "le0": {"internal.leader_example": 0.0},
    "crisis0.66": {"triage.crisis_threshold": 0.66}, "crisis0.675": {"triage.crisis_threshold": 0.675},
    "crisis0.68": {"triage.crisis_threshold": 0.68},
}
for _k, _o in WUHAN_LEVERS.items():
    variant(f"wuhan_2020.{_k}", "wuhan_2020", _o)
CALL_LEVERS = {"incentives": {"volunteers.incentives": True}, "conflict": {"volunteers.conflict_handling": True},
               "no_incentives": {"volunteers.incentives": False},
               "no_conflict": {"volunteers.conflict_handling": False},
               "categorized": {"volunteers.mode": "categorized"}, "sup0.3": {"volunteers.supervision_hours": 0.3},
               "sup0.05": {"volunteers.supervision_hours": 0.05}}
for _k in ("incentives", "conflict", "categorized", "sup0.3", "sup0.05"):
    variant(f"open_recruitment.{_k}", "open_recruitment", CALL_LEVERS[_k])
for _k in ("no_incentives", "no_conflict", "categorized", "sup0.3", "sup0.05"):
    variant(f"categorized_recruitment.{_k}", "categorized_recruitment", CALL_LEVERS[_k])
variant("triage0", "no_linkage", {"triage.enabled": True, "triage.social_workers": 0})
variant("triage", "no_linkage", {"triage.enabled": True})
variant("no_linkage.sick0.05", "no_linkage", {"cadres.sick_rate": 0.05})
# the tests' sizes
for _p in ("open_recruitment", "categorized_recruitment", "weak_mass_base", "strong_mass_base"):
    variant(f"{_p}@1500", _p, VOLUNTEERS_SIZE)
for _p in ("weak_mass_base", "strong_mass_base"):
    variant(f"{_p}.no_mob@1500", _p, {**VOLUNTEERS_SIZE, "volunteers.mobilisation": False})
variant("leader_inactive@1500", "leader_inactive", LEADERS_SIZE)
variant("leader_inactive.active@1500", "leader_inactive", {**LEADERS_SIZE, "organisations.leader_active_prob": 1.0})
for _k, _p, _o in (("no_linkage", "no_linkage", {}), ("emergency_online", "emergency_online", {}),
                   ("internal", "internal", {}),
                   ("group_buy", "no_linkage", {"external.group_buy": True}),
                   ("triage0", "no_linkage", {"triage.enabled": True, "triage.social_workers": 0}),
                   ("triage0.day0", "no_linkage", {"triage.enabled": True, "triage.social_workers": 0,
                                                   "triage.start_day": 0})):
    variant(f"{_k}@1000", _p, {**TESTS_SMALL, **_o})
for _t in ("first_come", "need", "equal"):
    variant(f"pattern8.{_t}", "no_linkage", {**PATTERN8, "external.targeting": _t})


def _compare_seeds() -> tuple:
    """The seeds `liandong compare ... --reps 10` runs replications 0-9 on (common random numbers)."""

    plan = compare_plan(["no_linkage"], replications=10, root_seed=DEFAULT_ROOT_SEED, daily=False)
    return tuple(plan.seed(0, rep) for rep in range(10))


CRN_SEEDS = _compare_seeds()
for _p in ("no_linkage", "internal", "emergency_online"):
    variant(f"crn.{_p}", _p, seeds=CRN_SEEDS)


# --- one run, and what is kept of it ---------------------------------------------------------------------------------
@dataclass
class Run:
    """What the figures read of one run: its summary, its daily series and counts kept while it ran."""

    summary: dict
    daily: pd.DataFrame
    x: dict = field(default_factory=dict)


def simulate(task: tuple[str, int]) -> Run:
    """Run one variant on one seed, keeping per-day counts the daily series does not have (food needs open by
    group, households waiting for a package) and the mechanisms' totals at the end."""

    key, seed = task
    model = CommunityModel(scenario=VARIANTS[key].scenario(), rng=seed)
    hh = model.households
    ext = linkage.find(model, ExternalLinkage)
    groups = {"vulnerable": hh.vulnerable, "other": ~hh.vulnerable, "low_income": hh.low_income,
              "offline": ~hh.digital}
    if ext is not None:
        groups.update(organised=ext.organised, unorganised=~ext.organised)
    food = {g: [] for g in groups}
    waiting_fed, waiting_hungry = [], []
    met_by: dict[str, int] = {}
    while model.running:
        model.step()
        short = hh.open[:, FOOD]
        for g, mask in groups.items():
            food[g].append(int(np.count_nonzero(short & mask)))
        if ext is not None:
            waiting = short & (ext.on_order > 0)
            waiting_fed.append(int(np.count_nonzero(waiting & (hh.food_stock > 0))))
            waiting_hungry.append(int(np.count_nonzero(waiting & (hh.food_stock <= 0))))
        for by, n in model.ledger.met_by.items():
            met_by[by] = met_by.get(by, 0) + n
    x: dict = {"n": hh.n, "vulnerable": int(hh.vulnerable.sum()), "offline": int((~hh.digital).sum()),
               "offline_elderly": int((hh.elderly & ~hh.digital).sum()), "low_income": int(hh.low_income.sum()),
               "mean_degree": model.network.ties.nnz / hh.n, "met_by": met_by, "mean_size": float(hh.size.mean()),
               "mean_factor": float(hh.food_days_factor.mean()),
               "food": {g: np.array(v) for g, v in food.items()}}
    if ext is not None:
        x.update(ext=dict(ext.total), at_gate_end=ext.at_gate(), organised_households=int(ext.organised.sum()),
                 waiting_fed=np.array(waiting_fed), waiting_hungry=np.array(waiting_hungry))
    pool = linkage.find(model, VolunteerPool)
    if pool is not None:
        x.update(fatigue_max=float(pool.fatigue.max()) if len(pool.fatigue) else 0.0,
                 mobilised=int((~pool.recruit).sum()), burnt_out=int((pool.status == BURNT_OUT).sum()))
    orgs = linkage.find(model, SocialOrganisations)
    if orgs is not None:
        x.update(joint=orgs.n_joint, roster=len(orgs.roster),
                 own_clients=int((hh.low_income | hh.disabled).sum()),
                 leaders_active=sum(o.leader_active for o in orgs.organisations))
    return Run(model.summary(), model.daily(), x)


def _model_fingerprint() -> str:
    """A hash of the model's code and presets and of what `simulate` keeps: a cache of runs is reused only while
    they are unchanged."""
    import inspect

    digest = hashlib.sha256(inspect.getsource(simulate).encode())
    for folder in ("simulation", "agents", "scenarios"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in (".py", ".toml"):
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def collect(keys: Iterable[str], workers: int = 2, cache: Path | None = None,
            progress: bool = True) -> dict[tuple[str, int], Run]:
    """Every (variant, seed) of `keys`, run once each in `workers` processes (or read from `cache`, a folder of
    pickled runs kept for development, reused only for the same model code)."""
    tasks = [(k, s) for k in keys for s in VARIANTS[k].seeds]
    runs: dict[tuple[str, int], Run] = {}
    store = None
    if cache is not None:
        store = cache / _model_fingerprint()
        store.mkdir(parents=True, exist_ok=True)
        for k, s in tasks:
            path = store / f"{k}~{s}.pkl"
            if path.exists():
                runs[k, s] = pickle.loads(path.read_bytes())
    todo = [t for t in tasks if t not in runs]
    start = time.perf_counter()

    def keep(task, run):
        runs[task] = run
        if store is not None:
            (store / f"{task[0]}~{task[1]}.pkl").write_bytes(pickle.dumps(run))
        if progress and len(runs) % 50 == 0:
            print(f"  {len(runs)}/{len(tasks)} runs ({time.perf_counter() - start:.0f} s)", file=sys.stderr)

    if workers > 1 and len(todo) > 1:
        with cf.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver")) as pool:
            for task, run in zip(todo, pool.map(simulate, todo, chunksize=4)):
                keep(task, run)
    else:
        for task in todo:
            keep(task, simulate(task))
    return runs


# --- formatting (experiments/numbers.py, and the ranges built on it) ---------------------------------------------
def span(lo: float, hi: float, fmt: Callable[[float], str]) -> str:
    """A range, "1,886–2,051" ("30–34%" for percentages); one figure when both ends read the same."""
    a, b = fmt(lo), fmt(hi)
    if a == b:
        return a
    if a.endswith("%") and b.endswith("%"):
        a = a[:-1]
    return f"{a}{DASH}{b}"


SIGNED_N0, SIGNED_P0 = signed(n0), signed(p0)


def seeds_phrase(k: int, n: int) -> str:
    """How many of the n paired seeds a comparison holds in, as the prose says it."""
    if k == n:
        return "in every seed"
    if k == 0:
        return f"in none of the {n} seeds"
    return f"in {k} of {n} seeds"


# --- the figures -----------------------------------------------------------------------------------------------------
Measure = Callable[[Run], float]


@dataclass
class Figure:
    name: str
    text: str
    value: float
    low: float
    high: float
    variants: tuple[str, ...]
    holds: bool | None = None  # a claim of the prose: must be True


class Book:
    """The figures and tables of one build, read off the runs."""

    def __init__(self, runs: dict[tuple[str, int], Run]):
        self.runs = runs
        self.figures: dict[str, Figure] = {}
        self.tables: dict[str, str] = {}

    # reading the runs
    def of(self, key: str) -> list[Run]:
        return [self.runs[key, s] for s in VARIANTS[key].seeds]

    def values(self, key: str, f: Measure) -> np.ndarray:
        return np.array([float(f(r)) for r in self.of(key)])

    # registering
    def add(self, name: str, text: str, value: float, variants, low: float = math.nan, high: float = math.nan,
            holds: bool | None = None) -> Figure:
        variants = (variants,) if isinstance(variants, str) else tuple(variants)
        fig = Figure(name, text, float(value), float(low), float(high), variants, holds)
        if name in self.figures:  # the same figure asked for by two paragraphs
            if self.figures[name].text != text or self.figures[name].variants != variants:
                raise ValueError(f"figure {name!r} registered twice, differently")
            return self.figures[name]
        self.figures[name] = fig
        return fig

    def mean(self, name: str, key: str, f: Measure, fmt=n0) -> float:
        v = self.values(key, f)
        self.add(name, fmt(v.mean()), v.mean(), key, v.min(), v.max())
        return float(v.mean())

    def range(self, name: str, key: str, f: Measure, fmt=n0) -> np.ndarray:
        v = self.values(key, f)
        self.add(name, span(v.min(), v.max(), fmt), v.mean(), key, v.min(), v.max())
        return v

    def mean_range(self, name: str, key: str, f: Measure, fmt=n0) -> np.ndarray:
        """"mean (low–high)"."""
        v = self.values(key, f)
        self.add(name, f"{fmt(v.mean())} ({span(v.min(), v.max(), fmt)})", v.mean(), key, v.min(), v.max())
        return v

    def total(self, name: str, key: str, f: Measure, fmt=n0) -> float:
        v = self.values(key, f)
        self.add(name, fmt(v.sum()), v.sum(), key, v.min(), v.max())
        return float(v.sum())

    def number(self, name: str, value: float, variants, fmt=n0) -> float:
        self.add(name, fmt(value), value, variants)
        return float(value)

    def paired(self, a: str, b: str, f: Measure) -> np.ndarray:
        """f(b) − f(a), seed by seed."""
        return self.values(b, f) - self.values(a, f)

    def diff(self, name: str, a: str, b: str, f: Measure, fmt: Callable[[float], str] | None = None) -> np.ndarray:
        """The mean paired change from a to b."""
        d = self.paired(a, b, f)
        self.add(name, (fmt or SIGNED_N0)(d.mean()), d.mean(), (a, b), d.min(), d.max())
        return d

    def ratio(self, name: str, a: str, b: str, f: Measure, fmt: Callable[[float], str] | None = None) -> float:
        """The change of the ten-seed mean from a to b, relative to a's."""
        ma, mb = self.values(a, f).mean(), self.values(b, f).mean()
        r = mb / ma - 1 if ma else math.nan
        self.add(name, (fmt or SIGNED_P0)(r), r, (a, b))
        return r

    def seeds(self, name: str, a: str, b: str, f: Measure, below: bool = True, at_least: int | None = None) -> int:
        """In how many paired seeds f(b) < f(a) (or > with `below` False), as a phrase; with `at_least`, a
        claim that must hold in that many seeds."""
        d = self.paired(a, b, f)
        k = int((d < 0).sum() if below else (d > 0).sum())
        holds = None if at_least is None else k >= at_least
        self.add(name, seeds_phrase(k, len(d)), k, (a, b), holds=holds)
        return k

    def claim(self, name: str, holds: bool, variants, text: str = "") -> bool:
        """A statement of the prose that rests on the runs: the test fails when it no longer holds."""
        self.add(name, text, float(bool(holds)), variants, holds=bool(holds))
        return bool(holds)

    def table(self, name: str, lines: list[str]) -> None:
        self.tables[name] = "\n".join(lines)


# --- measures read off one run ---------------------------------------------------------------------------------
def s(key: str) -> Measure:
    """A summary key."""
    return lambda r: r.summary[key]


def col(column: str, days: slice = slice(None), how: str = "sum") -> Measure:
    """A daily column over some days (positions = days), summed, averaged, or its max/min/last."""
    def f(r: Run) -> float:
        v = r.daily[column].iloc[days]
        return float(getattr(v, how)()) if how != "last" else float(v.iloc[-1])
    return f


def on(column: str, day: int) -> Measure:
    return lambda r: float(r.daily[column].iloc[day])


def per_household(group: str, column: str) -> Measure:
    """Need-days per household of a group: `unmet_<group>`-style column summed over the run, over its size."""
    return lambda r: float(r.daily[column].sum()) / r.x[group]


def vulnerable_days(r: Run) -> float:
    return float(r.daily["unmet_vulnerable"].sum()) / r.x["vulnerable"]


def other_days(r: Run) -> float:
    return float(r.summary["unmet_need_days"] - r.daily["unmet_vulnerable"].sum()) / (r.x["n"] - r.x["vulnerable"])


def peak(r: Run) -> float:
    return float(r.daily["unmet_total"].max())


def pre_closure(r: Run) -> float:
    return float(r.daily["unmet_total"].iloc[0:18].mean())


def food(group: str, start: int = 0) -> Measure:
    """Unmet food need-days of a group's households (from day `start`), in all."""
    return lambda r: float(r.x["food"][group][start:].sum())


def overload_days(r: Run) -> float:
    d = r.daily
    return float((d["volunteer_coordinator_load"] > d["volunteer_coordinator_capacity"]).sum())


def last_day_with(column: str) -> Measure:
    """The last day on which a daily column is above 0 (−1 if never)."""
    def f(r: Run) -> float:
        days = np.flatnonzero(r.daily[column].to_numpy() > 0)
        return float(days[-1]) if len(days) else -1.0
    return f


def full_line_from(r: Run) -> float:
    """The first day from which the cadres' report line is full (`coordinator_load` > capacity) on every day
    through the end of full closure (day 54)."""
    d = r.daily
    over = (d["coordinator_load"] > d["coordinator_capacity"]).to_numpy()[:55]
    day = 54
    while day >= 0 and over[day]:
        day -= 1
    return float(day + 1)


def days_text(values: np.ndarray) -> str:
    """"day 28" or "days 27–29"."""
    lo, hi = int(np.min(values)), int(np.max(values))
    return f"day {lo}" if lo == hi else f"days {lo}{DASH}{hi}"


def on_days(values: np.ndarray) -> str:
    """"on day 28 in every seed" or "on days 27–29"."""
    lo, hi = int(np.min(values)), int(np.max(values))
    return f"on day {lo} in every seed" if lo == hi else f"on days {lo}{DASH}{hi}"


def signed_span(lo: float, hi: float, fmt) -> str:
    """A range of changes: "−12% to +18%" across 0, else "+3–6%"."""
    if lo < 0 < hi:
        return f"{signed(fmt)(lo)} to {signed(fmt)(hi)}"
    return span(lo, hi, signed(fmt)) if lo >= 0 else f"{fmt(lo)} to {fmt(hi)}"


def updown(d: np.ndarray) -> str:
    """How many paired seeds went down, up or stayed level: "7 down, 3 up"."""
    parts = [(int((d < 0).sum()), "down"), (int((d > 0).sum()), "up"), (int((d == 0).sum()), "level")]
    return ", ".join(f"{k} {word}" for k, word in parts if k)


def paired_ci(d: np.ndarray) -> tuple[float, float]:

    _, _, _, low, high = t_interval(d)
    return low, high


def hidden_online(r: Run) -> float:
    d = r.daily
    return float(d["hidden_total"].sum() - d["hidden_offline"].sum()) / (r.x["n"] - r.x["offline"])


def hidden_offline(r: Run) -> float:
    return float(r.daily["hidden_offline"].sum()) / r.x["offline"]


def per_need(category: str) -> Measure:
    """Unmet need-days per need raised of a category: how long, on average, such a need stays open."""
    return lambda r: float(r.daily[f"unmet_{category}"].sum() / r.daily[f"raised_{category}"].sum())


def first_day(column: str) -> Measure:
    def f(r: Run) -> float:
        days = np.flatnonzero(r.daily[column].to_numpy() > 0)
        return float(days[0]) if len(days) else math.nan
    return f


def target(key: str) -> Measure:
    """A calibration target's figure (experiments/targets.py) read off the run."""

    (t,) = [t for t in TARGETS if t.key == key]
    return lambda r: float(t.measure(r.daily, r.x["n"]))


# --- section 1: the patterns -----------------------------------------------------------------------------------------
def late_ratio(r: Run) -> float:
    """The backlog's mean over days 41-54 over its peak (pattern 1)."""
    return float(r.daily["unmet_total"].iloc[41:55].mean()) / peak(r)


def pattern1_holds(r: Run) -> bool:
    """tests/test_wuhan.py's criterion, seed by seed."""
    day = r.summary["peak_unmet_day"]
    return 22 <= day <= 40 and late_ratio(r) < 0.5 and peak(r) > 3 * pre_closure(r)


def section1_pattern1(b: Book) -> None:
    w = "wuhan_2020"
    days = b.values(w, s("peak_unmet_day"))
    b.add("p1.peak_days", on_days(days), days.mean(), w, days.min(), days.max())
    b.add("p1.peak_day", days_text(days), days.mean(), w, days.min(), days.max())
    b.claim("p1.passes", all(pattern1_holds(r) for r in b.of(w)), w)
    b.range("p1.late_ratio", w, late_ratio, n2)
    arrival = b.values(w, first_day("group_buy_arrived"))
    b.claim("p1.peak_before_arrivals", bool(((days < arrival) & (days >= arrival - 2)).all()), w)
    for key in ("no_linkage", "internal", "categorized_recruitment", "strong_mass_base", "three_social",
                "open_recruitment", "weak_mass_base", "external", "group_buy"):
        d = b.values(key, s("peak_unmet_day"))
        b.add(f"{key}.peak_days", on_days(d), d.mean(), key, d.min(), d.max())
    b.seeds("p1.sunk_cadres_cut", "no_linkage@1000", "internal@1000", s("unmet_need_days"), at_least=10)
    b.ratio("p1.internal_cut", "no_linkage", "internal", s("unmet_need_days"))
    base = b.values("no_linkage", s("peak_unmet_day")).mean()
    earlier = all(b.values(k, s("peak_unmet_day")).mean() < base
                  for k in ("categorized_recruitment", "strong_mass_base", "three_social"))
    b.claim("p1.volunteers_move_the_peak", earlier, ("no_linkage", "categorized_recruitment", "strong_mass_base",
                                                     "three_social"))
    # the paragraph
    b.range("p1.peak_height", w, peak)
    b.range("no_linkage.peak_height", "no_linkage", peak)
    b.range("p1.peak_over_pre", w, lambda r: peak(r) / pre_closure(r), n0)
    b.range("p1.pre_closure", w, pre_closure)
    b.range("p1.late_mean", w, col("unmet_total", slice(41, 55), "mean"))
    b.range("p1.easing", w, col("unmet_total", slice(55, 76), "mean"))
    b.range("p1.reopened", w, col("unmet_total", slice(76, None), "mean"))
    b.range("wuhan_2020.unmet_range", w, s("unmet_need_days"))
    b.mean("wuhan_2020.unmet", w, s("unmet_need_days"))
    b.mean("no_linkage.unmet", "no_linkage", s("unmet_need_days"))
    b.mean("internal.unmet", "internal", s("unmet_need_days"))
    b.range("wuhan_2020.hidden_range", w, s("hidden_need_share"), p0)
    b.total("wuhan_2020.failures_total", w, s("critical_failures"))
    b.total("no_linkage.failures_total", "no_linkage", s("critical_failures"))
    b.range("wuhan_2020.equity_range", w, s("equity_ratio"), n2)
    # the peak's day and height
    b.range("p1.day23", w, on("unmet_total", 23))
    b.range("p1.day24", w, on("unmet_total", 24))

    def at_peak(column: str) -> Measure:
        return lambda r: float(r.daily[column].iloc[int(r.summary["peak_unmet_day"])])

    b.range("p1.peak_food", w, at_peak("unmet_food"))
    b.range("p1.peak_food_share", w, lambda r: at_peak("unmet_food")(r) / peak(r), p0)
    def fed(r):
        return float(r.x["waiting_fed"][int(r.summary["peak_unmet_day"])])
    b.range("p1.peak_waiting_fed", w, fed)
    b.range("p1.peak_waiting_fed_share", w, lambda r: fed(r) / at_peak("unmet_food")(r), p0)
    b.range("p1.peak_waiting_hungry", w, lambda r: float(r.x["waiting_hungry"][int(r.summary["peak_unmet_day"])]))
    b.add("p1.first_arrival", days_text(arrival), arrival.mean(), w, arrival.min(), arrival.max())
    b.range("p1.after_arrival", w, lambda r: float(r.daily["unmet_total"].iloc[int(first_day("group_buy_arrived")(r))]))
    b.ratio("p1.no_step_in_rise", w, "wuhan_2020.no_step_in", s("unmet_need_days"))
    ng = "wuhan_2020.no_gb"
    d = b.values(ng, s("peak_unmet_day"))
    b.add("p1.no_gb.peak_days", on_days(d), d.mean(), ng, d.min(), d.max())
    b.range("p1.no_gb.peak_height", ng, peak)
    b.range("p1.no_gb.late_ratio", ng, late_ratio, n2)
    b.range("p1.no_gb.unmet", ng, s("unmet_need_days"))
    b.seeds("p1.no_gb.more", w, ng, s("unmet_need_days"), below=False)
    b.claim("p1.fails_without_group_buying", not all(pattern1_holds(r) for r in b.of(ng)), ng)
    ds = "wuhan_2020.default_schedule"
    d = b.values(ds, s("peak_unmet_day"))
    b.add("p1.default_schedule.peak_days", on_days(d), d.mean(), ds, d.min(), d.max())
    b.claim("p1.default_schedule.same_peak_day", bool((abs(d - days) <= 1).all()), (w, ds))
    b.range("p1.default_schedule.peak_height", ds, peak)
    b.range("p1.default_schedule.unmet", ds, s("unmet_need_days"))


def section1_table(b: Book) -> None:
    """The rows of the patterns table that quote figures: patterns 2, 3 and 7."""
    base, online = "no_linkage@1000", "emergency_online@1000"
    on_b, on_o = b.values(base, hidden_online), b.values(online, hidden_online)
    off_b, off_o = b.values(base, hidden_offline), b.values(online, hidden_offline)
    fall_on, change_off = (on_b - on_o) / on_b, (off_o - off_b) / off_b
    b.add("p2.online_fall", span(fall_on.min(), fall_on.max(), p0), fall_on.mean(), (base, online),
          fall_on.min(), fall_on.max())
    b.add("p2.online_before", n1(on_b.mean()), on_b.mean(), base)
    b.add("p2.online_after", n2(on_o.mean()), on_o.mean(), online)
    b.add("p2.offline_change", signed_span(change_off.min(), change_off.max(), p0), change_off.mean(),
          (base, online), change_off.min(), change_off.max())
    b.add("p2.offline_before", n1(off_b.mean()), off_b.mean(), base)
    k = int(((fall_on > -change_off) & (on_o < on_b)).sum())
    b.add("p2.passes", seeds_phrase(k, len(fall_on)), k, (base, online), holds=k == len(fall_on))
    # pattern 3: medical needs wait longer than food
    w = "wuhan_2020"
    gap = b.values(w, per_need("medical")) - b.values(w, per_need("food"))
    b.mean("p3.wuhan.medical", w, per_need("medical"), n2)
    b.mean("p3.wuhan.food", w, per_need("food"), n2)
    b.add("p3.wuhan.smallest_gap", signed(n2)(gap.min()), gap.min(), w)
    b.claim("p3.wuhan.every_seed", bool((gap > 0).all()), w)
    for key, fmt in (("no_linkage", n1), ("three_social", n2)):
        m, f = b.mean(f"p3.{key}.medical", key, per_need("medical"), fmt), b.mean(f"p3.{key}.food", key,
                                                                                   per_need("food"), fmt)
        b.claim(f"p3.{key}.on_the_mean", m > f, key)
    h = "wuhan_2020.hospitals_open"
    m, f = b.mean("p3.open.medical", h, per_need("medical"), n2), b.mean("p3.open.food", h, per_need("food"), n2)
    b.claim("p3.open.reverses", m < f, h)
    # pattern 7, seed by seed
    others = ("no_linkage", "emergency_online", "internal", "categorized_recruitment")
    eq = b.values("three_social", s("equity_ratio"))
    lowest = np.min([b.values(k, s("equity_ratio")) for k in others], axis=0)
    k = int((eq < lowest).sum())
    b.add("p7.equity_seeds", seeds_phrase(k, len(eq)), k, ("three_social",) + others)


def active_on_last_day(r: Run) -> float:
    return float(r.daily["volunteers_active"].iloc[-1])


def queue_clear_day(r: Run) -> float:
    """The first day after the call with nobody waiting to be vetted."""
    return last_day_with("volunteers_vetting")(r) + 1


def section1_patterns4to6(b: Book) -> None:
    o, c = "open_recruitment", "categorized_recruitment"
    b.range("p4.open.queue_peak", o, col("volunteers_vetting", how="max"))
    b.add("p4.open.queue_until", days_text(b.values(o, last_day_with("volunteers_vetting"))), math.nan, o)
    b.range("p4.open.overload_days", o, overload_days)
    b.range("p4.cat.queue_peak", c, col("volunteers_vetting", how="max"))
    clear = b.values(c, queue_clear_day)
    b.add("p4.cat.vetted_by", f"day {int(clear.max())}", clear.max(), c)
    over = b.values(c, overload_days)
    b.add("p4.cat.overload", "no overload day" if over.max() == 0 else f"{span(over.min(), over.max(), n0)} "
          "overload days", over.mean(), c, over.min(), over.max())
    more_days = b.paired(c, o, overload_days)
    longer = b.values(o, col("volunteers_vetting", how="max")) >= 2 * b.values(c, col("volunteers_vetting",
                                                                                         how="max"))
    b.claim("p4.overload_passes", bool(((more_days >= 5) & longer).all()), (o, c))
    b.range("p4.cat.day89", c, active_on_last_day)
    b.range("p4.open.day89", o, active_on_last_day)
    b.seeds("p4.day89_seeds", o, c, active_on_last_day, below=False, at_least=10)
    o15, c15 = "open_recruitment@1500", "categorized_recruitment@1500"
    b.add("p4.open1500.clear", days_text(b.values(o15, queue_clear_day)), math.nan, o15)
    b.range("p4.cat1500.day89", c15, active_on_last_day)
    b.range("p4.open1500.day89", o15, active_on_last_day)
    b.seeds("p4.1500_seeds", o15, c15, active_on_last_day, below=False)

    def margin(a: str, c: str) -> float:
        return 1 - b.values(c, s("unmet_need_days")).mean() / b.values(a, s("unmet_need_days")).mean()

    b.add("readme.margin1500", signed(p0)(-margin(o15, c15)), -margin(o15, c15), (o15, c15))
    # pattern 5: the mass base (tests/test_volunteers.py, 1,500 households)
    wk, st = "weak_mass_base@1500", "strong_mass_base@1500"
    mobilised = col("volunteers_mobilised_total", how="last")
    more = b.paired(wk, st, mobilised) > 0
    fewer = b.paired(wk, st, s("unmet_need_days")) < 0
    k = int((more & fewer).sum())
    b.add("p5.seeds", seeds_phrase(k, len(more)), k, (wk, st), holds=k == len(more))
    b.range("p5.strong.joined", st, mobilised)
    b.range("p5.weak.joined", wk, mobilised)
    b.range("p5.strong.unmet_range", st, s("unmet_need_days"))
    b.range("p5.weak.unmet_range", wk, s("unmet_need_days"))
    b.mean("p5.strong.unmet", st, s("unmet_need_days"))
    b.mean("p5.weak.unmet", wk, s("unmet_need_days"))
    b.ratio("p5.strong_vs_weak", wk, st, s("unmet_need_days"))
    wk0, st0 = "weak_mass_base.no_mob@1500", "strong_mass_base.no_mob@1500"
    b.seeds("p5.no_mob.seeds", wk0, st0, s("unmet_need_days"))
    b.claim("p5.no_mob.still_fewer", b.values(st0, s("unmet_need_days")).mean()
            < b.values(wk0, s("unmet_need_days")).mean(), (wk0, st0))
    b.mean("p5.no_mob.strong", st0, s("unmet_need_days"))
    b.mean("p5.no_mob.weak", wk0, s("unmet_need_days"))
    b.ratio("p5.no_mob.strong_vs_weak", wk0, st0, s("unmet_need_days"))
    b.ratio("p5.no_mob.strong_rise", st, st0, s("unmet_need_days"), signed(p1))
    b.ratio("p5.no_mob.weak_rise", wk, wk0, s("unmet_need_days"), signed(p1))
    # pattern 6: the inactive leader (1,500 households, 60 days)
    idle, acting = "leader_inactive@1500", "leader_inactive.active@1500"
    fewer_workers = b.paired(acting, idle, col("social_workers_active", slice(28, None))) < 0
    margin = b.paired(acting, idle, s("unmet_need_days"))
    b.claim("p6.passes", bool((fewer_workers & (margin > 0)).all()), (idle, acting))
    b.add("p6.margin", span(margin.min(), margin.max(), n0), margin.mean(), (acting, idle), margin.min(),
          margin.max())
    b.add("p6.margin_mean", n0(margin.mean()), margin.mean(), (acting, idle))
    b.add("p6.unmet_about", n0(round(b.values(idle, s("unmet_need_days")).mean(), -3)),
          b.values(idle, s("unmet_need_days")).mean(), idle)
    line = b.values(idle, full_line_from)
    b.add("p6.full_line_from", days_text(line), line.mean(), idle, line.min(), line.max())
    b.claim("p6.no_session", all(r.x["met_by"].get("social_worker", 0) == 0 for r in b.of(idle)), idle)
    b.mean("leader_inactive.unmet", "leader_inactive", s("unmet_need_days"))
    b.mean("leader_inactive.active.unmet", "leader_inactive.active", s("unmet_need_days"))


PATTERN7 = ("no_linkage", "emergency_online", "internal", "categorized_recruitment", "three_social")


def section1_pattern7(b: Book) -> None:
    head = "| | " + " | ".join(f"`{k}`" for k in PATTERN7) + " |"
    rows = [head, "|---" + "|---:" * len(PATTERN7) + "|"]

    def row(label: str, cell: Callable[[np.ndarray], str], f: Measure) -> None:
        rows.append(f"| {label} | " + " | ".join(cell(b.values(k, f)) for k in PATTERN7) + " |")

    row("unmet need-days, mean (range)", lambda v: f"{n0(v.mean())} ({span(v.min(), v.max(), n0)})",
        s("unmet_need_days"))
    row("`equity_ratio`, mean (range)", lambda v: f"{n2(v.mean())} ({span(v.min(), v.max(), n2)})",
        s("equity_ratio"))
    row("`equity_ratio`, standard deviation over seeds", lambda v: n3(v.std(ddof=1)), s("equity_ratio"))
    row("critical failures, sum of 10 seeds", lambda v: n0(v.sum()), s("critical_failures"))
    row("`hidden_need_share`", lambda v: span(v.min(), v.max(), p1), s("hidden_need_share"))
    b.table("pattern7", rows)
    t = "three_social"
    unmet = {k: b.values(k, s("unmet_need_days")) for k in PATTERN7}
    closest = min((k for k in PATTERN7 if k != t), key=lambda k: unmet[k].min())
    b.add("p7.three_social.max", n0(unmet[t].max()), unmet[t].max(), t)
    b.add("p7.closest.min", n0(unmet[closest].min()), unmet[closest].min(), closest)
    b.add("p7.closest", f"`{closest}`", math.nan, closest)
    b.claim("p7.fewest", all((unmet[t] < unmet[k]).all() for k in PATTERN7 if k != t), PATTERN7)
    off, zero = "three_social.orgs_off", "three_social.I0"
    b.mean_range("p7.orgs_off.unmet", off, s("unmet_need_days"))
    b.mean_range("p7.I0.unmet", zero, s("unmet_need_days"))
    b.seeds("p7.integrated_lower", zero, t, s("unmet_need_days"))
    b.mean("three_social.unmet", t, s("unmet_need_days"))
    b.ratio("p7.failures_change", zero, t, s("critical_failures"))
    b.total("three_social.I0.failures_total", zero, s("critical_failures"))
    b.total("three_social.failures_total", t, s("critical_failures"))
    for level in (0.0, 0.25, 0.5, 0.75):
        b.mean(f"three_social.I{level:g}.unmet", f"three_social.I{level:g}", s("unmet_need_days"))
    eq = {k: b.values(k, s("equity_ratio")) for k in PATTERN7}
    near = min((k for k in PATTERN7 if k != t), key=lambda k: eq[k].mean())
    b.mean("three_social.equity", t, s("equity_ratio"), n2)
    b.add("p7.equity_closest", f"`{near}`, {n2(eq[near].mean())}", eq[near].mean(), near)
    b.claim("p7.best_equity", all(eq[t].mean() < eq[k].mean() for k in PATTERN7 if k != t), PATTERN7)
    b.add("p7.equity_highest", n2(eq[t].max()), eq[t].max(), t)
    lowest = min(eq[k].min() for k in PATTERN7 if k != t)
    b.add("p7.equity_lowest_other", n2(lowest), lowest, tuple(k for k in PATTERN7 if k != t))
    for key in (zero, t):
        b.mean(f"{key}.per_other", key, other_days, n1)
        b.mean(f"{key}.per_vulnerable", key, vulnerable_days, n1)
    b.claim("p7.levelling_down", b.values(t, other_days).mean() > b.values(zero, other_days).mean(), (zero, t))
    b.claim("p7.below_one", eq[t].mean() < 1, t)


def food_per(group: str, size: Callable[[Run], float], start: int = 25) -> Measure:
    """Unmet food need-days per household of a group from day `start` (pattern 8, fact 3)."""
    return lambda r: food(group, start)(r) / size(r)


def vulnerable_food(r: Run) -> float:
    return food_per("vulnerable", lambda r: r.x["vulnerable"])(r)


def other_food(r: Run) -> float:
    return food_per("other", lambda r: r.x["n"] - r.x["vulnerable"])(r)


def section1_pattern8(b: Book) -> None:
    fc, nd, eq = "pattern8.first_come", "pattern8.need", "pattern8.equal"
    raised = col("raised_food", slice(25, None))
    for key, name in ((fc, "first_come"), (nd, "need"), (eq, "equal")):
        if name != "equal":
            b.range(f"p8.{name}.raised", key, raised)
        b.range(f"p8.{name}.vulnerable", key, vulnerable_food, n1)
        b.range(f"p8.{name}.other", key, other_food, n1 if name != "first_come" else n2)
        b.range(f"p8.{name}.equity", key, s("equity_ratio"), n2)
    carried = all(r.x["at_gate_end"] == 0 and r.x["ext"]["supply"] >= raised(r) for key in (fc, nd)
                  for r in b.of(key))
    b.claim("p8.adequate_and_carried", carried, (fc, nd))
    k = int(sum(vulnerable_food(r) > 2 * other_food(r) and vulnerable_food(r) > 0 for r in b.of(fc)))
    b.add("p8.first_come.twice", seeds_phrase(k, 10), k, fc, holds=k == 10)
    lower = (b.paired(fc, nd, vulnerable_food) < 0) & (b.paired(fc, nd, s("equity_ratio")) < 0)
    b.add("p8.need.lower", seeds_phrase(int(lower.sum()), 10), lower.sum(), (fc, nd), holds=bool(lower.all()))
    b.claim("p8.equal_better_still", b.values(eq, vulnerable_food).mean() < b.values(nd, vulnerable_food).mean(),
            (nd, eq))
    b.seeds("p8.equal_below_need", nd, eq, s("equity_ratio"))


WHO_GAINS = (
    ("`no_linkage`", "no_linkage"),
    ("`emergency_online`", "emergency_online"),
    ("`internal`", "internal"),
    ("`external`", "external"),
    ("group buying alone (`no_linkage`, `--set external.group_buy=true`)", "group_buy"),
    ("`open_recruitment`", "open_recruitment"),
    ("`categorized_recruitment`", "categorized_recruitment"),
    ("organisations alone, not integrated (`no_linkage`, `--set organisations.enabled=true`)", "orgs"),
    ("organisations alone, integrated (the same with `organisations.integration=1`)", "orgs.I1"),
    ("`three_social` without organisations (`--set organisations.enabled=false`)", "three_social.orgs_off"),
    ("`three_social` with organisations not integrated (`organisations.integration=0`)", "three_social.I0"),
    ("`three_social`", "three_social"),
    ("`wuhan_2020` without organisations", "wuhan_2020.orgs_off"),
    ("`wuhan_2020` with organisations not integrated (`organisations.integration=0`)", "wuhan_2020.I0"),
    ("`wuhan_2020` (integration 0.3)", "wuhan_2020"),
    ("`wuhan_2020` with `organisations.integration=1`", "wuhan_2020.I1"),
)


def section1_who_gains(b: Book) -> None:
    rows = [("| scenario | unmet need-days, mean | `equity_ratio`, mean (range) | need-days per vulnerable household "
             "| per other household | `wait_ratio`, mean (range) | `offline_wait_ratio`, mean (range) |"),
            "|---|---:|---:|---:|---:|---:|---:|"]

    def mr(key: str, f: Measure) -> str:
        v = b.values(key, f)
        return f"{n2(v.mean())} ({span(v.min(), v.max(), n2)})"

    for label, key in WHO_GAINS:
        rows.append(f"| {label} | {n0(b.values(key, s('unmet_need_days')).mean())} | "
                    f"{mr(key, s('equity_ratio'))} | {n1(b.values(key, vulnerable_days).mean())} | "
                    f"{n1(b.values(key, other_days).mean())} | {mr(key, s('wait_ratio'))} | "
                    f"{mr(key, s('offline_wait_ratio'))} |")
    b.table("who_gains", rows)
    base = b.values("no_linkage", s("unmet_need_days")).mean()
    b.claim("who.every_mechanism_cuts", all(b.values(key, s("unmet_need_days")).mean() < base
                                            for _, key in WHO_GAINS[1:] if key != "orgs.I1")
            and abs(b.values("orgs.I1", s("unmet_need_days")).mean() / base - 1) < 0.01,
            tuple(k for _, k in WHO_GAINS))
    eq = {key: b.values(key, s("equity_ratio")).mean() for _, key in WHO_GAINS}
    for key in ("no_linkage", "emergency_online", "internal", "external", "group_buy", "orgs.I1",
                "three_social.orgs_off", "three_social.I0", "three_social", "wuhan_2020.orgs_off", "wuhan_2020.I0",
                "wuhan_2020", "wuhan_2020.I1"):
        b.number(f"{key}.equity", eq[key], key, n2)
    single = ("no_linkage", "emergency_online", "internal", "open_recruitment", "categorized_recruitment", "orgs",
              "orgs.I1")
    b.claim("who.external_widens_most", min(eq["external"], eq["group_buy"]) > max(eq[k] for k in single),
            ("external", "group_buy") + single)
    b.claim("who.internal_widens", eq["internal"] > eq["no_linkage"], ("no_linkage", "internal"))
    b.claim("who.online_narrows", eq["emergency_online"] < eq["no_linkage"], ("no_linkage", "emergency_online"))
    calls = [eq["open_recruitment"], eq["categorized_recruitment"]]
    b.add("who.calls_equity", span(min(calls), max(calls), n2), np.mean(calls),
          ("open_recruitment", "categorized_recruitment"), min(calls), max(calls))
    for key in ("three_social.orgs_off", "three_social.I0"):
        b.mean(f"{key}.per_other", key, other_days, n1)
        b.mean(f"{key}.per_vulnerable", key, vulnerable_days, n1)
    ladder = [eq["three_social.I0"]] + [b.values(f"three_social.I{x:g}", s("equity_ratio")).mean()
                                        for x in (0.25, 0.5, 0.75)] + [eq["three_social"]]
    b.add("who.ladder", ", ".join(n2(x) for x in ladder), math.nan,
          ("three_social.I0", "three_social.I0.25", "three_social.I0.5", "three_social.I0.75", "three_social"))
    b.claim("who.ladder_falls", all(a > c for a, c in pairwise(ladder)), "three_social")
    b.mean("orgs.unmet", "orgs", s("unmet_need_days"))
    b.mean("orgs.I1.unmet", "orgs.I1", s("unmet_need_days"))
    b.mean("orgs.I0.5.unmet", "orgs.I0.5", s("unmet_need_days"))
    a, c = b.values("orgs", s("unmet_need_days")).mean(), b.values("orgs.I1", s("unmet_need_days")).mean()
    b.claim("who.orgs_alone_about_as_many", abs(c / a - 1) < 0.01, ("orgs", "orgs.I1"))
    wr = {key: b.values(key, s("wait_ratio")).mean() for _, key in WHO_GAINS}
    ow = {key: b.values(key, s("offline_wait_ratio")).mean() for _, key in WHO_GAINS}
    for key in ("no_linkage", "external", "wuhan_2020", "orgs.I1", "three_social"):
        b.number(f"{key}.wait", wr[key], key, n2)
    for key in ("no_linkage", "group_buy", "wuhan_2020", "three_social", "emergency_online"):
        b.number(f"{key}.offline_wait", ow[key], key, n2)
    b.claim("who.cadres_alone_need_not_wait", eq["no_linkage"] > 1 >= wr["no_linkage"], "no_linkage")
    b.claim("who.orgs_integrated_wait", wr["orgs.I1"] > wr["no_linkage"] and eq["orgs.I1"] < eq["no_linkage"],
            ("no_linkage", "orgs.I1"))
    b.claim("who.group_buying_offline_wait", ow["group_buy"] > ow["no_linkage"], ("no_linkage", "group_buy"))
    b.claim("who.three_social_below_one", wr["three_social"] < 1 and ow["three_social"] < 1, "three_social")
    b.claim("who.online_leaves_offline_wait", abs(ow["emergency_online"] - ow["no_linkage"]) < 0.05,
            ("no_linkage", "emergency_online"))


def organised_food(r: Run) -> float:
    return food("organised", 25)(r) / r.x["organised_households"]


def unorganised_food(r: Run) -> float:
    return food("unorganised", 25)(r) / (r.x["n"] - r.x["organised_households"])


def section1_checks(b: Book) -> None:
    base, gb = "no_linkage@1000", "group_buy@1000"
    b.seeds("checks.group_buy.lower", base, gb, s("unmet_need_days"), at_least=10)
    b.range("checks.no_linkage1000.unmet", base, s("unmet_need_days"))
    b.range("checks.group_buy1000.unmet", gb, s("unmet_need_days"))
    b.range("checks.group_buy1000.organised", gb, organised_food, n1)
    b.range("checks.group_buy1000.unorganised", gb, unorganised_food, n1)
    k = int(sum(organised_food(r) < unorganised_food(r) for r in b.of(gb)))
    b.claim("checks.group_buy1000.favours_organised", k == 10, gb)
    b.seeds("checks.cap.low_income", "wuhan_2020", "wuhan_2020.cap1", food("low_income"), at_least=8)


# --- sections 4-7: the submodels' measured figures ------------------------------------------------------------
def section7_early(b: Book) -> None:
    """7.2 the network, 7.4 calls per cadre, 7.8 cadres' health, 7.9 distress."""
    b.mean("net.mean_degree", "no_linkage", lambda r: r.x["mean_degree"], n2)
    b.mean("population.mean_size", "no_linkage", lambda r: r.x["mean_size"], n2)
    b.mean("population.mean_factor", "no_linkage", lambda r: r.x["mean_factor"], n2)
    w = "wuhan_2020"
    b.range("calls.peak", w, col("calls_per_cadre", slice(18, 36), "max"))
    b.claim("calls.in_band", all(100 <= v <= 200 for v in b.values(w, col("calls_per_cadre", slice(18, 36),
                                                                              "max"))), w)

    def budget_use_on_busiest(r: Run) -> float:
        d = r.daily.iloc[18:36]
        day = d["calls_per_cadre"].idxmax()
        return float(d.loc[day, "coordinator_load"] / d.loc[day, "coordinator_capacity"])

    b.range("calls.budget_use", w, budget_use_on_busiest, p0)
    k = int(sum(budget_use_on_busiest(r) >= 1.0 for r in b.of(w)))
    b.add("calls.budget_binds", seeds_phrase(k, 10), k, w)
    b.claim("calls.budget_nearly_binds", all(budget_use_on_busiest(r) >= 0.95 for r in b.of(w)), w)
    n = "no_linkage"
    def divide(r):
        return (float(r.daily["hidden_offline_elderly"].sum()) / r.x["offline_elderly"]) / (
            float(r.daily["hidden_total"].sum() - r.daily["hidden_offline_elderly"].sum())
            / (r.x["n"] - r.x["offline_elderly"]))
    b.range("calls.divide", n, divide, n1)
    # 7.8 cadres' health under cadres alone
    out = col_sum("cadres_off_sick", "cadres_left")
    b.mean("health.fatigue75", n, on("cadre_fatigue", 75), n1)
    b.range("health.out_worst", n, out)
    b.mean("health.out_worst_mean", n, out, n1)
    b.range("health.left", n, col("cadres_left", how="last"))
    b.range("health.sick05_out_worst", "no_linkage.sick0.05", out)
    b.add("health.cadres", n0(b.of(n)[0].daily["cadres"].iloc[0]), b.of(n)[0].daily["cadres"].iloc[0], n)
    # 7.9 the aftermath and the survey week
    na = "wuhan_2020.no_aftermath"
    b.mean("mind.aftermath", w, target("psych_aftermath_key_groups"), n2)
    b.mean("mind.aftermath_off", na, target("psych_aftermath_key_groups"), n2)
    def key_groups(r):
        return (float(r.daily["psych_need_key_groups"].iloc[76:90].mean())
                                / float(r.daily["psych_need_key_groups"].iloc[55:76].mean()))
    b.mean("mind.aftermath_vs_easing", w, key_groups, n2)
    def requests(r):
        return (float(r.daily["raised_psych"].iloc[76:90].mean())
                              / max(float(r.daily["raised_psych"].iloc[55:76].mean()), 1e-9))
    b.mean("mind.requests_after", w, requests, n2)
    b.mean("mind.requests_after_off", na, requests, n2)
    b.seeds("mind.aftermath_lower", w, na, col("psych_need_key_groups", slice(76, 90), "mean"), at_least=10)
    b.mean("mind.distressed", w, target("distressed_survey_week"), p1)
    b.range("mind.distressed_range", w, target("distressed_survey_week"), p1)
    b.mean("mind.in_need", w, target("psych_need_survey_week"), p1)
    b.range("mind.in_need_range", w, target("psych_need_survey_week"), p1)


def col_sum(*columns: str) -> Measure:
    """The largest value over the days of the sum of some daily columns."""
    return lambda r: float(r.daily[list(columns)].sum(axis=1).max())


def section7_online_internal_triage_prices(b: Book) -> None:
    w, t = "wuhan_2020", "three_social"
    # 7.13 the remote services
    for key in (w, t):
        b.range(f"online.{key}.crises", key, col("crisis_referrals"))
    b.claim("online.crises_taken_same_day",
            all((r.daily["crisis_referrals_waiting"] == 0).all() for key in (w, t) for r in b.of(key)), (w, t))
    b.mean("online.callers_per_session", w, target("psych_hotline_overload"), n1)
    def served(r):
        return (float(r.daily["psych_sessions"].iloc[4:11].sum())
                            / float(r.daily["psych_need_households"].iloc[4:11].mean()))
    b.mean("online.served_share", w, served, p0)
    b.range("online.served_share_range", w, served, p0)
    # 7.14 the leaders' example
    mob = col("volunteers_mobilised_total", how="last")
    b.range("leaders.wuhan.joined", w, mob)
    for k in ("ls0", "le0"):
        fewer = -b.paired(w, f"{w}.{k}", mob)
        b.add(f"leaders.{k}.fewer", span(fewer.min(), fewer.max(), n0), fewer.mean(), (w, f"{w}.{k}"),
              fewer.min(), fewer.max())
        b.seeds(f"leaders.{k}.seeds", w, f"{w}.{k}", mob)
    b.diff("leaders.ls0.6.more", w, f"{w}.ls0.6", mob, n1)
    fewer = -b.paired(t, "three_social.le0", mob)
    b.add("leaders.three_social.le0.fewer", n0(fewer.mean()), fewer.mean(), (t, "three_social.le0"))
    b.seeds("leaders.three_social.le0.seeds", t, "three_social.le0", mob)
    # 7.15 triage on cadres alone
    n, t0, tr = "no_linkage", "triage0", "triage"
    b.range("triage.base.equity", n, s("equity_ratio"), n2)
    b.range("triage.equity", t0, s("equity_ratio"), n2)
    b.claim("triage.narrows", b.values(t0, s("equity_ratio")).mean() < b.values(n, s("equity_ratio")).mean(),
            (n, t0))
    b.ratio("triage.unmet_cost", n, t0, s("unmet_need_days"), signed(p1))
    b.mean("triage0.unmet", t0, s("unmet_need_days"))
    b.mean("triage.unmet", tr, s("unmet_need_days"))
    b.ratio("triage.failures_change", n, t0, s("critical_failures"))
    b.total("triage0.failures_total", t0, s("critical_failures"))
    b.total("triage.failures_total", tr, s("critical_failures"))
    line = b.values(n, full_line_from)
    b.add("no_linkage.full_line_from", days_text(line), line.mean(), n, line.min(), line.max())
    small, small_t, small_0 = "no_linkage@1000", "triage0@1000", "triage0.day0@1000"
    b.total("triage.small.base", small, s("critical_failures"))
    b.total("triage.small.triage", small_t, s("critical_failures"))
    b.total("triage.small.day0", small_0, s("critical_failures"))
    same = int((b.paired(small, small_t, s("critical_failures")) == 0).sum())
    b.add("triage.small.same", f"{same} of 10", same, (small, small_t))
    # 7.16 the price cap
    b.range("prices.peak", w, col("price_index", how="max"), n2)
    peak_price = b.values(w, col("price_index", how="max")).mean()
    b.add("prices.package", n0(100 * peak_price), 100 * peak_price, w)
    b.add("prices.days_a_package", n1(100 * peak_price / 40), 100 * peak_price / 40, w)
    cap = "wuhan_2020.cap1"
    b.mean("prices.low_income.base", w, food("low_income"))
    b.mean("prices.low_income.cap", cap, food("low_income"))
    b.ratio("prices.low_income.change", w, cap, food("low_income"))
    b.mean("wuhan_2020.cap1.unmet", cap, s("unmet_need_days"))
    b.ratio("prices.unmet_change", w, cap, s("unmet_need_days"), signed(p1))
    b.seeds("prices.unmet_seeds", w, cap, s("unmet_need_days"))
    b.mean("wuhan_2020.cap1.equity", cap, s("equity_ratio"), n2)
    b.mean("prices.no_linkage_peak", n, col("price_index", how="max"), n1)


CALLS = ("no_linkage", "open_recruitment", "categorized_recruitment", "weak_mass_base", "strong_mass_base",
         "wuhan_2020")


def at_work(r: Run) -> float:
    """Volunteers at work: the mean of `volunteers_active` over days 31-89."""
    return float(r.daily["volunteers_active"].iloc[31:].mean())


def hidden_offline_after_call(r: Run) -> float:
    return float(r.daily["hidden_offline"].iloc[31:].sum())


def met(by: str) -> Measure:
    return lambda r: float(r.x["met_by"].get(by, 0))


def section7_volunteers(b: Book) -> None:
    w = "wuhan_2020"
    presets = ("open_recruitment", "categorized_recruitment", "weak_mass_base", "strong_mass_base")
    burnt = np.concatenate([b.values(k, lambda r: r.x["burnt_out"]) for k in presets])
    b.add("vol.burnt_out", span(burnt.min(), burnt.max(), n0), burnt.mean(), presets, burnt.min(), burnt.max())
    b.range("vol.wuhan.fatigue_max", w, lambda r: r.x["fatigue_max"], n2)
    over = b.values(w, overload_days)
    b.add("vol.wuhan.overload", "never overloaded" if over.max() == 0 else
          f"overloaded on {span(over.min(), over.max(), n0)} days", over.mean(), w, over.min(), over.max())
    b.mean("vol.wuhan.idle", w, col("hours_idle_coordinator", slice(35, None), "mean"), n0)
    b.mean("vol.wuhan.approved34", w, on("volunteers_approved_total", 34), n1)
    b.range("vol.wuhan.approved34_range", w, on("volunteers_approved_total", 34))
    b.mean("vol.wuhan.approved34_scaled", w, target("approved_by_day_34"), n1)
    b.mean("vol.wuhan.signups_per_approval", w, target("signups_per_approval"), n1)
    mob = col("volunteers_mobilised_total", how="last")
    b.range("vol.weak.joined", "weak_mass_base", mob)
    b.range("vol.strong.joined", "strong_mass_base", mob)
    # the effect table
    off = f"{w}.vol_off"

    def mr(v: np.ndarray, fmt=n0, whole=n0) -> str:
        return fmt(v.mean()) if v.min() == v.max() else f"{fmt(v.mean())} ({span(v.min(), v.max(), whole)})"

    def cells(f: Callable[[str], str], none: str = "—") -> str:
        return " | ".join(none if key == "no_linkage" else f(key) for key in CALLS)

    def last(c):
        return col(c, how="last")
    rows = ["| | " + " | ".join(f"`{k}`" for k in CALLS) + " |", "|---" + "|---:" * len(CALLS) + "|"]
    unmet = {k: b.values(k, s("unmet_need_days")) for k in CALLS}
    rows.append("| unmet need-days | " + " | ".join(
        n0(unmet[k].mean()) if k == "no_linkage" else mr(unmet[k]) + (
            f"; {n0(b.values(off, s('unmet_need_days')).mean())} without volunteers" if k == w else "")
        for k in CALLS) + " |")
    rows.append("| sign-ups / approved / rejected, run | " + cells(lambda k: " / ".join(
        n0(b.values(k, last(c)).mean()) for c in ("applicants_total", "volunteers_approved_total",
                                                  "vetting_rejected_total"))) + " |")
    rows.append("| approved by day 34 | " + cells(lambda k: mr(b.values(k, on("volunteers_approved_total", 34))))
                + " |")
    rows.append("| residents who joined | " + cells(lambda k: mr(b.values(k, mob))) + " |")
    rows.append("| `volunteers_active_peak` | " + " | ".join(
        mr(b.values(k, s("volunteers_active_peak"))) for k in CALLS) + " |")
    rows.append("| volunteers active on day 89 | " + cells(lambda k: mr(b.values(k, active_on_last_day))) + " |")
    rows.append("| vetting queue at its peak | " + cells(
        lambda k: n0(b.values(k, col("volunteers_vetting", how="max")).mean())) + " |")
    rows.append("| volunteer-coordinator overload days | " + cells(lambda k: mr(b.values(k, overload_days))) + " |")
    rows.append("| doorstep visits (households with a hidden need found) | " + cells(
        lambda k: f"{n0(b.values(k, col('volunteer_visits')).mean())} "
                  f"({n0(b.values(k, col('volunteer_visits_found')).mean())})") + " |")
    rows.append("| conflicts (unresolved) | " + cells(
        lambda k: f"{n0(b.values(k, col('volunteer_conflicts')).mean())} "
                  f"({n0(b.values(k, col('volunteer_conflicts_unresolved')).mean())})") + " |")
    rows.append("| burnt out, run | " + cells(lambda k: mr(b.values(k, lambda r: r.x["burnt_out"]), n1, n0)) + " |")
    rows.append("| needs met by general / medical / psychological volunteers | " + cells(lambda k: " / ".join(
        n0(b.values(k, met(f"volunteer_{kind}")).mean()) for kind in ("general", "medical", "psych"))) + " |")
    rows.append("| critical failures, mean | " + " | ".join(
        n0(b.values(k, s("critical_failures")).mean()) + (
            f" ({n0(b.values(off, s('critical_failures')).mean())} without volunteers)" if k == w else "")
        for k in CALLS) + " |")
    b.table("volunteers_effect", rows)
    b.ratio("vol.open_cut", "no_linkage", "open_recruitment", s("unmet_need_days"))
    b.ratio("vol.cat_cut", "no_linkage", "categorized_recruitment", s("unmet_need_days"))
    b.mean("vol.hidden_off", off, hidden_offline_after_call)
    b.mean("vol.hidden_on", w, hidden_offline_after_call)
    b.ratio("vol.hidden_change", off, w, hidden_offline_after_call)
    b.diff("vol.unmet_change", off, w, s("unmet_need_days"))
    b.ratio("vol.unmet_ratio", off, w, s("unmet_need_days"), signed(p1))
    after = col("unmet_total", slice(31, None))
    k = int(((b.paired(off, w, hidden_offline_after_call) < -0.1 * b.values(off, hidden_offline_after_call))
             & (b.paired(off, w, after) < -0.03 * b.values(off, after))).sum())
    b.add("vol.wuhan_seeds", seeds_phrase(k, 10), k, (off, w), holds=k == 10)
    # the levers, paired
    c, o = "categorized_recruitment", "open_recruitment"
    table = [("volunteers off", {w: off}),
             ("`incentives` on (off in `categorized_recruitment`, where they are on)",
              {w: f"{w}.incentives", o: f"{o}.incentives", c: f"{c}.no_incentives"}),
             ("`conflict_handling` on (off in `categorized_recruitment`)",
              {w: f"{w}.conflict", o: f"{o}.conflict", c: f"{c}.no_conflict"}),
             ("`mode` = `categorized`", {k: f"{k}.categorized" for k in (w, "open_recruitment",
                                                                         "categorized_recruitment")}),
             ("`supervision_hours` 0.3", {k: f"{k}.sup0.3" for k in (w, "open_recruitment",
                                                                     "categorized_recruitment")}),
             ("`supervision_hours` 0.05", {k: f"{k}.sup0.05" for k in (w, "open_recruitment",
                                                                       "categorized_recruitment")}),
             ("`internal.leader_share` 0 (0.3 in the preset)", {w: f"{w}.ls0"}),
             ("`internal.leader_share` 0.6", {w: f"{w}.ls0.6"}),
             ("`internal.leader_example` 0", {w: f"{w}.le0", "three_social": "three_social.le0"})]
    columns = (w, "open_recruitment", "categorized_recruitment", "three_social")
    rows = ["| lever | " + " | ".join(f"`{k}`" for k in columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for label, where in table:
        cells_ = []
        for base in columns:
            if base not in where:
                cells_.append("—")
                continue
            d = b.paired(base, where[base], s("unmet_need_days"))
            text = f"{signed(n0)(d.mean())} ({updown(d)})"
            work = b.paired(base, where[base], at_work)
            if abs(work.mean()) >= 0.05 and label != "volunteers off":
                text += f"; {signed(n1)(work.mean())} at work"
            joined = b.paired(base, where[base], mob)
            if "leader" in label:
                text += f"; {signed(n1)(joined.mean())} residents join"
            cells_.append(text)
        rows.append(f"| {label} | " + " | ".join(cells_) + " |")
    b.table("volunteer_levers", rows)
    for k in ("incentives", "conflict"):
        d = b.paired(w, f"{w}.{k}", s("unmet_need_days"))
        lo, hi = paired_ci(d)
        b.claim(f"vol.{k}_within_noise", lo < 0 < hi, (w, f"{w}.{k}"))
        b.add(f"vol.{k}_relative", p2(abs(d.mean()) / b.values(w, s("unmet_need_days")).mean()),
              abs(d.mean()), (w, f"{w}.{k}"))
        b.diff(f"vol.{k}_hidden", w, f"{w}.{k}", hidden_offline_after_call)
    b.mean("vol.wuhan.nothing_found", w, lambda r: 1 - float(r.daily["volunteer_visits_found"].sum())
           / max(float(r.daily["volunteer_visits"].sum()), 1), p0)
    b.claim("vol.wuhan.supervision_inert",
            all((b.paired(w, f"{w}.{k}", s("unmet_need_days")) == 0).all() for k in ("sup0.3", "sup0.05")),
            (w, f"{w}.sup0.3", f"{w}.sup0.05"))
    b.range("vol.wuhan.supervision_max", w, col("hours_supervision", how="max"), n1)
    b.claim("vol.wuhan.open_drive_better", b.paired(w, f"{w}.categorized", s("unmet_need_days")).mean() > 0,
            (w, f"{w}.categorized"))
    lo, hi = paired_ci(b.paired("open_recruitment", "open_recruitment.conflict", s("unmet_need_days")))
    b.claim("vol.open.conflict_cancels", lo < 0 < hi, ("open_recruitment", "open_recruitment.conflict"))
    source = all([(b.paired(c, f"{c}.no_incentives", s("unmet_need_days")) > 0).all(),
                  (b.paired(c, f"{c}.no_conflict", s("unmet_need_days")) > 0).all(),
                  (b.paired(o, f"{o}.categorized", s("unmet_need_days")) < 0).all(),
                  (b.paired(o, f"{o}.sup0.3", s("unmet_need_days")) > 0).all()])
    b.claim("vol.presets_as_the_source_says", source, (c, o))



def ext(key: str) -> Measure:
    """A total of external linkage over the run."""
    return lambda r: float(r.x["ext"][key])


def section7_external(b: Book) -> None:
    w, e, n, gb = "wuhan_2020", "external", "no_linkage", "group_buy"
    b.range("ext.wuhan.organisers", w, col("organisers_active", how="max"))
    b.range("ext.external.organisers", e, col("organisers_active", how="max"))
    ng = f"{w}.no_gb"
    b.mean("wuhan_2020.no_gb.unmet", ng, s("unmet_need_days"))
    b.claim("ext.group_buying_lowers", b.values(ng, s("unmet_need_days")).mean()
            > b.values(w, s("unmet_need_days")).mean(), (w, ng))
    levers = {"no_neighbours": "neighbours", "no_lists": "lists", "no_step_in": "step_in", "lean_supply": "lean"}
    for k, short in levers.items():
        b.diff(f"ext.{short}.unmet", w, f"{w}.{k}", s("unmet_need_days"))
    for k, short in (("no_neighbours", "neighbours"), ("no_lists", "lists")):
        b.mean(f"ext.{short}.offline_wait", f"{w}.{k}", s("offline_wait_ratio"), n2)
    b.claim("ext.each_process_counts", all(b.paired(w, f"{w}.{k}", s("unmet_need_days")).mean() > 0
                                           for k in levers), (w,) + tuple(f"{w}.{k}" for k in levers))
    lean = f"{w}.lean_supply"
    def empty(r):
        return float((r.daily["supply_stock_days"].iloc[22:55] < 0.01).sum())
    b.range("ext.lean.empty_days", lean, empty)
    b.mean("ext.lean.mid_march_wait", lean, target("group_buy_wait_mid_march"), n1)
    b.range("ext.wuhan.offline_orders", w, ext("offline_orders"))
    b.mean("ext.wuhan.orders_each", w, lambda r: ext("offline_orders")(r) / r.x["offline"], n0)
    b.mean("ext.wuhan.offline", w, lambda r: r.x["offline"], n0)
    for by in ("organiser", "neighbour", "cadre"):
        b.mean(f"ext.wuhan.by_{by}", w, lambda r, by=by: ext(f"by_{by}")(r) / ext("offline_orders")(r), p0)
    b.range("ext.wuhan.love_vegetables", w, ext("supply"))
    b.range("ext.wuhan.packs", w, ext("subsidised"))
    # the calibration targets, read off the same runs
    b.mean("ext.wait_early", w, target("group_buy_wait_early"), n2)
    b.mean("ext.wait_mid_march", w, target("group_buy_wait_mid_march"), n2)
    b.mean("ext.order_interval", w, target("order_interval"), n1)
    b.mean("ext.batch", w, target("order_batch_size"), n0)
    b.mean("ext.stock_min", w, target("stock_days_min"), n1)
    low_day = b.values(w, lambda r: float(r.daily["supply_stock_days"].to_numpy().argmin()))
    b.add("ext.stock_min_day", days_text(low_day), low_day.mean(), w, low_day.min(), low_day.max())
    b.mean("ext.orders_day24", w, on("group_buy_orders", 24), lambda x: n0(round(x, -2)))
    b.mean("ext.stock_at_food_peak", w, target("stock_days_at_food_peak"), n1)
    food_peak = b.values(w, lambda r: float(r.daily["unmet_food"].to_numpy().argmax()))
    b.add("ext.food_peak_day", days_text(food_peak), food_peak.mean(), w, food_peak.min(), food_peak.max())
    b.range("ext.food_short_share", w, target("food_short_share_at_peak"), p0)
    b.claim("ext.lean_fails_fact9", all(v < 1.0 for v in b.values(lean, target("stock_days_min"))), lean)
    blocked = b.values(w, target("blocked_load_days"))
    scenario = VARIANTS[w].scenario().external
    loads = len(set(scenario.supply_days)) + len(set(scenario.donation_days))
    b.add("ext.wuhan.blocked_nights", span(blocked.min(), blocked.max(), n0), blocked.mean(), w, blocked.min(),
          blocked.max(), holds=bool((blocked == loads).all()))
    # the external preset on cadres alone
    b.range("no_linkage.unmet_range", n, s("unmet_need_days"))
    b.range("external.unmet_range", e, s("unmet_need_days"))
    b.mean("external.unmet", e, s("unmet_need_days"))
    b.ratio("ext.external_cut", n, e, s("unmet_need_days"))
    b.seeds("ext.external_seeds", n, e, s("unmet_need_days"))
    b.range("group_buy.unmet_range", gb, s("unmet_need_days"))
    b.mean("group_buy.unmet", gb, s("unmet_need_days"))
    b.ratio("ext.group_buy_cut", n, gb, s("unmet_need_days"))
    late = all(45 <= d <= 54 for k in (e, gb) for d in b.values(k, s("peak_unmet_day")))
    b.claim("ext.peak_stays_late", late, (e, gb))
    b.range("ext.external.arrived", e, ext("arrived"))
    b.range("ext.external.fetched", e, ext("fetched"))
    b.range("ext.external.by_organisers", e, ext("organiser_packages"))
    b.range("ext.external.by_cadres", e, ext("cadre_packages"))
    b.range("ext.external.offline_orders", e, ext("offline_orders"))
    for by in ("organiser", "neighbour", "cadre"):
        b.mean(f"ext.external.by_{by}", e, lambda r, by=by: ext(f"by_{by}")(r) / ext("offline_orders")(r), p0)
    b.range("ext.external.organised", e, organised_food, n1)
    b.range("ext.external.unorganised", e, unorganised_food, n1)
    b.add("ext.external.stock_min", n1(min(b.values(e, col("supply_stock_days", how="min")))), math.nan, e)
    b.range("ext.external.blocked_days", e, target("blocked_load_days"))
    b.range("ext.external.love_vegetables", e, ext("supply"))
    b.range("ext.external.kits", e, ext("donation"))
    b.add("ext.external.at_gate_end", n0(max(b.values(e, col("packages_at_gate", how="last")))), math.nan, e)
    b.range("no_linkage.hidden_range", n, s("hidden_need_share"), p0)
    b.range("external.hidden_range", e, s("hidden_need_share"), p0)
    b.claim("ext.hidden_rises", b.values(e, s("hidden_need_share")).mean()
            > b.values(n, s("hidden_need_share")).mean(), (n, e))
    small = "group_buy@1000"
    b.range("ext.small.at_gate", small, col("packages_at_gate", how="last"))


ORGS_ALONE = (("`no_linkage`", "no_linkage"),
              ("organisations, integration 0 (`--set organisations.enabled=true`)", "orgs"),
              ("the same, both leaders acting (`leader_inactive` with `leader_active_prob` = 1)",
               "leader_inactive.active"),
              ("integration 0.5", "orgs.I0.5"), ("integration 1", "orgs.I1"), ("`leader_inactive`", "leader_inactive"))


def ladder_rows(preset: str) -> list[tuple[str, str]]:
    own = "three_social" if preset == "three_social" else "wuhan_2020"
    rows = [("organisations off", f"{preset}.orgs_off")]
    for level in LADDER:
        key = own if (preset, level) == ("three_social", 1.0) else f"{preset}.I{level:g}"
        rows.append((f"integration {level:g}", key))
    rows += [("funding 0", f"{preset}.f0"), ("funding 0.5", own), ("funding 1", f"{preset}.f1")]
    return rows


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def section7_organisations(b: Book) -> None:
    w, t = "wuhan_2020", "three_social"
    b.mean("orgs.wuhan.joint", w, lambda r: r.x["joint"], n0)
    b.mean("wuhan_2020.vulnerable", w, lambda r: r.x["vulnerable"], n0)
    b.range("orgs.wuhan.own_clients", w, lambda r: r.x["own_clients"])
    both = int(sum(r.x["leaders_active"] == 2 for r in b.of(w)))
    b.add("orgs.both_leaders", f"{both} of seeds 0{DASH}9", both, w)
    b.range("orgs.cycle_I1", t, lambda r: r.x["roster"] / 160, n1)
    b.range("orgs.cycle_I0", "three_social.I0", lambda r: r.x["roster"] / 160, n1)
    b.range("orgs.wuhan.assessment_hours", w, col("hours_assessment", slice(28, None), "mean"), n1)
    li = "leader_inactive"
    line = b.values(li, full_line_from)
    b.add("leader_inactive.full_line_from", days_text(line), line.mean(), li, line.min(), line.max())
    nothing = all(r.daily["referrals_accepted"].sum() == 0 for k in (li, "orgs") for r in b.of(k))
    b.claim("orgs.no_outside_referral_through", nothing, (li, "orgs"))
    # organisations alone
    rows = ["| | " + " | ".join(label for label, _ in ORGS_ALONE) + " |", "|---" + "|---:" * len(ORGS_ALONE) + "|"]

    def row(label: str, cell: Callable[[np.ndarray], str], f: Measure) -> None:
        rows.append(f"| {label} | " + " | ".join(cell(b.values(k, f)) for _, k in ORGS_ALONE) + " |")

    row("unmet need-days, mean (range)", lambda v: f"{n0(v.mean())} ({span(v.min(), v.max(), n0)})",
        s("unmet_need_days"))
    row("`equity_ratio`, mean", lambda v: n2(v.mean()), s("equity_ratio"))
    row("`hidden_need_share`", lambda v: span(v.min(), v.max(), p1), s("hidden_need_share"))
    row("critical failures, sum of 10 seeds", lambda v: n0(v.sum()), s("critical_failures"))
    b.table("orgs_alone", rows)
    b.ratio("orgs.alone_cut", "no_linkage", "orgs", s("unmet_need_days"), signed(p1))
    b.range("orgs.overload_days", "orgs", s("cadre_overload_days"))
    b.ratio("orgs.hidden_change", "orgs", "orgs.I1", s("hidden_need_share"))
    b.ratio("orgs.failures_change", "orgs", "orgs.I1", s("critical_failures"))
    b.claim("orgs.evens_out", b.values("orgs.I1", s("equity_ratio")).mean() < b.values("orgs", s("equity_ratio"))
            .mean(), ("orgs", "orgs.I1"))
    # the ladders
    head = ("| | unmet need-days | need-days of vulnerable households | `equity_ratio` | `wait_ratio` | critical "
            "failures (10 seeds) | psych need-days | crisis referrals (10 seeds) | friction hours (mean) |")
    for preset in (w, t):
        rows = [head, "|---" + "|---:" * 8 + "|"]
        for label, key in ladder_rows(preset):
            def mean(f, key=key):
                return b.values(key, f).mean()
            rows.append(f"| {label} | {n0(mean(s('unmet_need_days')))} | {n0(mean(col('unmet_vulnerable')))} | "
                        f"{n2(mean(s('equity_ratio')))} | {n2(mean(s('wait_ratio')))} | "
                        f"{n0(b.values(key, s('critical_failures')).sum())} | {n0(mean(col('unmet_psych')))} | "
                        f"{n0(b.values(key, col('crisis_referrals')).sum())} | "
                        f"{n0(mean(col('hours_referral_friction')))} |")
        b.table(f"ladder_{preset}", rows)
    # the prose about the ladders
    for preset in (w, t):
        means = {level: b.values(dict(ladder_rows(preset))[f"integration {level:g}"], s("unmet_need_days")).mean()
                 for level in LADDER}
        b.claim(f"orgs.{preset}.graded", abs(means[0.5] - means[0.49]) < abs(means[0.49] - means[0.0]), preset)
    j = b.values("wuhan_2020.I0.5", lambda r: r.x["joint"]) - b.values("wuhan_2020.I0.49", lambda r: r.x["joint"])
    b.add("orgs.joint_step", p1(j.mean() / b.values(w, lambda r: r.x["vulnerable"]).mean()), j.mean(),
          ("wuhan_2020.I0.49", "wuhan_2020.I0.5"))
    ts = [b.values(k, s("unmet_need_days")).mean() for _, k in ladder_rows(t)[1:7]]
    b.claim("orgs.three_social.falls_each_step", all(c <= a * 1.01 for a, c in pairwise(ts)), t)
    z, one = "three_social.I0", t
    b.seeds("orgs.three_social.lower_at_1", z, one, s("unmet_need_days"))
    for key in (z, one, "three_social.orgs_off", "wuhan_2020.I0.25", "wuhan_2020.I1", "wuhan_2020.f0",
                "wuhan_2020.f1", "three_social.f0", "three_social.f1"):
        b.mean(f"{key}.unmet", key, s("unmet_need_days"))
    for key in (z, one, "wuhan_2020.I0", "wuhan_2020.I1"):
        b.mean(f"{key}.vulnerable_days", key, col("unmet_vulnerable"))
        b.total(f"{key}.failures_total", key, s("critical_failures"))
        b.mean(f"{key}.wait", key, s("wait_ratio"), n2)
        b.mean(f"{key}.equity", key, s("equity_ratio"), n2)
    b.ratio("orgs.three_social.vulnerable_change", z, one, col("unmet_vulnerable"))
    wz, w1 = "wuhan_2020.I0", "wuhan_2020.I1"
    b.claim("orgs.wuhan.ratios_fall", all(b.values(w1, s(k)).mean() < b.values(wz, s(k)).mean()
                                          for k in ("equity_ratio", "wait_ratio")), (wz, w1))
    b.ratio("orgs.wuhan.rise", "wuhan_2020.I0.25", w1, s("unmet_need_days"), signed(p1))
    b.claim("orgs.wuhan.rises", b.values(w1, s("unmet_need_days")).mean()
            > b.values("wuhan_2020.I0.25", s("unmet_need_days")).mean(), ("wuhan_2020.I0.25", w1))
    b.seeds("orgs.wuhan.higher_at_1", wz, w1, s("unmet_need_days"), below=False)
    psych = col("unmet_psych")
    for key in ("three_social.orgs_off", z, one, wz, w1):
        b.mean(f"{key}.psych", key, psych)
    b.claim("orgs.three_social.psych_other_way",
            b.values(z, psych).mean() < b.values("three_social.orgs_off", psych).mean() < b.values(one, psych).mean(),
            ("three_social.orgs_off", z, one))
    for key in ("three_social.orgs_off", one):
        b.mean(f"{key}.distress_end", key, s("mean_distress_end"), n3)
    crises = col("crisis_referrals")
    for key in (wz, w1, z, one):
        b.total(f"{key}.crises", key, crises)
    b.claim("orgs.crises", b.values(w1, crises).sum() > b.values(wz, crises).sum()
            and b.values(one, crises).sum() < b.values(z, crises).sum(), (wz, w1, z, one))
    for preset in (w, t):
        f = [b.values(k, s("unmet_need_days")).mean() for k in (f"{preset}.f0", preset if preset == w else t,
                                                                  f"{preset}.f1")]
        b.claim(f"orgs.{preset}.funding", f[1] < f[0] and f[2] <= f[1] + 50, preset)
    for preset, name in ((w, "orgs.wuhan.against_none"), (t, "orgs.three_social.against_none")):
        off = b.values(f"{preset}.orgs_off", s("unmet_need_days")).mean()
        levels = {level: b.values(dict(ladder_rows(preset))[f"integration {level:g}"], s("unmet_need_days")).mean()
                  for level in LADDER}
        fewer = [f"{x:g}" for x, v in levels.items() if v < off]
        more = [f"{x:g}" for x, v in levels.items() if v >= off]
        text = ("fewer than none at every integration" if not more
                else "as many as none or more at every integration" if not fewer
                else f"fewer than none at integration {_and(fewer)} and as many or more at {_and(more)}")
        b.add(name, text, len(fewer), tuple(dict(ladder_rows(preset)).values()))
    b.seeds("orgs.three_social.I0_vs_off", "three_social.orgs_off", z, s("unmet_need_days"))
    b.total("three_social.orgs_off.failures_total", "three_social.orgs_off", s("critical_failures"))
    b.mean("orgs.three_social.I0.friction", z, col("hours_referral_friction"))
    # the crisis share (experiments/targets.py, crisis_share)
    b.mean_range("orgs.assessed", w, col("assessed_households_total", how="last"))
    b.mean_range("orgs.crisis_households", w, col("crisis_households_total", how="last"))
    b.mean_range("orgs.crisis_share", w, target("crisis_share"), p1)
    for k in ("0.66", "0.675", "0.68"):
        b.mean(f"orgs.crisis_share_{k}", f"{w}.crisis{k}", target("crisis_share"), p1)


CRN_KEYS = (("unmet_need_days", n0, n0), ("critical_failures", n1, n1), ("mean_days_to_meet", n2, n3),
            ("equity_ratio", n3, n3), ("mean_distress_end", n3, lambda x: f"{x:.2g}"))


def section_readme_crn(b: Book) -> None:
    """The README's table of common random numbers: `liandong compare no_linkage internal emergency_online`."""

    keys = ("crn.no_linkage", "crn.internal", "crn.emergency_online")
    frames = []
    for key in keys:
        for seed, r in zip(VARIANTS[key].seeds, b.of(key)):
            frames.append({"scenario": key, "seed": seed, **r.summary})
    diffs = paired_differences(pd.DataFrame(frames), keys=[k for k, _, _ in CRN_KEYS],
                               reference="crn.no_linkage").set_index(["scenario", "key"])
    rows = [("| summary key | `internal` − `no_linkage` | paired ± | unpaired ± | `emergency_online` − `no_linkage` "
             "| paired ± | unpaired ± |"), "|---|---|---|---|---|---|---|"]
    for key, fmt, half in CRN_KEYS:
        cells = []
        for other in ("crn.internal", "crn.emergency_online"):
            d = diffs.loc[(other, key)]
            ratio = d["unpaired_half_width"] / d["paired_half_width"]
            cells += [signed(fmt)(d["mean_diff"]), half(d["paired_half_width"]),
                      f"{half(d['unpaired_half_width'])} ({ratio:.1f}×)"]
        rows.append(f"| `{key}` | " + " | ".join(cells) + " |")
    b.table("crn", rows)
    for other, key, name in (("crn.internal", "unmet_need_days", "internal_unmet"),
                             ("crn.emergency_online", "unmet_need_days", "online_unmet"),
                             ("crn.internal", "mean_distress_end", "internal_distress")):
        d = diffs.loc[(other, key)]
        sq = (d["unpaired_half_width"] / d["paired_half_width"]) ** 2
        b.add(f"crn.{name}_runs", f"{sq:.1f}" if sq < 10 else n0(sq), sq, ("crn.no_linkage", other))
    same = all(r0.daily.iloc[:18].equals(r1.daily.iloc[:18])
               for r0, r1 in zip(b.of("crn.no_linkage"), b.of("crn.internal")))
    b.claim("crn.identical_before_day_18", same, ("crn.no_linkage", "crn.internal"))


SECTIONS = (section1_pattern1, section1_table, section1_patterns4to6, section1_pattern7, section1_pattern8,
            section1_who_gains, section1_checks, section7_early, section7_online_internal_triage_prices,
            section7_volunteers, section7_external, section7_organisations, section_readme_crn)


def build(runs: dict[tuple[str, int], Run]) -> Book:
    book = Book(runs)
    for section in SECTIONS:
        section(book)
    return book


# --- writing the files and filling the documents ------------------------------------------------------------------
FIGURE = re.compile(r"<!--f:([A-Za-z0-9_.@-]+)-->(.*?)<!--/f-->", re.DOTALL)
TABLE = re.compile(r"(<!-- begin:([A-Za-z0-9_]+) -->\n)(.*?)(<!-- end:\2 -->)", re.DOTALL)
CSV_COLUMNS = ["name", "text", "value", "low", "high", "holds", "scenario", "seeds", "households", "days"]


def _seeds_text(seeds: tuple) -> str:
    return f"0{DASH}{len(seeds) - 1}" if seeds == tuple(range(len(seeds))) else " ".join(map(str, seeds))


def figures_table(book: Book) -> pd.DataFrame:
    rows = []
    for fig in book.figures.values():
        vs = [VARIANTS[k] for k in fig.variants]
        sc = [v.scenario() for v in vs]
        rows.append({"name": fig.name, "text": fig.text, "value": fig.value, "low": fig.low, "high": fig.high,
                     "holds": "" if fig.holds is None else fig.holds,
                     "scenario": "; ".join(v.label for v in vs),
                     "seeds": "; ".join(sorted({_seeds_text(v.seeds) for v in vs})),
                     "households": "; ".join(sorted({str(x.households) for x in sc}, key=int)),
                     "days": "; ".join(sorted({str(x.days) for x in sc}, key=int))})
    return pd.DataFrame(rows, columns=CSV_COLUMNS).sort_values("name", kind="stable").reset_index(drop=True)


def write(book: Book, out: Path, seconds: float, runs: int) -> None:
    """docs/findings/odd.csv, one Markdown file per table, and docs/findings/odd.md (what built them)."""

    out.mkdir(parents=True, exist_ok=True)
    figures_table(book).to_csv(out / "odd.csv", index=False)
    for name, text in book.tables.items():
        (out / f"{name}.md").write_text(text + "\n", encoding="utf-8")
    listed = "\n".join(f"- [`{name}.md`]({name}.md)" for name in sorted(book.tables))
    claims = sum(f.holds is not None for f in book.figures.values())
    page = f"""# The figures docs/odd.md and the README quote

*Generated by `{COMMAND}` (run by `make findings`) at code {code_version()}, from {runs} runs in
{seconds / 60:.0f} minutes on 2 worker processes. Do not edit: rerun it after changing the model.*

Seeds 0{DASH}9 (`simulation.run(..., seed=s)`), each figure at the size of the test its paragraph cites: mostly
the default community (3,000 households, 90 days); 1,500 households for the volunteer presets' tests, 1,000
households and 45 days for the mechanism checks. The README's table of common random numbers runs the seeds
`liandong compare` gives replications 0{DASH}9 (root seed 20200123). Each scenario and seed runs once.

[`odd.csv`](odd.csv) holds the {len(book.figures)} figures: each one's name (the marker `<!--f:name-->` that
quotes it), its text as quoted, its value (a mean, a count or a total; `low` and `high` the range over the seeds
where there is one), the scenarios it compares, their seeds, households and days. {claims} of them are claims of
the prose (`holds`): statements that rest on the numbers, which `tests/test_odd_figures.py` requires to hold.

The tables, each quoted whole between `<!-- begin:name -->` and `<!-- end:name -->`:

{listed}
"""
    (out / "odd.md").write_text(page, encoding="utf-8")


def read(out: Path = OUT) -> tuple[dict[str, str], dict[str, str]]:
    """The committed figures (name -> text) and tables (name -> Markdown), with those experiments/quoted.py reads
    from the district's pages. The pages of experiments/findings.py (presets, fidelity, posterior) are not tables of
    this module: the README quotes their CSVs instead."""
    frame = pd.read_csv(out / "odd.csv", keep_default_na=False, dtype={"text": str})
    texts = dict(zip(frame["name"], frame["text"]))
    tables = {}
    for path in sorted(out.glob("*.md")):
        if path.stem != "odd" and path.stem not in FINDINGS:
            tables[path.stem] = path.read_text(encoding="utf-8").rstrip("\n")
    more, more_tables = quoted.read()
    texts.update(more)
    tables.update(more_tables)
    return texts, tables


def fill(text: str, figures: dict[str, str], tables: dict[str, str], where: str = "") -> str:
    """The document with every marker's text and every table replaced by the generated ones."""
    missing = sorted({m.group(1) for m in FIGURE.finditer(text)} - set(figures))
    missing += sorted({m.group(2) for m in TABLE.finditer(text)} - set(tables))
    if missing:
        raise KeyError(f"{where}: no generated figure or table named {', '.join(missing)}")
    text = FIGURE.sub(lambda m: f"<!--f:{m.group(1)}-->{figures[m.group(1)]}<!--/f-->", text)
    return TABLE.sub(lambda m: f"{m.group(1)}{tables[m.group(2)]}\n{m.group(4)}", text)


def fill_documents(out: Path = OUT, documents: tuple[Path, ...] = DOCS) -> list[Path]:
    figures, tables = read(out)
    changed = []
    for path in documents:
        old = path.read_text(encoding="utf-8")
        new = fill(old, figures, tables, str(path.relative_to(ROOT)))
        if new != old:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m experiments.odd_figures", description=__doc__.split("\n")[0])
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--write", action="store_true", help="run the model, write docs/findings/, fill the docs")
    what.add_argument("--fill", action="store_true", help="fill the docs from docs/findings/ (no runs)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--cache", type=Path, help="keep runs in this folder and reuse them while the model code "
                                                   "is unchanged (for editing the prose)")
    args = parser.parse_args(argv)
    if args.workers < 1:
        print("error: --workers: give at least 1", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)
    try:
        if args.write:
            start = time.perf_counter()
            runs = collect(list(VARIANTS), workers=args.workers, cache=args.cache)
            book = build(runs)
            write(book, OUT, time.perf_counter() - start, len(runs))
            print(f"wrote {len(book.figures)} figures and {len(book.tables)} tables to "
                  f"{OUT.relative_to(ROOT)}/")
            failed = [f.name for f in book.figures.values() if f.holds is False]
            if failed:
                print(f"warning: {len(failed)} claim(s) of the prose no longer hold, restate them: "
                      f"{', '.join(failed)}", file=sys.stderr)
        for path in fill_documents():
            print(f"filled {path.relative_to(ROOT)}")
    except KeyError as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT) from None


if __name__ == "__main__":
    main()
