"""A plan: every run of an experiment, each identified by (design point, replication) and seeded from that identity.

A point is a resolved scenario (by index into `scenarios`) plus the factor values it sets. Run `r` of point `p` has
the run id `p * replications + r`; its seed comes from the root seed and (p, r), or from r alone with common random
numbers (always so in a comparison: replication r of every scenario runs on the same seed).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import scenarios
from experiments import design as designs
from experiments.errors import ExperimentError
from experiments.seeds import run_seed
from experiments.spec import MAX_REPLICATIONS, Experiment, _coerce, load_spec, read_spec

DEFAULT_ROOT_SEED = 20200123


@dataclass
class Plan:
    kind: str                       # "compare", "sweep" or "sensitivity"
    name: str
    scenarios: list[dict]           # resolved scenarios, model_dump(mode="json")
    labels: list[str]               # one label per scenario (as given on the command line)
    points: list[dict]              # {"scenario": index, "values": {factor: value}}
    factors: list[str]
    replications: int
    root_seed: int
    common_random_numbers: bool
    daily: bool
    method: str | None = None       # design method (grid, lhs, sobol, morris); None for a comparison
    matrix: list[list[float]] | None = None
    problem: dict | None = None
    levels: int | None = None
    experiment: dict | None = None  # the experiment file as given (spec fields), for the manifest
    experiment_text: str = ""
    experiment_file: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def n_runs(self) -> int:
        return len(self.points) * self.replications

    def seed(self, point: int, rep: int) -> int:
        return run_seed(self.root_seed, point, rep, common=self.common_random_numbers)

    def run_id(self, point: int, rep: int) -> int:
        return point * self.replications + rep

    def identity(self, run: int) -> tuple[int, int]:
        return divmod(run, self.replications)

    def task(self, run: int) -> dict:
        point, rep = self.identity(run)
        spec = self.points[point]
        return {"run": run, "point": point, "rep": rep, "seed": self.seed(point, rep),
                "scenario": self.scenarios[spec["scenario"]], "overrides": dict(spec["values"]),
                "daily": self.daily}

    def label(self, point: int) -> str:
        return self.labels[self.points[point]["scenario"]]

    def fingerprint(self) -> str:
        """What must match for a folder's results to belong to this experiment (resume)."""
        ident = {"kind": self.kind, "scenarios": self.scenarios, "points": self.points, "factors": self.factors,
                 "replications": self.replications, "root_seed": self.root_seed,
                 "common_random_numbers": self.common_random_numbers, "daily": self.daily, "method": self.method}
        text = json.dumps(ident, sort_keys=True, ensure_ascii=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def default_out(self) -> Path:
        return Path("results") / _slug(self.name if self.kind != "sensitivity" else f"{self.name}-{self.method}")

    def to_dict(self) -> dict:
        return {"kind": self.kind, "name": self.name, "labels": self.labels, "points": self.points,
                "factors": self.factors, "replications": self.replications, "root_seed": self.root_seed,
                "common_random_numbers": self.common_random_numbers, "daily": self.daily, "method": self.method,
                "matrix": self.matrix, "problem": self.problem, "levels": self.levels}

    @classmethod
    def from_manifest(cls, manifest: dict) -> Plan:
        design = manifest["design"]
        return cls(kind=design["kind"], name=design["name"],
                   scenarios=[s["resolved"] for s in manifest["scenarios"]], labels=design["labels"],
                   points=design["points"], factors=design["factors"], replications=design["replications"],
                   root_seed=design["root_seed"], common_random_numbers=design["common_random_numbers"],
                   daily=design["daily"], method=design["method"], matrix=design.get("matrix"),
                   problem=design.get("problem"), levels=design.get("levels"),
                   experiment=manifest.get("experiment"), experiment_text=manifest.get("experiment_text", ""),
                   experiment_file=manifest.get("experiment_file"))


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.+-]+", "_", text).strip("_.") or "experiment"


