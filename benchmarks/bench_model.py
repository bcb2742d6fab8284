"""Benchmark of the community model: stepping throughput vs Mesa's VirusOnNetwork, run time, init, memory.

    python benchmarks/bench_model.py                      # 5 repeats, 10,000 households, 90 days
    python benchmarks/bench_model.py --repeats 3 --json bench.json

Everything is measured in one process, so the ratios to Mesa's example come from the same machine state. Each
repeat runs, in this order: our model under `no_linkage` (cadres alone) and under `three_social` (every linkage
mechanism on), each init then stepping, Mesa's VirusOnNetwork (init untimed, then stepping), and the whole default
run of each scenario; the table reports medians over the repeats. The targets are
informational: the script exits 0 whether they pass or not (timing limits live here, not in the tests).
See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import platform
import random
import statistics
import sys
import textwrap
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import mesa  # noqa: E402
import mesa.examples.basic.virus_on_network.model as virus_module  # noqa: E402
import numpy as np  # noqa: E402
from mesa.discrete_space import Network as MesaNetwork  # noqa: E402

import simulation  # noqa: E402
from simulation.provenance import cpu_model  # noqa: E402

SCENARIOS = ("no_linkage", "three_social")  # cadres alone; every mechanism on
TARGET_RATIO = 10.0  # ours per household-day vs Virus per agent-step, at least, in each scenario
TARGET_RUN_S = {"no_linkage": 0.3, "three_social": 0.5}  # whole default run, init included, at most
TARGET_INIT_S = 1.0  # init of 10,000 households, at most
TARGET_INIT_HOUSEHOLDS = 10_000

VIRUS_NOTE = ("VirusOnNetwork's Network is built with layout=None: the name `Network` in "
              "mesa.examples.basic.virus_on_network.model is patched, only while the example is constructed, "
              "with a function forwarding to mesa.discrete_space.Network(..., layout=None) (the example "
              "hard-codes the default spring layout, which takes minutes at 10,000 nodes). Its graph "
              "generator (nx.erdos_renyi_graph, seeded through Python's global `random`) and all other "
              "defaults are unchanged; its init is not timed.")


# --- helpers ------------------------------------------------------------------------------------------------
def _network_without_layout(*args, **kwargs):
    kwargs["layout"] = None
    return MesaNetwork(*args, **kwargs)


@contextlib.contextmanager
def _virus_without_layout():
    original = virus_module.Network
    virus_module.Network = _network_without_layout
    try:
        yield
    finally:
        virus_module.Network = original


@contextlib.contextmanager
def _gc_disabled():
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _step_to_end(model, max_steps: int | None = None) -> tuple[int, float, float]:
    """Step `model` until it stops (or `max_steps`), with gc off; returns (steps, wall seconds, CPU seconds of this
    process). CPU time does not count the time other processes hold the cores, so on a shared machine it moves far
    less between runs than wall time."""
    gc.collect()
    steps = 0
    with _gc_disabled():
        start, cpu = time.perf_counter(), time.process_time()
        while model.running and (max_steps is None or steps < max_steps):
            model.step()
            steps += 1
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return steps, elapsed, cpu


# --- the measurements ---------------------------------------------------------------------------------------
def bench_ours(scenario: str, seed: int, households: int, days: int) -> dict:
    gc.collect()
    start = time.perf_counter()
    model = simulation.CommunityModel(scenario=scenario, rng=seed, households=households, days=days)
    init_s = time.perf_counter() - start
    steps, step_s, cpu_s = _step_to_end(model)
    out = {"init_s": init_s, "step_s": step_s, "step_cpu_s": cpu_s, "steps": steps,
           "household_days_per_s": households * steps / step_s,
           "household_days_per_cpu_s": households * steps / cpu_s,
           "array_bytes": int(model.households.nbytes())}
    del model
    gc.collect()
    return out


def bench_virus(seed: int, nodes: int, steps: int) -> dict:
    gc.collect()
    random.seed(seed)  # nx.erdos_renyi_graph draws from the global `random`: same seed, same graph, same work
    with _virus_without_layout():
        start = time.perf_counter()
        model = virus_module.VirusOnNetwork(num_nodes=nodes, rng=seed)
        init_s = time.perf_counter() - start
    done, step_s, cpu_s = _step_to_end(model, max_steps=steps)
    out = {"init_s_untimed": init_s, "step_s": step_s, "step_cpu_s": cpu_s, "steps": done,
           "agent_steps_per_s": nodes * done / step_s, "agent_steps_per_cpu_s": nodes * done / cpu_s}
    del model
    gc.collect()
    return out


def bench_run(scenario: str, seed: int) -> dict:
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    result = simulation.run(scenario, seed=seed)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"run_s": elapsed, "run_cpu_s": cpu, "households": result.scenario.households,
            "days": result.scenario.days}


def bench_memory(seed: int, households: int, days: int) -> dict:
    """tracemalloc around constructing one model: peak during init, and what the model retains after it."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        model = simulation.CommunityModel(scenario=SCENARIOS[0], rng=seed, households=households, days=days)
        _, peak = tracemalloc.get_traced_memory()
        gc.collect()
        retained, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    arrays = int(model.households.nbytes())
    del model
    gc.collect()
    return {"peak_bytes": peak - base, "retained_bytes": retained - base, "array_bytes": arrays,
            "peak_per_household": (peak - base) / households,
            "retained_per_household": (retained - base) / households,
            "arrays_per_household": arrays / households}


