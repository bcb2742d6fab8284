"""Findings: the tables the README and the ODD quote, rebuilt from runs by one command.

    python -m experiments.findings --write docs/findings        # every finding
    python -m experiments.findings --write docs/findings --only presets

Each finding is one replicated comparison through the experiments runner (common seeds from the runner's root seed,
ten replications, the default community): its Markdown table and its CSV go to `docs/findings/<name>.md` and
`<name>.csv`, headed by the command, the code version and the seeds, so a quoted figure can be traced to the runs
that made it.

- `presets`: every preset's main outcomes (means with their ranges over the seeds).
- `fidelity`: `wuhan_2020`'s response to the levers the source is about (volunteers, three-social integration,
  price stabilisation, the organised call, supervision, the crisis threshold, the online moderators): paired
  differences from the unchanged scenario with 95% intervals.
- `posterior`: the linkages' paired differences from cadres alone with each replication at a parameter set drawn
  from the shipped calibration's posterior (`calibration/wuhan_2020/`, `make calibration`), so the intervals carry
  the assumed parameters' uncertainty, with the share of sets in which each difference has the sign of its mean.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

import scenarios
from experiments.errors import ExperimentError
from experiments.plan import compare_plan
from experiments.runner import execute
from simulation.provenance import code_version

REPS = 10
ROOT = Path(__file__).resolve().parent.parent
EXIT_BAD_INPUT = 2
MAIN_KEYS = ("unmet_need_days", "hidden_need_share", "critical_failures", "mean_days_to_meet", "equity_ratio",
             "wait_ratio", "offline_wait_ratio", "cadre_overload_days", "volunteer_coordinator_overload_days")


@dataclass(frozen=True)
class Variant:
    """A scenario of a finding: a preset with overrides, under a label."""

    label: str
    preset: str
    overrides: dict = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Finding:
    name: str
    title: str
    variants: tuple[Variant, ...]  # the first is the reference of the paired differences
    kind: str  # "means": each scenario's means and ranges; "differences": paired differences from the first
    keys: tuple[str, ...] = MAIN_KEYS
    note: str = ""
    posterior: str | None = None  # a calibration folder (relative to the repository): replications draw from it


PRESETS = ("no_linkage", "emergency_online", "internal", "external", "open_recruitment", "categorized_recruitment",
           "weak_mass_base", "strong_mass_base", "leader_inactive", "three_social", "wuhan_2020")

FINDINGS: dict[str, Finding] = {f.name: f for f in (
    Finding("presets", "Every preset's main outcomes",
            tuple(Variant(p, p) for p in PRESETS), "means",
            note="Means over the replications, with the lowest and highest run in brackets."),
    Finding("fidelity", "How wuhan_2020 responds to the levers the source is about",
            (Variant("wuhan_2020", "wuhan_2020"),
             Variant("volunteers off", "wuhan_2020", {"volunteers.enabled": False}),
             Variant("integration 0", "wuhan_2020", {"organisations.integration": 0.0}),
             Variant("integration 0.49", "wuhan_2020", {"organisations.integration": 0.49}),
             Variant("integration 1", "wuhan_2020", {"organisations.integration": 1.0}),
             Variant("prices capped at 1.0", "wuhan_2020", {"prices.cap": 1.0}),
             Variant("incentives", "wuhan_2020", {"volunteers.incentives": True}),
             Variant("conflict handling", "wuhan_2020", {"volunteers.conflict_handling": True}),
             Variant("call by leaders", "wuhan_2020", {"volunteers.mode": "leaders"}),
             Variant("supervision 0.3 h", "wuhan_2020", {"volunteers.supervision_hours": 0.3}),
             Variant("crisis threshold 0.9", "wuhan_2020", {"triage.crisis_threshold": 0.9}),
             Variant("one moderator", "wuhan_2020", {"online.moderators": 1})),
            "differences", keys=MAIN_KEYS + ("mean_distress_end", "volunteers_active_peak"),
            note="Paired differences from the unchanged `wuhan_2020` over common seeds, with 95% t-intervals; "
                 "**bold** where the interval excludes 0."),
    Finding("posterior", "The linkages over the calibration's posterior",
            tuple(Variant(p, p) for p in ("no_linkage", "emergency_online", "internal", "external",
                                          "categorized_recruitment", "three_social", "wuhan_2020")),
            "differences", keys=("unmet_need_days", "critical_failures", "equity_ratio", "mean_days_to_meet"),
            posterior="calibration/wuhan_2020",
            note="Paired differences from cadres alone (`no_linkage`) over common seeds; replication r of every "
                 "scenario runs at the parameter set it draws from the posterior of `calibration/wuhan_2020` "
                 "(`make calibration`), so the 95% t-intervals carry the calibrated parameters' uncertainty. "
                 "**Bold** where the interval excludes 0; after it, the share of parameter sets in which the "
                 "difference has the sign of its mean (`sign_share`)."),
)}


def _scenario(variant: Variant):
    base = scenarios.load(variant.preset)
    changed = scenarios.apply_overrides(base, variant.overrides, label=variant.label) if variant.overrides else base
    return changed.model_copy(update={"name": variant.label})


def _num(x: float) -> str:
    if x != x:
        return "–"
    if abs(x) >= 100 or float(x).is_integer():
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def _size(overrides: dict | None) -> str:
    if not overrides:
        return "the default community of each preset"
    return "with " + ", ".join(f"`{k}` = {v}" for k, v in overrides.items())


def build(finding: Finding, reps: int = REPS, workers: int | None = None, root: Path | None = None,
          quiet: bool = True, overrides: dict | None = None) -> tuple[str, pd.DataFrame]:
    """Run a finding and return its Markdown page and its table (`overrides`, e.g. a smaller community, apply to
    every scenario)."""
    plan = compare_plan([_scenario(v) for v in finding.variants], replications=reps, daily=False,
                        name=f"findings-{finding.name}", overrides=overrides,
                        posterior=ROOT / finding.posterior if finding.posterior else None)
    with tempfile.TemporaryDirectory(prefix="findings-") as tmp:
        result = execute(plan, (root or Path(tmp)) / finding.name, workers=workers, quiet=quiet, figures=False)
    failed = result.runs[result.runs["status"] != "ok"]
    if len(failed):
        raise ExperimentError(f"findings {finding.name}: {len(failed)} run(s) failed, e.g. "
                              f"{failed.iloc[0]['error']}")
    keys = [k for k in finding.keys if k in set(result.runs.columns)]
    lines = [f"# {finding.title}", "",
             f"*Generated by `python -m experiments.findings --write docs/findings --only {finding.name}` at code "
             f"{code_version()}: {reps} replications per scenario on common seeds (root seed "
             f"{plan.root_seed}), {_size(overrides)}. {finding.note}*", ""]
    if finding.kind == "means":
        runs = result.runs
        table = (runs.groupby("scenario", sort=False)[keys].agg(["mean", "min", "max"]))
        lines += ["| scenario | " + " | ".join(f"`{k}`" for k in keys) + " |", "|---" * (len(keys) + 1) + "|"]
        for scenario, row in table.iterrows():
            cells = [f"{_num(row[(k, 'mean')])} ({_num(row[(k, 'min')])}–{_num(row[(k, 'max')])})" for k in keys]
            lines.append(f"| `{scenario}` | " + " | ".join(cells) + " |")
        out = table.copy()
        out.columns = [f"{k}_{stat}" for k, stat in out.columns]
        out = out.reset_index()
    else:
        means = result.tables["means"].set_index(["scenario", "key"])["mean"]
        diffs = result.tables["differences"]
        diffs = diffs[diffs["key"].isin(keys)]
        reference = finding.variants[0].label
        lines += ["| scenario | " + " | ".join(f"`{k}`" for k in keys) + " |", "|---" * (len(keys) + 1) + "|",
                  f"| `{reference}` (means) | " + " | ".join(_num(means.get((reference, k), float("nan")))
                                                        for k in keys) + " |"]
        for scenario, group in diffs.groupby("scenario", sort=False):
            cells = []
            for k in keys:
                d = group[group["key"] == k]
                if not len(d):
                    cells.append("–")
                    continue
                d = d.iloc[0]
                text = (f"{'+' if d['mean_diff'] > 0 else ''}{_num(d['mean_diff'])} "
                        f"[{_num(d['ci_low'])}, {_num(d['ci_high'])}]")
                text = f"**{text}**" if d["ci_low"] > 0 or d["ci_high"] < 0 else text
                cells.append(f"{text} {d['sign_share']:.0%}" if finding.posterior else text)
            lines.append(f"| {scenario} | " + " | ".join(cells) + " |")
        out = diffs.reset_index(drop=True)
    return "\n".join(lines) + "\n", out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m experiments.findings", description=__doc__.split("\n")[0])
    parser.add_argument("--write", type=Path, help="write each finding's .md and .csv into this folder")
    parser.add_argument("--only", nargs="*", help="build only these findings")
    parser.add_argument("--reps", type=int, default=REPS, help=f"replications per scenario (default {REPS})")
    parser.add_argument("--workers", type=int, default=None, help="local worker processes (default: all cores)")
    args = parser.parse_args(argv)
    chosen = args.only or list(FINDINGS)
    unknown = [n for n in chosen if n not in FINDINGS]
    if unknown:
        print(f"error: --only {' '.join(unknown)}: no such finding; choose from {', '.join(FINDINGS)}",
              file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)
    if args.reps < 2:
        print("error: --reps: a paired interval needs at least 2 replications", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)
    try:
        for name in chosen:
            text, table = build(FINDINGS[name], reps=args.reps, workers=args.workers, quiet=False)
            if args.write:
                args.write.mkdir(parents=True, exist_ok=True)
                (args.write / f"{name}.md").write_text(text, encoding="utf-8")
                table.to_csv(args.write / f"{name}.csv", index=False)
                print(f"wrote {args.write / name}.md and .csv")
            else:
                print(text)
    except (ExperimentError, scenarios.ScenarioError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT) from None


if __name__ == "__main__":
    main()
