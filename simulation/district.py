"""`run_district`: several communities sharing a district's pools, run in rounds.

A round is `round_days` days. At the start of each round the district allocates every pool between its communities
by the pool's policy (scenarios/district.py); every community then runs the round's days on its own; at the end
each reports its *reported* backlog (the needs its responders know of and have not met: hidden needs do not count,
as they did not in 2020), from which `by_backlog` pools are re-allocated for the next round. The other policies
depend on the communities' make-up alone and give the same allocation every round.

Where the communities run is a `Hosts`: each host holds whole communities (a `CommunityGroup`) for the whole run;
only the allocations and a few figures per community cross between rounds, and the households never move. The
serial hosts here run them in this process; experiments/district.py runs them in worker processes or on Dask.
With a `DailyStore` (a results folder: experiments/district.py), each host writes its communities' daily series
there the moment they have run their last day, and only their summaries come back: the district's process never
holds every community's series at once, and reads them back one community at a time for the daily totals.
Each community's random streams are keyed by the district's seed and the community's index
(`community_seed`), and the allocation is computed here from figures in community order, so a community's
series is the same whichever host ran it and however many hosts there are.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from scenarios import district as district_format
from scenarios.district import CommunityPlan, District
from scenarios.schema import COMPOUND_TYPES
from simulation.model import CommunityModel
from simulation.provenance import code_version

#: The daily columns kept for every community of a district (the full set is the single community's).
DISTRICT_COLUMNS: tuple[str, ...] = (
    "day", "raised_total", "reported_total", "met_total", "unmet_total", "hidden_total", "unmet_vulnerable",
    "critical_failures", "cadres", "volunteers_active", "social_workers_active",
    *(f"unmet_{t}" for t in COMPOUND_TYPES), *(f"critical_failures_{t}" for t in COMPOUND_TYPES))

#: The district's figures (`DistrictResult.totals`) that a comparison of policies reports.
DISTRICT_KEYS: tuple[str, ...] = (
    "unmet_need_days_per_household", "worst_decile_unmet_per_household", "gini_unmet_per_household",
    "critical_failures", "unmet_need_days", "hidden_need_share")


def community_seed(seed: int, index: int) -> int:
    """The seed of community `index` in a district run with `seed`: from SeedSequence(seed, spawn_key=(index,)),
    so that it depends on nothing but the two."""
    state = np.random.SeedSequence(int(seed), spawn_key=(int(index),)).generate_state(2, np.uint64)
    return int(state[0] >> np.uint64(1))


def vulnerability(model: CommunityModel) -> int:
    """The weight `by_vulnerability` gives a community: its households with an older person living alone, offline,
    or chronically ill, each household counted once for each of these groups it is in."""
    hh = model.households
    return int(np.count_nonzero(hh.alone) + np.count_nonzero(~hh.digital) + np.count_nonzero(hh.chronic))


#: Communities per part file a host writes (one row group each), so a host holds at most this many series as a table.
PART_COMMUNITIES = 64


class DailyStore(Protocol):
    """Where hosts put their communities' daily series during a district run (experiments.district.PartStore).
    It crosses to the hosts (processes, Dask workers), so it must pickle; on several machines its folder must be
    one they all see."""

    def write(self, host: int, number: int, frames: Sequence[pd.DataFrame]) -> list:
        """On a host: store the frames (`daily_frame`, several communities) as its part `number`; return each
        frame's place, in order (small, picklable)."""
        ...

    def read(self, places: Sequence) -> Iterator:
        """In the district's process: each place's series in the order given, one community at a time (anything
        whose [column] gives the column's values: a DataFrame, a pyarrow Table)."""
        ...