def warm_up() -> None:
    """Import and cache everything once (lazy imports, scenario files, git lookup, the compiled loops: Numba loads
    or compiles each on its first call) outside the timings: 70 days, so that every mechanism has started (the
    volunteers' call is on day 31)."""
    for scenario in SCENARIOS:
        model = simulation.CommunityModel(scenario=scenario, rng=0, households=300, days=70)
        _step_to_end(model)
        simulation.run(scenario, seed=0, households=300, days=70)
    with _virus_without_layout():
        virus = virus_module.VirusOnNetwork(num_nodes=300, rng=0)
    _step_to_end(virus, max_steps=3)
    gc.collect()


# --- reporting ----------------------------------------------------------------------------------------------
def _stats(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "values": values}


def _environment() -> dict:
    try:
        from simulation.provenance import code_version
        version = code_version()
    except Exception:  # noqa: BLE001 - provenance is a nicety here
        version = "unknown"
    import networkx
    import numba
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "mesa": mesa.__version__,
        "networkx": networkx.__version__,
        "liandong": version,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "OPENBLAS_CORETYPE": {"present": "OPENBLAS_CORETYPE" in os.environ,
                              "value": os.environ.get("OPENBLAS_CORETYPE")},
    }


def _fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.3f}"
    if unit == "x":
        return f"{value:.2f}"
    return f"{value:,.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="repeats; medians are reported (default 5)")
    parser.add_argument("--households", type=int, default=10_000,
                        help="households of our model, and nodes of VirusOnNetwork (default 10000)")
    parser.add_argument("--days", type=int, default=90,
                        help="days of our model, steps of VirusOnNetwork (default 90)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the first repeat; repeat i uses seed+i")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the results to PATH as JSON")
    parser.add_argument("--markdown", type=Path, metavar="PATH",
                        help="also write the results to PATH as a Markdown page (make bench: docs/performance.md)")
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.households < 1 or args.days < 1:
        parser.error("--repeats, --households and --days must be at least 1")

    n, days = args.households, args.days
    env = _environment()
    print(f"liandong benchmark: {args.repeats} repeats, medians; {n:,} households x {days} days "
          f"vs VirusOnNetwork {n:,} nodes x {days} steps", flush=True)
    print(f"python {env['python']}, numpy {env['numpy']}, numba {env['numba']}, mesa {env['mesa']}, "
          f"networkx {env['networkx']}, "
          f"liandong {env['liandong']}; OPENBLAS_CORETYPE "
          f"{'=' + env['OPENBLAS_CORETYPE']['value'] if env['OPENBLAS_CORETYPE']['present'] else 'unset'}",
          flush=True)
    print(textwrap.fill(f"note: {VIRUS_NOTE}", width=110, subsequent_indent="      "), flush=True)

    t0 = time.perf_counter()
    warm_up()
    ours: dict[str, list] = {sc: [] for sc in SCENARIOS}
    runs: dict[str, list] = {sc: [] for sc in SCENARIOS}
    ratios: dict[str, list] = {sc: [] for sc in SCENARIOS}
    cpu_ratios: dict[str, list] = {sc: [] for sc in SCENARIOS}
    load_before = _load()
    virus = []
    for r in range(args.repeats):
        seed = args.seed + r
        o = {sc: bench_ours(sc, seed, n, days) for sc in SCENARIOS}
        v = bench_virus(seed, n, days)
        w = {sc: bench_run(sc, seed) for sc in SCENARIOS}
        virus.append(v)
        parts = []
        for sc in SCENARIOS:
            ours[sc].append(o[sc])
            runs[sc].append(w[sc])
            ratios[sc].append(o[sc]["household_days_per_s"] / v["agent_steps_per_s"])
            cpu_ratios[sc].append(o[sc]["household_days_per_cpu_s"] / v["agent_steps_per_cpu_s"])
            parts.append(f"{sc} {o[sc]['household_days_per_s']:,.0f} hd/s, init {o[sc]['init_s']:.3f} s, "
                         f"run {w[sc]['run_s']:.3f} s")
        print(f"  repeat {r + 1}/{args.repeats} (seed {seed}): " + "; ".join(parts)
              + f"; virus {v['agent_steps_per_s']:,.0f} agent-steps/s (untimed init {v['init_s_untimed']:.1f} s)",
              flush=True)
    memory = bench_memory(args.seed, n, days)
    load_after = _load()

    virus_tp = _stats([v["agent_steps_per_s"] for v in virus])
    virus_cpu_tp = _stats([v["agent_steps_per_cpu_s"] for v in virus])
    virus_step = _stats([v["step_s"] for v in virus])
    rows = [(f"virus: stepping throughput ({virus[0]['steps']} steps)", "agent-steps/s", virus_tp, ""),
            (f"virus: stepping {virus[0]['steps']} steps", "s", virus_step, "")]
    medians: dict = {"virus_agent_steps_per_s": virus_tp["median"], "virus_step_s": virus_step["median"]}
    targets: dict = {}
    for sc in SCENARIOS:
        tp = _stats([o["household_days_per_s"] for o in ours[sc]])
        ratio = tp["median"] / virus_tp["median"]
        cpu_ratio = statistics.median(o["household_days_per_cpu_s"] for o in ours[sc]) / virus_cpu_tp["median"]
        init = _stats([o["init_s"] for o in ours[sc]])
        step = _stats([o["step_s"] for o in ours[sc]])
        run_s = _stats([w["run_s"] for w in runs[sc]])
        run_hh, run_days, ours_days = runs[sc][0]["households"], runs[sc][0]["days"], ours[sc][0]["steps"]
        rows += [
            (f"{sc}: stepping throughput ({ours_days} days)", "household-days/s", tp, ""),
            (f"{sc}: ratio to virus (medians)", "x", _stats([ratio]) | {"min": min(ratios[sc]),
                                                                        "max": max(ratios[sc])},
             f">= {TARGET_RATIO:g}"),
            (f"{sc}: ratio to virus, CPU time (medians)", "x", _stats([cpu_ratio]) | {
                "min": min(cpu_ratios[sc]), "max": max(cpu_ratios[sc])}, f">= {TARGET_RATIO:g}"),
            (f"{sc}: init of {n:,} households", "s", init, f"< {TARGET_INIT_S:g}"),
            (f"{sc}: stepping {ours_days} days", "s", step, ""),
            (f"{sc}: whole run, default ({run_hh:,} hh x {run_days} d)", "s", run_s, f"< {TARGET_RUN_S[sc]:g}"),
            (f"{sc}: whole run, default, CPU time", "s", _stats([w["run_cpu_s"] for w in runs[sc]]),
             f"< {TARGET_RUN_S[sc]:g}"),
        ]
        medians[sc] = {"household_days_per_s": tp["median"], "ratio": ratio, "ratio_cpu": cpu_ratio,
                       "init_s": init["median"],
                       "step_s": step["median"], "whole_run_s": run_s["median"]}
        targets[sc] = {
            "ratio": {"value": ratio, "target": f">= {TARGET_RATIO:g}", "pass": ratio >= TARGET_RATIO},
            "ratio_cpu": {"value": cpu_ratio, "target": f">= {TARGET_RATIO:g}", "pass": cpu_ratio >= TARGET_RATIO},
            "whole_run_s": {"value": run_s["median"], "target": f"< {TARGET_RUN_S[sc]:g} s",
                            "pass": run_s["median"] < TARGET_RUN_S[sc]},
            "init_s": {"value": init["median"], "target": f"< {TARGET_INIT_S:g} s at {TARGET_INIT_HOUSEHOLDS:,}",
                       "pass": init["median"] < TARGET_INIT_S, "measured_at_households": n,
                       "applies": n == TARGET_INIT_HOUSEHOLDS},
        }
    rows += [
        ("memory: household arrays", "B/household", _stats([memory["arrays_per_household"]]), ""),
        ("memory: model init, traced peak", "B/household", _stats([memory["peak_per_household"]]), ""),
        ("memory: model init, traced retained", "B/household",
         _stats([memory["retained_per_household"]]), ""),
    ]
    medians |= {"array_bytes_per_household": memory["arrays_per_household"],
                "traced_peak_bytes_per_household": memory["peak_per_household"],
                "traced_retained_bytes_per_household": memory["retained_per_household"]}
    w0, w1 = max(len(r[0]) for r in rows), max(len(r[1]) for r in rows)
    header = f"{'measurement':<{w0}}  {'unit':<{w1}}  {'median':>12}  {'min':>12}  {'max':>12}  target"
    print()
    print(header)
    print("-" * len(header))
    for label, unit, st, target in rows:
        u = "s" if unit == "s" else ("x" if unit == "x" else "n")
        print(f"{label:<{w0}}  {unit:<{w1}}  {_fmt(st['median'], u):>12}  {_fmt(st['min'], u):>12}  "
              f"{_fmt(st['max'], u):>12}  {target}".rstrip())
    print("(ratio min/max: per-repeat ratios; CPU time: this process's, which other processes' load moves far "
          "less than wall time; memory: no_linkage, one construction, tracemalloc)")
    print(f"load average (1 min) {load_before} before, {load_after} after, on {os.cpu_count()} cores")

    print()
    print("targets (informational; exit status is 0 either way):")
    init_note = ("" if n == TARGET_INIT_HOUSEHOLDS
                 else f"; measured at {n:,}, target is for {TARGET_INIT_HOUSEHOLDS:,}")
    for sc in SCENARIOS:
        t = targets[sc]
        print(f"  {sc}: ratio ours/virus {t['ratio']['value']:.2f} x  (target >= {TARGET_RATIO:g}): "
              f"{'PASS' if t['ratio']['pass'] else 'MISS'}")
        print(f"  {sc}: ratio ours/virus in CPU time {t['ratio_cpu']['value']:.2f} x  (target >= "
              f"{TARGET_RATIO:g}): {'PASS' if t['ratio_cpu']['pass'] else 'MISS'}")
        print(f"  {sc}: whole default run {t['whole_run_s']['value']:.3f} s  (target < {TARGET_RUN_S[sc]:g} s): "
              f"{'PASS' if t['whole_run_s']['pass'] else 'MISS'}")
        print(f"  {sc}: init of {n:,} households {t['init_s']['value']:.3f} s  (target < {TARGET_INIT_S:g} s"
              f"{init_note}): {'PASS' if t['init_s']['pass'] else 'MISS'}")
    total = time.perf_counter() - t0
    virus_init = sum(v["init_s_untimed"] for v in virus)
    print(f"\nbenchmark took {total:.0f} s, {virus_init:.0f} s of it VirusOnNetwork's untimed init "
          "(O(n^2) graph generation)")

    if args.json:
        results = {
            "args": {"repeats": args.repeats, "households": n, "days": days, "seed": args.seed,
                     "scenarios": list(SCENARIOS)},
            "environment": env,
            "notes": [VIRUS_NOTE,
                      "gc.collect() before each timing; gc disabled while stepping (both models); init and "
                      "the whole run are timed with gc enabled; a small warm-up runs first and is not "
                      "counted."],
            "medians": medians,
            "targets": targets,
            "per_repeat": {"ours": ours, "virus": virus, "whole_run": runs, "ratio": ratios,
                           "ratio_cpu": cpu_ratios},
            "load_average_1min": {"before": load_before, "after": load_after},
            "memory": memory,
            "seconds_total": total,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n")
        print(f"results written to {args.json}")
    if args.markdown:
        command = "python benchmarks/bench_model.py" + " ".join(
            [""] + [f"--{k} {v}" for k, v in (("repeats", args.repeats), ("households", n), ("days", days))
                    if v != parser.get_default(k)] + [f"--markdown {args.markdown}"])
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(_page(command, env, rows, targets, (load_before, load_after), args.repeats),
                                 encoding="utf-8")
        print(f"page written to {args.markdown}")
    return 0


def _load() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:  # not available on this platform
        return "unknown"


def _page(command: str, env: dict, rows: list, targets: dict, load: tuple[str, str], repeats: int) -> str:
    """The Markdown page of one run: its table, the targets' verdicts, the machine and its load."""
    lines = ["# Performance", "",
             f"*Generated by `{command}` (`make bench`) at code {env['liandong']}; every figure below is from that "
             "one run. Rerun it to measure this machine now.*", "",
             f"Python {env['python']}, NumPy {env['numpy']}, Numba {env['numba']}, Mesa {env['mesa']}, networkx "
             f"{env['networkx']}; {env.get('cpu_model', 'unknown')}, {env['cpu_count']} cores ({env['machine']}); "
             f"load average (1 minute) {load[0]} before the run and {load[1]} after it. Medians over {repeats} "
             "repeats, with the smallest and largest; a ratio's min and max are those of the repeats. CPU time is "
             "this process's own: on a shared machine it moves far less between runs than wall time, since it "
             "leaves out the time other processes hold the cores. What each row measures: "
             "`benchmarks/README.md`.", "",
             "| measurement | unit | median | min | max | target |", "|---|---|---|---|---|---|"]
    for label, unit, st, target in rows:
        u = "s" if unit == "s" else ("x" if unit == "x" else "n")
        lines.append(f"| {label} | {unit} | {_fmt(st['median'], u)} | {_fmt(st['min'], u)} | "
                     f"{_fmt(st['max'], u)} | {target} |")
    lines += ["", "| target | value | verdict |", "|---|---|---|"]
    for sc, t in targets.items():
        for key, label in (("ratio", "ratio to VirusOnNetwork per agent-step"),
                           ("ratio_cpu", "the same ratio in CPU time"), ("whole_run_s", "whole default run"),
                           ("init_s", "init")):
            verdict = "PASS" if t[key]["pass"] else "MISS"
            unit = " x" if key.startswith("ratio") else " s"
            lines.append(f"| `{sc}`: {label} {t[key]['target']} | {t[key]['value']:.2f}{unit} | {verdict} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
