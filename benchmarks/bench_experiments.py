"""Benchmark of the experiments runner on the default community (3,000 households, 90 days, `no_linkage`).

    .venv/bin/python benchmarks/bench_experiments.py                 # 24 runs per measurement, 3 repeats
    .venv/bin/python benchmarks/bench_experiments.py --runs 40 --repeats 5 --sweep 1000

Measures, in the same process and alternating the order of the measurements in each repeat so that the machine's
noise hits all of them alike:

- `loop`: `simulation.run` called in a plain loop (the reference: no store, no executor);
- `serial`: the same runs through the runner and the results store (one durable Parquet part per run, fsync'd,
  then runs.parquet and the manifest): the store's overhead per run is (serial - loop) / runs; `serial-daily`
  stores each run's daily series too;
- `processes-1`, `processes-2`: local worker processes ('forkserver'), pools started and warmed beforehand;
  parallel efficiency = rate(2) / (2 x rate(1));
- `dask-1`, `dask-2`: a Dask LocalCluster with 1 and 2 single-threaded worker processes, warmed; Dask's overhead
  per run is (dask-1 - loop) / runs.

`--sweep N` also times a whole N-run sweep of the default community on 2 local workers, from the start of the
command to its tables (cold: pool start included), as a user would run it.
Medians are printed at the end, one line per measurement, ready for the README.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# One BLAS thread everywhere, as the worker processes have, so that the loop and the workers run alike.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import simulation  # noqa: E402
from experiments.executors import DaskExecutor, ProcessExecutor, SerialExecutor  # noqa: E402
from experiments.plan import compare_plan  # noqa: E402
from experiments.runner import execute  # noqa: E402


def plan_of(runs: int, root_seed: int, daily: bool = False):
    return compare_plan(["no_linkage"], replications=runs, root_seed=root_seed, name="bench", daily=daily)


def warm(executor) -> None:
    """Two full-size runs per worker first: the first runs of a fresh process are slower (memory, caches)."""
    plan = compare_plan(["no_linkage"], replications=2 * executor.workers, root_seed=7)
    for _ in executor.map_unordered(plan.task(r) for r in range(plan.n_runs)):
        pass


def time_loop(plan) -> float:
    start = time.perf_counter()
    for run in range(plan.n_runs):
        task = plan.task(run)
        simulation.run("no_linkage", seed=task["seed"])
    return time.perf_counter() - start


def time_execute(plan, executor, tmp: Path) -> tuple[float, float]:
    """(wall seconds, seconds the workers spent inside runs, summed from the per-run times in the manifest)."""
    out = Path(tempfile.mkdtemp(dir=tmp))
    start = time.perf_counter()
    result = execute(plan, out / "res", executor=executor, figures=False)
    elapsed = time.perf_counter() - start
    assert result.n_ok == plan.n_runs, result
    return elapsed, result.manifest["runs"]["run_seconds"]


def sweep_1000(n: int, tmp: Path) -> tuple[float, float]:
    spec = tmp / "sweep.toml"
    reps = max(1, n // 10)
    spec.write_text(f'name = "bench_sweep"\nbase = "no_linkage"\nreplications = {reps}\nroot_seed = 1\n'
                    '[factors]\n"reporting.call_prob" = { low = 0.05, high = 0.5, steps = 10 }\n', encoding="utf-8")
    liandong = Path(sys.executable).with_name("liandong")
    start = time.perf_counter()
    subprocess.run([str(liandong), "sweep", str(spec), "--workers", "2", "--out", str(tmp / "sweep1000"), "-q"],
                   check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    manifest = json.loads((tmp / "sweep1000" / "manifest.json").read_text())
    busy = manifest["runs"]["run_seconds"]
    return wall, busy / (2 * wall)


def measure(name: str, runs: int, root_seed: int) -> tuple[float, float]:
    """One measurement, in this (fresh) process: executors started and warmed first, then timed."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-experiments-"))
    plan = plan_of(runs, root_seed=root_seed, daily=name == "serial-daily")
    if name == "loop":
        warm(SerialExecutor())
        t = time_loop(plan)
        return t, t
    kind, _, n = name.partition("-")
    executor = {"serial": lambda: SerialExecutor(), "processes": lambda: ProcessExecutor(int(n)),
                "dask": lambda: DaskExecutor("local", workers=int(n))}[kind]()
    try:
        warm(executor)
        return time_execute(plan, executor, tmp)
    finally:
        executor.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=24, help="runs per measurement")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sweep", type=int, default=0, help="also time a whole N-run sweep (e.g. 1000)")
    parser.add_argument("--no-dask", action="store_true")
    parser.add_argument("--markdown", type=Path, metavar="PATH",
                        help="also write the report to PATH as a Markdown page (docs/performance-runner.md)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        wall, busy = measure(args.measure, args.runs, args.seed)
        print(json.dumps({"seconds": wall, "busy": busy}))
        return

    report: list[str] = []

    def say(text: str = "") -> None:
        """Print a line of the report, and keep it for the Markdown page."""
        print(text, flush=True)
        report.extend(text.split("\n"))

    tmp = Path(tempfile.mkdtemp(prefix="bench-experiments-"))
    say(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores; {args.runs} runs of the default community per "
          f"measurement, {args.repeats} repeats; each measurement in a fresh process")
    names = ["loop", "serial", "serial-daily", "processes-1", "processes-2"]
    if not args.no_dask:
        names += ["dask-1", "dask-2"]
    times: dict[str, list[float]] = {n: [] for n in names}
    overhead: dict[str, list[float]] = {n: [] for n in names}   # wall time not spent inside runs, per run
    loads: list[float] = []
    for rep in range(args.repeats):
        order = names[rep % len(names):] + names[: rep % len(names)]
        for name in order:
            out = subprocess.run([sys.executable, __file__, "--measure", name, "--runs", str(args.runs), "--seed",
                                  str(1000 + rep)], capture_output=True, text=True, check=True)
            record = json.loads(out.stdout.strip().splitlines()[-1])
            t = record["seconds"]
            times[name].append(t)
            workers = int(name.rpartition("-")[2]) if name[-1].isdigit() else 1
            overhead[name].append((workers * t - record["busy"]) / args.runs / (record["busy"] / args.runs))
            loads.append(os.getloadavg()[0])
            say(f"  repeat {rep + 1} {name:<12} {t:7.2f} s  {args.runs / t:6.2f} runs/s  (load {loads[-1]:.1f})")
    med = {n: statistics.median(v) for n, v in times.items()}
    per_run = {n: med[n] / args.runs for n in med}
    rate = {n: args.runs / med[n] for n in med}
    best = {n: args.runs / min(v) for n, v in times.items()}
    say(f"\nmedians (best of {args.repeats} in brackets); 1-minute load average during the measurements: median "
          f"{statistics.median(loads):.1f}, max {max(loads):.1f} on {os.cpu_count()} cores")
    for n in names:
        say(f"  {n:<12} {rate[n]:6.2f} runs/s   {per_run[n] * 1000:7.1f} ms/run   [{best[n]:6.2f} runs/s]")
    loop = per_run["loop"]
    say("  wall time not spent inside runs, per run, as a share of a run's time (the runner's own overhead, "
          "measured within each measurement, so immune to the machine's drift between measurements):")
    for n in names[1:]:
        say(f"    {n:<12} median {statistics.median(overhead[n]):+.1%}  (each: "
              f"{', '.join(f'{x:+.1%}' for x in overhead[n])})")
    store = per_run["serial"] - loop
    say(f"  store overhead per run (serial - loop): {store * 1000:+.1f} ms = {store / loop:+.1%}")
    daily = per_run["serial-daily"] - loop
    say(f"  with the daily series stored too (serial-daily - loop): {daily * 1000:+.1f} ms = {daily / loop:+.1%}")
    eff = rate["processes-2"] / (2 * rate["processes-1"])
    say(f"  local processes: 1 worker {rate['processes-1']:.2f} runs/s, 2 workers {rate['processes-2']:.2f} runs/s,"
          f" parallel efficiency {eff:.0%} [best: {best['processes-2'] / (2 * best['processes-1']):.0%}]")
    say(f"  processes-1 against the loop: {(per_run['processes-1'] - loop) * 1000:+.1f} ms/run = "
          f"{(per_run['processes-1'] - loop) / loop:+.1%}")
    if "dask-1" in med:
        d = per_run["dask-1"] - loop
        say(f"  Dask overhead per run (dask-1 - loop, store included): {d * 1000:+.1f} ms = {d / loop:+.1%}")
        say(f"  Dask: 2 workers {rate['dask-2']:.2f} runs/s, parallel efficiency "
              f"{rate['dask-2'] / (2 * rate['dask-1']):.0%}")
    if args.sweep:
        t, busy = sweep_1000(args.sweep, tmp)
        say(f"  whole {args.sweep}-run sweep of the default community, `liandong sweep --workers 2` (cold): "
              f"{t:.0f} s ({args.sweep / t:.2f} runs/s); the workers spent {busy:.0%} of the wall time inside runs "
              f"(load {os.getloadavg()[0]:.1f})")

    if args.markdown:
        from simulation.provenance import code_version
        command = " ".join(["python benchmarks/bench_experiments.py", *sys.argv[1:]])
        page = ["# Runner performance", "",
                f"*Generated by `{command}` at code {code_version()}; every figure below is from that one run, on "
                "this machine at its load then (the 1-minute load averages are in the report). Rerun it to measure "
                "now.*", "",
                "What is measured, each in a fresh process, executors started and warmed first, the order rotated "
                "between repeats: `simulation.run` in a plain loop; the same runs through the runner and its store, "
                "serially, with and without the daily series; local processes with 1 and 2 workers; a Dask "
                "LocalCluster with 1 and 2 workers. The runner's own overhead (wall time not spent inside "
                "`simulation.run`, times the workers) is measured within each measurement, so the machine's drift "
                "between measurements does not touch it; the parallel efficiencies compare two measurements, and "
                "do.", "", "```", *report, "```", ""]
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text("\n".join(page), encoding="utf-8")
        print(f"page written to {args.markdown}")

if __name__ == "__main__":
    main()