def daily_frame(index: int, columns: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """One community's rows of a district's daily table: `community`, `day`, then `DISTRICT_COLUMNS`."""
    frame = pd.DataFrame(dict(columns))
    frame.insert(0, "day", np.arange(len(frame), dtype=np.int64))
    frame.insert(0, "community", index)
    return frame


def _series(model: CommunityModel) -> dict[str, np.ndarray]:
    daily = model.daily()
    return {c: daily[c].to_numpy() for c in DISTRICT_COLUMNS if c != "day"}


class CommunityGroup:
    """Whole communities held by one host for a district's run: built once, advanced round by round. With a
    `store`, the series of the communities that have run their last day are written there at the end of each
    `advance` (parts numbered per host), and `results` returns where they went instead of the series."""

    def __init__(self, plans: Sequence[CommunityPlan], seed: int, pools: Sequence[str],
                 store: DailyStore | None = None, host: int = 0) -> None:
        self.models: dict[int, CommunityModel] = {
            p.index: CommunityModel(scenario=p.scenario, rng=community_seed(seed, p.index), pools=tuple(pools),
                                    place_agents=False)
            for p in plans}
        self.store, self.host = store, host
        self.places: dict[int, Any] = {}
        self._parts = 0

    def weights(self) -> dict[int, dict[str, int]]:
        """Each community's households and vulnerability (the static policies' weights)."""
        return {i: {"households": m.households.n, "vulnerability": vulnerability(m)} for i, m in self.models.items()}

    def advance(self, allocations: dict[int, dict[str, int]], until: int) -> dict[int, dict[str, float]]:
        """Apply the allocations, run each community up to day `until` (or its last day), and return its figures:
        the day reached and its reported backlog (known, unmet needs) and true backlog at the end of the last day."""
        out = {}
        for i, model in self.models.items():
            for pool, amount in allocations.get(i, {}).items():
                model.allocate(pool, amount)
            while model.running and model.day < until:
                model.step()
            today = model.today
            out[i] = {"day": model.day, "reported_backlog": int(today.get("unmet_total", 0))
                      - int(today.get("hidden_total", 0)), "unmet": int(today.get("unmet_total", 0))}
        self._store_finished()
        return out

    def _store_finished(self, everything: bool = False) -> None:
        """Write the series of the communities that have run their last day (or of all, `everything`) and are not
        written yet, `PART_COMMUNITIES` to a part."""
        if self.store is None:
            return
        done = [i for i, m in self.models.items() if i not in self.places and (everything or not m.running)]
        for k in range(0, len(done), PART_COMMUNITIES):
            chunk = done[k:k + PART_COMMUNITIES]
            places = self.store.write(self.host, self._parts, [daily_frame(i, _series(self.models[i]))
                                                               for i in chunk])
            self._parts += 1
            self.places.update(zip(chunk, places))

    def results(self) -> dict[int, dict[str, Any]]:
        """Each community's summary and its daily series (`DISTRICT_COLUMNS`, as plain arrays), or with a store
        the place its series was written to."""
        self._store_finished(everything=True)
        out = {}
        for i, model in self.models.items():
            out[i] = {"summary": model.summary(),
                      "compounds": model.compounds.households() if model.compounds.declared else {}}
            if self.store is None:
                out[i]["daily"] = _series(model)
            else:
                out[i]["place"] = self.places[i]
        return out

    def model(self, index: int) -> CommunityModel:
        """One community's model, to look at (its households become Mesa agents when its `space` is read)."""
        return self.models[index]


class Hosts(Protocol):
    """Where a district's communities live: `call` runs a `CommunityGroup` method on every host at once, with one
    argument tuple per host, and returns the results in host order."""

    def call(self, method: str, args: Sequence[tuple]) -> list: ...

    def close(self) -> None: ...


#: (groups, seed, pools) -> Hosts; called with `store=` as well when the run has a `DailyStore`.
HostsFactory = Callable[..., Hosts]


class SerialHosts:
    """Every group in this process, one after the other."""

    def __init__(self, groups: list[list[CommunityPlan]], seed: int, pools: tuple[str, ...],
                 store: DailyStore | None = None) -> None:
        self.groups = [CommunityGroup(g, seed, pools, store, host) for host, g in enumerate(groups)]

    def call(self, method: str, args: Sequence[tuple]) -> list:
        return [getattr(group, method)(*a) for group, a in zip(self.groups, args)]

    def close(self) -> None:
        pass


def partition(plans: Sequence[CommunityPlan], n: int) -> list[list[CommunityPlan]]:
    """`n` groups of whole communities with about equal households: largest first, each to the lightest group
    (ties to the lowest group); each group in community order."""
    n = max(1, min(n, len(plans)))
    load = [0] * n
    groups: list[list[CommunityPlan]] = [[] for _ in range(n)]
    for p in sorted(plans, key=lambda p: (-p.scenario.households, p.index)):
        g = min(range(n), key=lambda k: (load[k], k))
        groups[g].append(p)
        load[g] += p.scenario.households
    return [sorted(g, key=lambda p: p.index) for g in groups]


def apportion(total: int, weights: Sequence[float]) -> np.ndarray:
    """`total` shared in proportion to `weights` in whole units (largest remainders, ties to the lower index);
    equal shares when every weight is 0."""
    w = np.asarray(weights, dtype=float)
    if len(w) == 0:
        return np.zeros(0, dtype=np.int64)
    if not (w > 0).any():
        w = np.ones_like(w)
    quota = total * w / w.sum()
    base = np.floor(quota + 1e-9).astype(np.int64)
    rest = int(total - base.sum())
    if rest > 0:
        order = np.lexsort((np.arange(len(w)), -(quota - base)))
        base[order[:rest]] += 1
    return base


def allocate(policy: str, total: int, weights: dict[str, np.ndarray], backlog: np.ndarray | None) -> np.ndarray:
    """A pool's shares by `policy`; `by_backlog` without a backlog yet (or with none reported) goes by
    households."""
    if policy == "equal":
        return apportion(total, np.ones(len(weights["households"])))
    if policy == "per_household":
        return apportion(total, weights["households"])
    if policy == "by_vulnerability":
        return apportion(total, weights["vulnerability"])
    if policy == "by_backlog":
        if backlog is None or not (np.asarray(backlog) > 0).any():
            return apportion(total, weights["households"])
        return apportion(total, backlog)
    raise ValueError(f"unknown allocation policy {policy!r}")


def gini(values: Sequence[float]) -> float:
    """The Gini coefficient of non-negative values (0: all equal; NaN when there are none or all are 0)."""
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    if n == 0 or x.sum() <= 0:
        return math.nan
    return float(2.0 * np.sum(np.arange(1, n + 1) * x) / (n * x.sum()) - (n + 1) / n)


def worst_decile(values: Sequence[float]) -> float:
    """The mean of the worst tenth of the values (at least one value: the worst community of a small district)."""
    x = np.sort(np.asarray(values, dtype=float))[::-1]
    if len(x) == 0:
        return math.nan
    return float(x[: max(1, math.ceil(len(x) / 10))].mean())


class DailyTotals:
    """The district's day by day: each column summed over the communities, added one community at a time in
    community order; integers exactly, floats with the compensated (Kahan) summation pandas' groupby-sum uses, so
    the totals are the same to the bit as `daily.groupby("day").sum()` whether the series were held in memory or
    read back from a store."""

    def __init__(self) -> None:
        self.sums: dict[str, np.ndarray] = {}
        self._carry: dict[str, np.ndarray] = {}
        self.days = 0

    def add(self, series) -> None:
        """One community's series (a `daily_frame`, or a table with the same columns)."""
        names = getattr(series, "column_names", None) or list(series.columns)  # a pyarrow Table, or a DataFrame
        names = [c for c in names if c not in ("community", "day")]
        for name in names:
            v = np.asarray(series[name])
            n = len(v)
            if n > self.days:
                self.days = n
            kind = np.float64 if v.dtype.kind == "f" else np.int64
            if name not in self.sums:
                self.sums[name], self._carry[name] = np.zeros(n, kind), np.zeros(n, kind)
            elif kind == np.float64 and self.sums[name].dtype.kind != "f":
                # a float column after integer ones (pandas' concat makes the column float): the integer sums so
                # far are exact, so compensated float sums from the start would hold them with nothing to carry
                self.sums[name] = self.sums[name].astype(np.float64)
                self._carry[name] = np.zeros(len(self.sums[name]), np.float64)
            s, c = self.sums[name], self._carry[name]
            if s.dtype.kind == "f":
                v = v.astype(np.float64, copy=False)
            if n > len(s):
                s = self.sums[name] = np.concatenate([s, np.zeros(n - len(s), s.dtype)])
                c = self._carry[name] = np.concatenate([c, np.zeros(n - len(c), c.dtype)])
            if s.dtype.kind != "f":
                s[:n] += v
                continue
            head, carry = s[:n], c[:n]
            y = v - carry
            t = head + y
            fix = (t - head) - y
            fix[np.isnan(fix)] = 0.0  # an infinite value: its sum stays infinite, not NaN
            ok = ~np.isnan(v)  # missing values are skipped
            c[:n] = np.where(ok, fix, carry)
            s[:n] = np.where(ok, t, head)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame({"day": np.arange(self.days, dtype=np.int64), **self.sums})


@dataclass
class StoredDaily:
    """A district's daily series held in a `DailyStore`: each community's place, in community order."""

    store: DailyStore
    places: list

    def read(self) -> Iterator:
        return self.store.read(self.places)


@dataclass
class DistrictResult:
    """A finished district run.

    `communities`: one row per community (its place, households, vulnerability weight, the pools' mean allocation
    over the run's days, every summary key and `unmet_need_days_per_household`); `daily`: one row per community
    and day (`DISTRICT_COLUMNS`), or None when the run had a store and the series are there (`stored`);
    `daily_totals`: the district's day by day (sums over communities);
    `allocations`: every pool's shares, round by round; `totals`: the district's figures (`DISTRICT_KEYS` and
    more; per compound type, where communities declare a mix: its unmet need-days per 1,000 of its households and
    its critical failures)."""

    district: District
    seed: int
    communities: pd.DataFrame
    daily: pd.DataFrame | None
    daily_totals: pd.DataFrame
    allocations: pd.DataFrame
    totals: dict
    version: str
    policies: dict = field(default_factory=dict)
    stored: StoredDaily | None = None


def run_district(district: str | Path | District, seed: int = 0, *, policies: dict[str, str] | None = None,
                 hosts: HostsFactory | None = None, n_hosts: int = 1,
                 store: DailyStore | None = None) -> DistrictResult:
    """Run a district (a preset name, a path or a `District`) with `seed`; `policies` changes pools' policies
    ({"sunk_cadres": "by_backlog"}); `hosts` says where the communities run (default: this process; see
    experiments/district.py for processes and Dask), split into `n_hosts` groups of about equal households.
    With a `store` the hosts write the daily series there as their communities finish, and the result's `daily`
    is None (`stored` says where they are); every other figure is the same as without."""
    district = district_format.load(district)
    if policies:
        district = district_format.with_policies(district, policies)
    plans = district_format.communities(district)
    pools = district.pools.named()
    names = tuple(pools)
    groups = partition(plans, n_hosts)
    where = (hosts or SerialHosts)(groups, int(seed), names, **({} if store is None else {"store": store}))
    try:
        weights_by = {}
        for part in where.call("weights", [() for _ in groups]):
            weights_by.update(part)
        order = [p.index for p in plans]
        weights = {k: np.array([weights_by[i][k] for i in order], dtype=float) for k in ("households",
                                                                                       "vulnerability")}
        host_of = {p.index: h for h, g in enumerate(groups) for p in g}
        backlog: np.ndarray | None = None
        held: dict[str, np.ndarray] = {}
        rows = []
        day, k = 0, district.round_days
        round_no = 0
        while day < district.days:
            until = min(day + k, district.days)
            sends: list[dict[int, dict[str, int]]] = [{} for _ in groups]
            for name, pool in pools.items():
                shares = allocate(pool.policy, pool.total, weights, backlog)
                for pos, i in enumerate(order):
                    rows.append((round_no, day, i, name, int(shares[pos]), until - day))
                    if name not in held or held[name][pos] != shares[pos]:
                        sends[host_of[i]].setdefault(i, {})[name] = int(shares[pos])
                held[name] = shares
            figures = {}
            for part in where.call("advance", [(s, until) for s in sends]):
                figures.update(part)
            backlog = np.array([figures[i]["reported_backlog"] for i in order], dtype=float)
            day, round_no = until, round_no + 1
        results = {}
        for part in where.call("results", [() for _ in groups]):
            results.update(part)
    finally:
        where.close()
    if store is None:
        frames = [daily_frame(p.index, results[p.index]["daily"]) for p in plans]
        daily, stored, series = pd.concat(frames, ignore_index=True), None, frames
    else:
        stored = StoredDaily(store, [results[p.index]["place"] for p in plans])
        daily, series = None, stored.read()
    return _assemble(district, int(seed), plans, weights, results, rows, {n: p.policy for n, p in pools.items()},
                     daily, series, stored)


def _assemble(district: District, seed: int, plans: list[CommunityPlan], weights: dict[str, np.ndarray],
              results: dict[int, dict], rows: list[tuple], policies: dict[str, str], daily: pd.DataFrame | None,
              series: Iterable, stored: StoredDaily | None) -> DistrictResult:
    """The result from the communities' summaries and their daily `series` in community order (in memory, or read
    back from a store one at a time)."""
    allocations = pd.DataFrame(rows, columns=["round", "day", "community", "pool", "amount", "days"])
    per = []
    for pos, p in enumerate(plans):
        r = results[p.index]
        summary = r["summary"]
        hh = p.scenario.households
        row = {"community": p.index, "name": p.name, "subdistrict": p.subdistrict, "households": hh,
               "vulnerability": int(weights["vulnerability"][pos]), "mass_base": p.scenario.mass_base,
               "elderly_share": p.scenario.population.elderly_share}
        mine = allocations[allocations["community"] == p.index]
        for pool, g in mine.groupby("pool", sort=False):
            row[f"allocated_{pool}"] = float((g["amount"] * g["days"]).sum() / g["days"].sum())
        for t in COMPOUND_TYPES:
            row[f"households_{t}"] = r["compounds"].get(t, 0)
        row.update(summary)
        row["unmet_need_days_per_household"] = summary["unmet_need_days"] / hh
        per.append(row)
    communities = pd.DataFrame(per)
    sums = DailyTotals()
    for one in series:
        sums.add(one)
    daily_totals = sums.frame()
    households = int(communities["households"].sum())
    need_days = int(communities["unmet_need_days"].sum())
    hidden = float(daily_totals["hidden_total"].sum())
    per_household = communities["unmet_need_days_per_household"].to_numpy()
    totals = {
        "communities": len(plans), "households": households, "unmet_need_days": need_days,
        "unmet_need_days_per_household": need_days / households if households else math.nan,
        "worst_decile_unmet_per_household": worst_decile(per_household),
        "gini_unmet_per_household": gini(per_household),
        "critical_failures": int(communities["critical_failures"].sum()),
        "hidden_need_share": hidden / need_days if need_days else 0.0,
        "peak_unmet_day": int(daily_totals["day"].iloc[int(np.argmax(daily_totals["unmet_total"].to_numpy()))]),
    }
    for t in COMPOUND_TYPES:  # per compound type, over the communities that have it (scenarios' [compounds])
        k = int(communities[f"households_{t}"].sum())
        if k > 0:
            totals[f"unmet_need_days_per_1000_{t}"] = float(daily_totals[f"unmet_{t}"].sum()) / k * 1000.0
            totals[f"critical_failures_{t}"] = int(daily_totals[f"critical_failures_{t}"].sum())
    return DistrictResult(district=district, seed=seed, communities=communities, daily=daily,
                          daily_totals=daily_totals, allocations=allocations, totals=totals, version=code_version(),
                          policies=policies, stored=stored)
