"""Check that a change leaves every result as it was: save the daily series of every preset, change the code, save
again, compare. Speed work on the model must pass this (every column of every day identical, to the last bit).

    python benchmarks/same_results.py save before.parquet          # at the code before the change
    python benchmarks/same_results.py save after.parquet           # after it
    python benchmarks/same_results.py compare before.parquet after.parquet
    python benchmarks/same_results.py compare before.parquet after.parquet --rtol 1e-12   # rounding allowed

`save` runs every preset with seeds 0 and 1 at 2,000 households, `three_social`, `wuhan_2020` and `no_linkage` at
10,000 households (seed 7), and `wuhan_2020` with needs triage and with each targeting mode (seed 3, 3,000
households): 90 days each, about ten seconds in all. `compare` exits 1 and names the runs and columns that differ;
with `--rtol`, float columns that differ only within that relative tolerance (the last bits of a sum taken in
another order) are named but do not count as different; with `--common`, only the columns both files have are
compared (for a change that adds columns).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import scenarios  # noqa: E402
import simulation  # noqa: E402


def runs() -> list[tuple[str, str, int, int, dict]]:
    """(label, preset, seed, households, overrides) of every run compared."""
    found = [(f"{name}/seed{seed}", name, seed, 2000, {}) for name in scenarios.names() for seed in (0, 1)]
    found += [(f"{name}/10000", name, 7, 10_000, {}) for name in ("three_social", "wuhan_2020", "no_linkage")]
    for override in ({"triage.enabled": True}, {"external.targeting": "need"}, {"external.targeting": "equal"}):
        key, value = next(iter(override.items()))
        found.append((f"wuhan_2020/{key}={value}", "wuhan_2020", 3, 3000, override))
    return found


def save(path: Path) -> None:
    frames = []
    for label, name, seed, households, overrides in runs():
        daily = simulation.run(name, seed=seed, households=households, days=90, **overrides).daily
        frames.append(daily.assign(run=label))
    pd.concat(frames, ignore_index=True).to_parquet(path)
    print(f"{len(frames)} runs saved to {path}")


def compare(before: Path, after: Path, rtol: float = 0.0, common: bool = False) -> int:
    a, b = pd.read_parquet(before), pd.read_parquet(after)
    if common:  # only the columns both have: a change that adds columns
        added = [c for c in b.columns if c not in a.columns]
        print(f"comparing the {len(a.columns)} columns of {before.name}; new in {after.name}: {len(added)}")
        b = b[[c for c in b.columns if c in a.columns]]
        a = a[[c for c in b.columns]]
    differ, rounding = [], set()
    for label in a["run"].unique():
        x, y = a[a["run"] == label].reset_index(drop=True), b[b["run"] == label].reset_index(drop=True)
        if x.shape != y.shape or list(x.columns) != list(y.columns):
            differ.append(f"{label}: shape or columns differ")
            continue
        columns = []
        for c in x.columns:
            if x[c].equals(y[c]):
                continue
            if rtol > 0 and pd.api.types.is_float_dtype(x[c]) and np.allclose(x[c], y[c], rtol=rtol, atol=0.0):
                rounding.add(c)
            else:
                columns.append(c)
        if columns:
            differ.append(f"{label}: {', '.join(columns[:6])}{' ...' if len(columns) > 6 else ''}")
    if rounding:
        print(f"within rtol {rtol:g} (rounding only): {', '.join(sorted(rounding))}")
    if differ:
        print("DIFFERENT:\n  " + "\n  ".join(differ))
        return 1
    exact = "every column of every day" if not rounding else "every other column of every day"
    print(f"identical: {a['run'].nunique()} runs, {exact}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("save", help="run every case and save the daily series").add_argument("path", type=Path)
    cmp = sub.add_parser("compare", help="compare two saved files")
    cmp.add_argument("before", type=Path)
    cmp.add_argument("after", type=Path)
    cmp.add_argument("--common", action="store_true",
                     help="compare only the columns both files have (for a change that adds columns)")
    cmp.add_argument("--rtol", type=float, default=0.0,
                     help="let float columns differ by this relative tolerance (rounding), named but not failing")
    args = parser.parse_args(argv)
    if args.command == "save":
        save(args.path)
        return 0
    return compare(args.before, args.after, args.rtol, args.common)


if __name__ == "__main__":
    sys.exit(main())
