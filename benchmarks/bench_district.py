"""Benchmark of districts at scale: households per second for init and for stepping, and memory per household.

    python benchmarks/bench_district.py                       # 3,000 households and jianghan_2020 (~330,000)
    python benchmarks/bench_district.py --city                # and wuhan_city (~4.1 M) on two Dask workers
    python benchmarks/bench_district.py --markdown docs/performance-district.md

Rows:
- one community of 3,000 households (wuhan_2020, 90 days): init with its households placed as Mesa agents (what
  a user looking at one community gets) and without (what a district builds), and stepping;
- one community of 100,000 households: init with and without agents (the Mesa `Network` of one cell per household,
  the networkx graph and the agent objects are what `place_agents=False` leaves out);
- jianghan_2020 in this process (one core): building all 109 communities, then 90 days in rounds of 7 with the
  allocation exchanged every round; memory is the growth of this process's resident set per household;
- with --city, wuhan_city: its init on one core (64 communities at a time, as a host builds them), then the whole run
  on a LocalCluster of two workers, and each worker's resident set.

Targets (the issue's, on a 2-core machine): jianghan_2020 under 60 s on one core, init included; wuhan_city under
5 minutes on two workers, under 3 GB each. Timing limits live here, never in the tests.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import sys
import time
import tracemalloc
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import scenarios  # noqa: E402
from scenarios import district as dd  # noqa: E402
from simulation import CommunityModel  # noqa: E402
from simulation.district import CommunityGroup, SerialHosts, run_district  # noqa: E402
from simulation.provenance import code_version, package_versions  # noqa: E402


def one_community(households: int, days: int, rows: list) -> None:
    scenario = scenarios.load("wuhan_2020", {"households": households, "days": max(days, 1)})
    CommunityModel(scenario=scenario, rng=0, households=300, days=5)  # warm-up: the compiled loops load
    for agents in (True, False):
        gc.collect()
        tracemalloc.start()  # memory from one build, time from another (tracing slows allocation)
        model = CommunityModel(scenario=scenario, rng=1, place_agents=agents)
        held, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del model
        gc.collect()
        t = time.perf_counter()
        model = CommunityModel(scenario=scenario, rng=1, place_agents=agents)
        init = time.perf_counter() - t
        label, tag = ("with agents", "agents") if agents else ("without agents", "no_agents")
        rows.append((f"{households}.init_{tag}.rate",
                     f"{households:,} households: init {label}", "households/s", households / init))
        rows.append((f"{households}.init_{tag}.s", f"{households:,} households: init {label}", "s", init))
        rows.append((f"{households}.held_{tag}",
                     f"{households:,} households: model held after init {label} (traced)", "B/household",
                     held / households))
        if days and not agents:
            t = time.perf_counter()
            while model.running:
                model.step()
            step = time.perf_counter() - t
            rows.append((f"{households}.stepping",
                         f"{households:,} households: stepping {days} days", "household-days/s",
                         households * days / step))
        del model


def district_here(name: str, rows: list) -> None:
    district = dd.load(name)
    plans = dd.communities(district)
    n = sum(p.scenario.households for p in plans)
    gc.collect()
    t = time.perf_counter()
    group = CommunityGroup(plans, 0, tuple(district.pools.named()))
    init = time.perf_counter() - t
    del group
    gc.collect()
    tracemalloc.start()
    group = CommunityGroup(plans, 0, tuple(district.pools.named()))
    grown, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del group
    gc.collect()
    t = time.perf_counter()
    result = run_district(district, 0, hosts=SerialHosts, n_hosts=1)
    whole = time.perf_counter() - t
    rows.append((f"{name}.init.rate",
                 f"{name} ({len(plans)} communities, {n:,} households): init, one core", "households/s", n / init))
    rows.append((f"{name}.init.s", f"{name}: init", "s", init))
    rows.append((f"{name}.held", f"{name}: the communities held after init (traced)", "B/household", grown / n))
    rows.append((f"{name}.whole.s",
                 f"{name}: whole run ({district.days} days, rounds of {district.round_days}), init included",
                 "s", whole))
    rows.append((f"{name}.stepping", f"{name}: stepping (whole run less init)", "household-days/s",
                 n * district.days / max(whole - init, 1e-9)))
    rows.append((f"{name}.worst_decile", f"{name}: worst-decile unmet need-days per household", "need-days",
                 result.totals["worst_decile_unmet_per_household"]))


def city_on_dask(rows: list, workers: int = 2) -> None:
    """The city as `liandong district wuhan_city --dask local --out DIR` runs it: the workers stream the daily
    series to a results folder (a temporary one) as their communities finish, and the folder is written."""
    import tempfile

    from experiments.district import Cluster, run, write

    district = dd.load("wuhan_city")
    plans = dd.communities(district)
    n = sum(p.scenario.households for p in plans)
    init = 0.0  # the city's init on one core, 64 communities at a time (as a host builds them), each group dropped
    for start in range(0, len(plans), 64):
        gc.collect()
        t = time.perf_counter()
        group = CommunityGroup(plans[start:start + 64], 0, tuple(district.pools.named()))
        init += time.perf_counter() - t
        del group
    gc.collect()
    with tempfile.TemporaryDirectory(prefix="bench-city-") as folder, Cluster("local", workers=workers) as cluster:
        t = time.perf_counter()
        write(run(district, 0, cluster=cluster, workers=workers, out=folder), folder)
        whole = time.perf_counter() - t
        peaks = cluster.client.run(_peak_rss)
    rows.append(("wuhan_city.whole.s",
                 f"wuhan_city ({len(plans)} communities, {n:,} households) on {workers} Dask workers: whole run, "
                 "results folder written", "s", whole))
    rows.append(("wuhan_city.whole.rate", "wuhan_city: whole run", "household-days/s", n * district.days / whole))
    rows.append(("wuhan_city.init.rate",
                 "wuhan_city: init, one core, 64 communities at a time", "households/s", n / init))
    rows.append(("wuhan_city.init.s", "wuhan_city: init, one core", "s", init))
    rows.append(("wuhan_city.stepping",
                 f"wuhan_city: stepping (whole run less init shared over the {workers} workers)", "household-days/s",
                 n * district.days / max(whole - init / workers, 1e-9)))
    rows.append(("wuhan_city.peak_gb",
                 "wuhan_city: largest worker's peak resident memory", "GB", max(peaks.values()) / 1e9))
    rows.append(("wuhan_city.bytes", "wuhan_city: peak resident memory per household (over the workers)", "B/household",
                 sum(peaks.values()) / n))


def _peak_rss() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--city", action="store_true", help="also wuhan_city on two Dask workers (minutes)")
    parser.add_argument("--markdown", type=Path, help="write the table to this file")
    args = parser.parse_args(argv)
    rows: list = []
    load = os.getloadavg()[0]
    one_community(3000, 90, rows)
    one_community(100_000, 0, rows)
    district_here("jianghan_2020", rows)
    if args.city:
        city_on_dask(rows)
    versions = package_versions()
    lines = [f"*Generated by `python benchmarks/bench_district.py{' --city' if args.city else ''}` at code "
             f"{code_version()}; one run.*", "",
             f"Python {versions['python']}, Mesa {versions['mesa']}, NumPy {versions['numpy']}; "
             f"{os.cpu_count()} cores ({platform.machine()}); load average (1 minute) {load:.2f} before the run and "
             f"{os.getloadavg()[0]:.2f} after it.", "",
             "| measurement | unit | value |", "|---|---|---|"]
    lines += [f"| {label} | {unit} | {value:,.3g} |" if value < 100 else f"| {label} | {unit} | {value:,.0f} |"
              for _, label, unit, value in rows]
    found = {key: value for key, _, _, value in rows}
    targets = [("`jianghan_2020` on one core, init included, < 60 s", "jianghan_2020.whole.s", 60.0)]
    if args.city:
        targets += [("`wuhan_city` on two Dask workers < 300 s", "wuhan_city.whole.s", 300.0),
                    ("`wuhan_city`: each worker < 3 GB", "wuhan_city.peak_gb", 3.0)]
    lines += ["", "| target | value | verdict |", "|---|---|---|"]
    lines += [f"| {name} | {found[key]:,.3g} | {'PASS' if found[key] < limit else 'MISS'} |"
              for name, key, limit in targets]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
        table = pd.DataFrame(rows, columns=["key", "measurement", "unit", "value"])
        table["load_before"], table["code"] = load, code_version()
        table.to_csv(args.markdown.with_suffix(".csv"), index=False)  # what the README and docs/district.md quote


if __name__ == "__main__":
    main()
