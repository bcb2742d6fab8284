"""Figures the README and docs/district.md quote from generated pages other than the ODD's runs, read from files.

- The policy comparisons of `jianghan_2020` and `classroom_district`: `docs/findings/district/<name>.csv` (`make
  district-findings`): means over the seeds and paired differences from `equal` with their 95% intervals
  (experiments/stats.py), as the pages beside them show them.
- The preset's own arithmetic (sunk cadres per community and per 1,000 households, the communities' sizes):
  `scenarios/districts/jianghan_2020.toml`, no runs.
- The district benchmark: `docs/performance-district.csv` (`make bench-district`), one run.
- The calibration benchmark: `docs/performance-calibration.csv` (`make bench-calibration`), one run.
- The shipped calibration: `calibration/wuhan_2020/` (`make calibration`): its generations, its posterior against
  the priors, and its posterior predictive check.
- The README's findings: the preset means of `docs/findings/presets.csv` and the comparison over the calibration's
  posterior, `docs/findings/posterior.csv` (`make findings-tables`).

`python -m experiments.odd_figures --fill` writes these into the documents with the ODD's own figures; the tests of
tests/test_odd_figures.py check them the same way.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pandas as pd

import scenarios
from experiments import stats
from experiments.numbers import n0, n2, p0, signed
from scenarios import district as district_format

ROOT = Path(__file__).resolve().parent.parent
COMPARISONS = {"jianghan": ROOT / "docs" / "findings" / "district" / "jianghan_2020.csv",
               "classroom": ROOT / "docs" / "findings" / "district" / "classroom_district.csv"}
BENCH = ROOT / "docs" / "performance-district.csv"
CALIBRATION_BENCH = ROOT / "docs" / "performance-calibration.csv"
POLICIES = ("per_household", "by_vulnerability", "by_backlog")
MEASURES = (("worst_decile_unmet_per_household", "worst"), ("unmet_need_days_per_household", "total"))


def _hundreds(x: float) -> str:
    return n0(round(x, -2))


def policies(path: Path, short: str) -> tuple[dict[str, str], dict[str, str]]:
    """A policy comparison's figures (name -> text: `district.<short>.<policy>.<measure>`) and its table
    (`district_<short>`), from the CSV `experiments.district --write` leaves beside its page."""
    frame = pd.read_csv(path)
    keys = [key for key, _ in MEASURES] + ["gini_unmet_per_household", "critical_failures"]
    means = stats.scenario_means(frame, keys=keys).set_index(["scenario", "key"])["mean"]
    diffs = stats.paired_differences(frame, keys=keys, reference="equal").set_index(["scenario", "key"])
    figures = {f"district.{short}.equal.{name}": n2(means[("equal", key)]) for key, name in MEASURES}
    gini = {policy: means[(policy, "gini_unmet_per_household")] for policy in ("equal",) + POLICIES}
    figures[f"district.{short}.lowest_gini"] = f"`{min(gini, key=gini.get)}`"
    for policy in POLICIES:
        for key, name in MEASURES + (("critical_failures", "failures"),):
            d = diffs.loc[(policy, key)]
            fmt = signed(n2) if key != "critical_failures" else signed(n0)
            figures[f"district.{short}.{policy}.{name}_diff"] = fmt(d["mean_diff"])
            figures[f"district.{short}.{policy}.{name}_ci"] = f"{fmt(d['ci_low'])} to {fmt(d['ci_high'])}"
            figures[f"district.{short}.{policy}.{name}_change"] = signed(p0)(d["mean_diff"] / means[("equal", key)])
    rows = ["| policy | worst-decile unmet need-days per household | district | Gini | critical failures |",
            "|---|---|---|---|---|"]
    for policy in ("equal",) + POLICIES:
        cells = []
        for key, _ in MEASURES + (("critical_failures", "failures"),):
            text = f"{means[(policy, key)]:,.0f}" if key == "critical_failures" else f"{means[(policy, key)]:.2f}"
            if policy != "equal":
                d = diffs.loc[(policy, key)]
                digits = 0 if key == "critical_failures" else 2
                text += f" ({d['mean_diff']:+,.{digits}f} [{d['ci_low']:+,.{digits}f}, {d['ci_high']:+,.{digits}f}])"
            cells.append(text)
        cells.insert(2, f"{means[(policy, 'gini_unmet_per_household')]:.3f}")
        rows.append(f"| `{policy}` | " + " | ".join(cells) + " |")
    return figures, {f"district_{short}": "\n".join(rows)}


def jianghan_preset() -> dict[str, str]:
    """Equal shares against proportional ones in the preset: what each community gets, and the sizes they get it
    for (from the file, no runs)."""
    district = district_format.load("jianghan_2020")
    sizes = [plan.scenario.households for plan in district_format.communities(district)]
    sunk = district.pools.sunk_cadres.total
    c = district.communities
    return {"district.jianghan.communities": n0(len(sizes)), "district.jianghan.sunk": n0(sunk),
            "district.jianghan.households_min": n0(c.households_min), "district.jianghan.households_max": n0(
                c.households_max),
            "district.jianghan.elderly_range": f"{c.elderly_share[0]:.0%}-{c.elderly_share[1]:.0%}",
            "district.jianghan.equal_share": n0(sunk / len(sizes)),
            "district.jianghan.per_1000": n0(1000 * sunk / sum(sizes)),
            "district.jianghan.largest": _hundreds(max(sizes)),
            "district.jianghan.smallest": _hundreds(min(sizes)), **classroom_preset()}


def classroom_preset() -> dict[str, str]:
    """The classroom district's communities: how many, their sizes and its sunk cadres (from the file)."""
    district = district_format.load("classroom_district")
    sizes = [plan.scenario.households for plan in district_format.communities(district)]
    return {"district.classroom.communities": n0(len(sizes)), "district.classroom.smallest": n0(min(sizes)),
            "district.classroom.largest": n0(max(sizes)), "district.classroom.sunk": n0(
                district.pools.sunk_cadres.total)}


