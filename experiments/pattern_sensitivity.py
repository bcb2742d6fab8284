"""Do the stylized facts still hold at the ends of the assumed parameters' ranges?

For each assumed parameter below (its range is the one documented in the scenario reference, or, where the
source gives a figure rather than a range, the one stated here), the script sets it to the low and to the high
end — in every scenario of a pattern alike — and checks each pattern of the model's validation (docs/sources.md,
"Patterns the model must reproduce") over a few seeds, with the criteria the tests use (experiments/patterns.py).
It writes a Markdown table: a pattern holds at a setting when it holds in every seed.

    python -m experiments.pattern_sensitivity --seeds 3 --write docs/sensitivity.md

Runs go to local processes (`--workers`, default all cores). Each run is independent and seeded by (seed), so the
table is the same whatever the number of workers.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import multiprocessing
import os
import time
from pathlib import Path

from experiments import patterns
from simulation import CommunityModel

PARAMETERS: dict[str, tuple[float, float]] = {
    "volunteers.attrition": (0.005, 0.02),  # sources: 0.5-2% a day (L)
    "volunteers.open_multiplier": (2.0, 5.0),
    "volunteers.overload_attrition": (1.0, 5.0),
    "volunteers.vetting_hours_open": (0.5, 1.5),
    "volunteers.willing_share": (0.05, 0.3),
    "reporting.online_prob": (0.5, 0.9),
    "reporting.call_prob": (0.1, 0.5),
    "reporting.neighbour_prob": (0.02, 0.15),
    "cadres.food_hours": (0.3, 1.0),
    "needs.supplies_rate": (0.01, 0.06),
    "phases.full_closure.hospital_access": (0.3, 1.0),
}

#: The patterns' numbers and what must hold (experiments/patterns.py has each one's criterion).
PATTERNS: dict[str, str] = {key: pattern.holds for key, pattern in patterns.PATTERNS.items()}


def _model(name, seed, overrides):
    model = CommunityModel(scenario=name, rng=seed, **overrides)
    while model.running:
        model.step()
    return model


def _pattern(key: str, seed: int, overrides: dict) -> bool:
    """Whether pattern `key` holds in one seed, with `overrides` applied to every scenario it compares: the runs
    the page gives each pattern, judged by its criterion (experiments/patterns.py)."""
    o = overrides
    if key == "1":
        return bool(patterns.backlog_peaks_in_closure(_model("wuhan_2020", seed, o).daily()))
    if key == "2":
        m = _model("no_linkage", seed, o)
        return bool(patterns.hidden_needs_gather_offline_elderly(m.daily(), m.households))
    if key == "3":
        return bool(patterns.medical_needs_wait_longer(_model("wuhan_2020", seed, o).daily()))
    if key == "4":
        do, dc = (_model(n, seed, o).daily() for n in ("open_recruitment", "categorized_recruitment"))
        return bool(patterns.open_call_overloads_the_coordinator(do, dc))
    if key == "5":
        weak, strong = (_model(n, seed, o) for n in ("weak_mass_base", "strong_mass_base"))
        return bool(patterns.strong_mass_base_mobilises_more(weak, strong))
    if key == "6":
        idle = _model("leader_inactive", seed, o).daily()
        acting = _model("leader_inactive", seed, {**o, "organisations.leader_active_prob": 1.0}).daily()
        return bool(patterns.inactive_leaders_lower_activation(idle, acting))
    if key == "7":
        return bool(patterns.three_social_leaves_fewest_unmet(
            {n: _model(n, seed, o).summary() for n in patterns.LINKAGE_SCENARIOS}))
    if key == "8":
        short = {}
        for targeting in ("first_come", "need"):
            m = CommunityModel(rng=seed, households=1000, days=45, **o,
                               **{"internal.sunk_cadres_per_1000": 10.0, "external.supply_days": list(range(25, 45)),
                                  "external.supply_per_1000": 400.0, "external.targeting": targeting})
            short[targeting] = patterns.food_shortfall(m, 25)[0]
        return bool(patterns.need_targeting_narrows_the_food_gap(short["first_come"], short["need"]))
    raise KeyError(key)


def _job(args):
    key, seed, overrides = args
    try:
        return _pattern(key, seed, overrides), ""
    except Exception as exc:  # a setting the model rejects is reported, not fatal
        return None, f"{type(exc).__name__}: {exc}"


def table(seeds: int, workers: int) -> str:
    """Run every pattern at the defaults and at both ends of every parameter; the Markdown page."""
    settings = [("defaults", {})] + [(f"{p} = {v:g}", {p: v}) for p, ends in PARAMETERS.items() for v in ends]
    jobs = [(label, key, seed, overrides) for label, overrides in settings for key in PATTERNS
            for seed in range(seeds)]
    ctx = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        results = list(pool.map(_job, [(k, s, o) for _, k, s, o in jobs], chunksize=4))
    cell: dict[tuple[str, str], list] = {}
    for (label, key, _, _), (ok, err) in zip(jobs, results):
        cell.setdefault((label, key), []).append(ok)
    lines = ["# Do the patterns hold across the assumed ranges?", "",
             "*Generated by `python -m experiments.pattern_sensitivity --seeds "
             f"{seeds} --write docs/sensitivity.md`; rerun it after changing the model.*", "",
             "Each row sets one assumed parameter (see `docs/scenario-reference.md`) to an end of its range in every "
             "scenario a pattern compares; a cell says whether the pattern held in every one of "
             f"{seeds} seeds (✓), in some (~, with the count) or in none (✗). The patterns and their criteria are "
             "those of the tests (`tests/test_patterns.py`, `test_linkage.py`, `test_volunteers.py`, "
             "`test_organisations.py`, `test_external.py`, `test_wuhan.py`, `test_medical.py`), with fewer seeds.",
             "", "| pattern | what must hold |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in PATTERNS.items()]
    lines += ["", "| setting | " + " | ".join(PATTERNS) + " |", "|---" * (len(PATTERNS) + 1) + "|"]
    for label, _ in settings:
        row = []
        for key in PATTERNS:
            outcomes = cell[(label, key)]
            held = sum(1 for x in outcomes if x)
            row.append("✓" if held == len(outcomes) else ("✗" if held == 0 else f"~ {held}/{len(outcomes)}"))
        lines.append(f"| `{label}` | " + " | ".join(row) + " |")
    fragile = sorted({label for (label, key), outcomes in cell.items() if not all(outcomes)})
    lines += ["", "Reading it: a pattern that fails at an end of a range rests on that assumed figure, and the claim "
              "needs the figure before it can be made. "
              + (f"Settings where some pattern did not hold in every seed: {', '.join(f'`{x}`' for x in fragile)}."
                 if fragile else "Every pattern held at every setting.")]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--write", type=Path, default=None, help="write the page here instead of printing it")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    page = table(args.seeds, args.workers)
    if args.write:
        args.write.write_text(page, encoding="utf-8")
        print(f"wrote {args.write} in {time.perf_counter() - start:.0f} s")
    else:
        print(page)


if __name__ == "__main__":
    main()