def _labels(sources: list) -> list[str]:
    out = []
    for source in sources:
        if isinstance(source, scenarios.Scenario):
            label = source.name
        elif isinstance(source, str | Path) and str(source) in scenarios.names():
            label = str(source)
        else:
            label = Path(source).stem
        out.append(label)
    seen: dict[str, int] = {}
    unique = []
    for label in out:
        seen[label] = seen.get(label, 0) + 1
        unique.append(label if seen[label] == 1 else f"{label}#{seen[label]}")
    return unique


def compare_plan(sources: list, replications: int = 10, root_seed: int = DEFAULT_ROOT_SEED,
                 overrides: dict | None = None, daily: bool = True, name: str | None = None) -> Plan:
    """Every scenario in `sources` (presets, paths or Scenarios) on the same seeds: replication r runs seed r."""
    if len(sources) < 1:
        raise ExperimentError("compare: give at least one scenario (two or more to compare them).")
    _check_reps(replications, "--reps")
    resolved = []
    for source in sources:
        s = scenarios.load(source)
        if overrides:
            where = s.name if isinstance(source, scenarios.Scenario) else str(source)
            s = scenarios.apply_overrides(s, _coerce(s, overrides), label=f"{where}, overridden on the command line")
        resolved.append(s.model_dump(mode="json"))
    labels = _labels(sources)
    return Plan(kind="compare", name=name or "compare-" + "-".join(labels), scenarios=resolved, labels=labels,
                points=[{"scenario": i, "values": {}} for i in range(len(resolved))], factors=[],
                replications=replications, root_seed=root_seed, common_random_numbers=True, daily=daily)


def _check_reps(reps, option: str) -> None:
    if not isinstance(reps, int) or isinstance(reps, bool) or not 1 <= reps <= MAX_REPLICATIONS:
        raise ExperimentError(f"{option} {reps!r}: the number of replications must be an integer from 1 to "
                              f"{MAX_REPLICATIONS:,} (the cap on an experiment file's replications too).")


def experiment_plan(source, kind: str = "sweep", method: str | None = None) -> Plan:
    """The plan of an experiment file (`kind` "sweep" runs its design; "sensitivity" a Sobol or Morris design)."""
    if kind == "sensitivity":
        if method is not None and method not in ("sobol", "morris"):
            raise ExperimentError(f"--method {method!r}: sensitivity analysis is 'sobol' or 'morris'.")
        given = source.spec if isinstance(source, Experiment) else read_spec(source)[0]
        chosen = method or (given.design if given.design in ("sobol", "morris") else "sobol")
        if isinstance(source, Experiment):
            exp = source if chosen == source.spec.design else load_spec(source.spec, label=source.label,
                                                                         design=chosen)
            exp.text, exp.path = source.text, source.path
        else:
            exp = load_spec(source, design=chosen)
        if len(exp.factors) < 2:
            raise ExperimentError(f"{exp.label}: field 'factors': sensitivity analysis needs at least 2 factors "
                                  f"with ranges (got {len(exp.factors)}).")
    else:
        exp = source if isinstance(source, Experiment) else load_spec(source)
    spec = exp.spec
    design_method = spec.design
    d = designs.build(design_method, exp.factors, exp.spec.samples, spec.root_seed, levels=spec.levels)
    base = exp.base.model_dump(mode="json")
    return Plan(kind=kind, name=spec.name, scenarios=[base], labels=[exp.base.name],
                points=[{"scenario": 0, "values": v} for v in d.values], factors=d.factors,
                replications=spec.replications, root_seed=spec.root_seed,
                common_random_numbers=spec.common_random_numbers, daily=spec.daily, method=design_method,
                matrix=d.matrix, problem=d.problem, levels=d.levels,
                experiment={**spec.model_dump(mode="json"), "factors": {f.key: f.describe() for f in exp.factors}},
                experiment_text=exp.text, experiment_file=exp.path)