BENCH_FIGURES = {  # key in the benchmark's table -> how the documents quote it
    "3000.init_agents.rate": _hundreds, "3000.init_no_agents.rate": _hundreds, "3000.stepping": _hundreds,
    "3000.held_agents": n0, "3000.held_no_agents": n0,
    "100000.init_agents.s": n2, "100000.init_no_agents.s": n2, "100000.held_agents": n0, "100000.held_no_agents": n0,
    "jianghan_2020.init.s": n2, "jianghan_2020.init.rate": _hundreds, "jianghan_2020.held": n0,
    "jianghan_2020.whole.s": lambda x: f"{x:.3g}", "jianghan_2020.stepping": _hundreds,
    "wuhan_city.whole.s": n0, "wuhan_city.init.s": lambda x: f"{x:.3g}", "wuhan_city.init.rate": _hundreds,
    "wuhan_city.stepping": _hundreds, "wuhan_city.peak_gb": lambda x: f"{x:.2g}", "wuhan_city.bytes": n0,
}


def bench(path: Path = BENCH) -> dict[str, str]:
    """The benchmark's figures the documents quote, and its load before the run (`bench.load`)."""
    frame = pd.read_csv(path)
    values = dict(zip(frame["key"], frame["value"]))
    figures = {f"bench.{key}": fmt(values[key]) for key, fmt in BENCH_FIGURES.items()}
    figures["bench.load"] = f"{frame['load_before'].iloc[0]:.1f}"
    figures["bench.city_verdict"] = "met" if values["wuhan_city.whole.s"] < 300 else "missed"
    return figures


EXECUTORS = {"processes": "local processes", "dask": "Dask LocalCluster"}


def calibration_bench(path: Path = CALIBRATION_BENCH) -> tuple[dict[str, str], dict[str, str]]:
    """The calibration benchmark's figures (`calbench.<key>`: its settings, the first and last generation's epsilon
    and acceptance rate, the local run's minutes and whether Dask gave the same posterior) and its table of
    executors (`calibration_bench`)."""
    frame = pd.read_csv(path)
    v = dict(zip(frame["key"], frame["value"]))
    last = int(v["generations"]) - 1
    first_eps, last_eps = f"{v['gen0.epsilon']:.3g}", f"{v[f'gen{last}.epsilon']:.3g}"
    first_acc, last_acc = n2(v["gen0.acceptance"]), n2(v[f"gen{last}.acceptance"])
    figures = {"calbench.population_size": n0(v["population_size"]), "calbench.generations": n0(v["generations"]),
               "calbench.households": n0(v["households"]), "calbench.load": f"{frame['load_after'].iloc[0]:.1f}",
               "calbench.first_epsilon": first_eps, "calbench.first_acceptance": first_acc,
               "calbench.last": n0(last), "calbench.last_epsilon": last_eps, "calbench.last_acceptance": last_acc,
               "calbench.minutes": f"{v['processes.wall_s'] / 60:.1f}",
               "calbench.verdict": "met" if v["processes.wall_s"] < 20 * 60 else "missed"}
    ran = last + 1
    figures["calbench.run"] = (
        f"The run stopped after {n0(ran)} generation{'s' if ran > 1 else ''}: epsilon {first_eps} in the first"
        f" (acceptance rate {first_acc})" + (f" and {last_eps} in the last ({last_acc})" if ran > 1 else "")
        + ("; an epsilon of 0 means every accepted run fell inside all the targets' bands, where the sampler stops"
           if v[f"gen{last}.epsilon"] == 0 else "") + ".")
    if "dask.same_posterior" in v:
        figures["calbench.dask_same"] = "identical" if v["dask.same_posterior"] else "not identical"
    rows = ["| executor | workers | wall | evaluations | evaluations/s | overhead |", "|---|---|---|---|---|---|"]
    for key, name in EXECUTORS.items():
        if f"{key}.wall_s" in v:
            rows.append(f"| {name} | {n0(v[f'{key}.workers'])} | {v[f'{key}.wall_s']:.0f} s | "
                        f"{n0(v[f'{key}.evaluations'])} | {v[f'{key}.rate']:.2f} | {v[f'{key}.overhead']:.1%} |")
    return figures, {"calibration_bench": "\n".join(rows)}


CALIBRATION = ROOT / "calibration" / "wuhan_2020"


def calibration(folder: Path = CALIBRATION) -> tuple[dict[str, str], dict[str, str]]:
    """The shipped calibration's figures (`calib.<key>`: the run's size, the first and last generation's epsilon and
    acceptance rate, how many targets the posterior predictive reproduces) and its tables: each parameter's prior,
    weighted median and 90% interval (`calibration_posterior`), and each target's band against the posterior
    predictive runs (`calibration_targets`)."""
    from experiments.calibration import weighted_quantiles  # here: the other figures need no calibration code

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    gens = pd.read_parquet(folder / "generations.parquet")
    post = pd.read_parquet(folder / "posterior.parquet")
    targets = pd.read_parquet(folder / "targets.parquet")
    first, last = gens.iloc[0], gens.iloc[-1]
    inside = targets["predictive_share_inside"]
    figures = {"calib.population_size": n0(manifest["population_size"]), "calib.generations": n0(len(gens)),
               "calib.evaluations": n0(gens["evaluations"].sum()), "calib.params": n0(len(manifest["params"])),
               "calib.targets": n0(len(targets)),
               "calib.first_epsilon": f"{first['epsilon']:.3g}", "calib.first_acceptance": n2(first["acceptance_rate"]),
               "calib.last_epsilon": f"{last['epsilon']:.3g}", "calib.last_acceptance": n2(last["acceptance_rate"]),
               "calib.predictive_runs": n0(manifest["predictive_runs"]),
               "calib.minutes": n0(sum((datetime.fromisoformat(x["end"]) - datetime.fromisoformat(x["start"]))
                                       .total_seconds() for x in manifest["sessions"]) / 60),
               "calib.workers": n0(manifest["sessions"][-1]["executor"]["workers"]),
               "calib.targets_mostly_inside": n0((inside >= 0.9).sum()),
               "calib.targets_half_inside": n0((inside < 0.5).sum())}
    scenario = scenarios.load(manifest["scenario"]["label"])
    for par in manifest["params"]:  # the shipped defaults, as docs/odd.md quotes them (`default.<key>`)
        section, name = par["key"].split(".")
        figures[f"default.{par['key']}"] = f"{getattr(getattr(scenario, section), name):.3g}"
    figures["default.online.psych_sessions_at_3000"] = f"{scenario.online.psych_sessions_per_1000 * 3:.3g}"
    w = post["weight"].to_numpy()
    rows = ["| parameter | prior | posterior median (the default) | 90% interval | interval / prior |",
            "|---|---|---|---|---|"]
    for par in manifest["params"]:
        lo, med, hi = weighted_quantiles(post[par["key"]].to_numpy(), w, [0.05, 0.5, 0.95])
        rows.append(f"| `{par['key']}` | {par['prior']} {par['low']:.3g}-{par['high']:.3g} | {med:.3g} | "
                    f"{lo:.3g}-{hi:.3g} | {(hi - lo) / (par['high'] - par['low']):.0%} |")
    trows = ["| target | confidence | band | predictive median | predictive runs inside |", "|---|---|---|---|---|"]
    for _, t in targets.iterrows():
        if t["kind"] == "fact":
            band, median = "holds", "-"
        else:
            band, median = f"{t['low']:.3g}-{t['high']:.3g}", f"{t['predictive_median']:.3g}"
        trows.append(f"| `{t['name']}` | {t['confidence']} | {band} | {median} | {t['predictive_share_inside']:.0%} |")
    return figures, {"calibration_posterior": "\n".join(rows), "calibration_targets": "\n".join(trows)}


PRESETS = ROOT / "docs" / "findings" / "presets.csv"
POSTERIOR = ROOT / "docs" / "findings" / "posterior.csv"
PRESET_FIGURES = {  # (preset, summary key) -> the README's form (tests/test_readme_findings.py checks it)
    **{(p, "unmet_need_days"): "{:,.0f}" for p in ("no_linkage", "internal", "three_social", "wuhan_2020",
                                                   "categorized_recruitment", "open_recruitment")},
    **{(p, "equity_ratio"): "{:.2f}" for p in ("external", "no_linkage", "wuhan_2020", "emergency_online",
                                                "three_social")},
    **{(p, "volunteer_coordinator_overload_days"): "{:.1f}" for p in ("open_recruitment", "categorized_recruitment")},
}
POSTERIOR_FIGURES = {  # (scenario, summary key) -> the README's form of the paired difference from cadres alone
    **{(p, "unmet_need_days"): "{:,.0f}" for p in ("internal", "external", "three_social", "wuhan_2020")},
    ("external", "equity_ratio"): "{:+.3f}", ("external", "critical_failures"): "{:+.2f}",
    ("categorized_recruitment", "equity_ratio"): "{:+.4f}",
}


def findings() -> dict[str, str]:
    """The README's figures from the findings pages: preset means (`presets.<preset>.<key>`), and over the
    calibration's posterior the paired differences from cadres alone (`posterior.<scenario>.<key>`; a cut of unmet
    need-days as its size, `.cut`) with the share of parameter sets that agree on the sign (`.share`)."""
    table = pd.read_csv(PRESETS).set_index("scenario")
    figures = {f"presets.{p}.{k}": form.format(table.loc[p, f"{k}_mean"]) for (p, k), form in PRESET_FIGURES.items()}
    posterior = pd.read_csv(POSTERIOR).set_index(["scenario", "key"])
    for (p, k), form in POSTERIOR_FIGURES.items():
        row = posterior.loc[(p, k)]
        name = f"posterior.{p}.{k}"
        if k == "unmet_need_days":
            figures[f"{name}.cut"] = form.format(-row["mean_diff"])
        else:
            figures[name] = form.format(row["mean_diff"])
        figures[f"{name}.share"] = f"{row['sign_share']:.0%}"
    return figures


def read() -> tuple[dict[str, str], dict[str, str]]:
    """Every figure and table of this module."""
    figures, tables = {}, {}
    for short, path in COMPARISONS.items():
        more, table = policies(path, short)
        figures.update(more)
        tables.update(table)
    figures.update(jianghan_preset())
    figures.update(bench())
    for source in (calibration_bench, calibration):
        more, table = source()
        figures.update(more)
        tables.update(table)
    figures.update(findings())
    return figures, tables
