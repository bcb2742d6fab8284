"""A plan: every run of an experiment, each identified by (design point, replication) and seeded from that identity.

A point is a resolved scenario (by index into `scenarios`) plus the factor values it sets. Run `r` of point `p` has
the run id `p * replications + r`; its seed comes from the root seed and (p, r), or from r alone with common random
numbers (always so in a comparison: replication r of every scenario runs on the same seed).

Nothing is listed per run or per point: a run's task is derived from its id, a point from the design (a grid's value
lists, a sampler's matrix), so a plan of millions of runs costs what its definition costs, in memory and in the
manifest. A sampled design's matrix is stored beside the manifest, in `design.parquet`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import scenarios
from experiments import design as designs
from experiments.design import GridPoints, ListPoints, MatrixPoints, Points
from experiments.errors import ExperimentError
from experiments.posterior import Posterior
from experiments.seeds import run_seed
from experiments.spec import MAX_REPLICATIONS, Experiment, _coerce, canonical_keys, load_spec, read_spec

DEFAULT_ROOT_SEED = 20200123
MATRIX_FILE = "design.parquet"
MAX_MATRIX_BYTES = 1 << 30   # a sampled design's matrix (float64) beyond this is refused before it is drawn
FINGERPRINT_VERSION = 2


@dataclass
class Plan:
    kind: str                       # "compare", "sweep" or "sensitivity"
    name: str
    scenarios: list[dict]           # resolved scenarios, model_dump(mode="json")
    labels: list[str]               # one label per scenario (as given on the command line)
    points: Points                  # {"scenario": index, "values": {factor: value}} each, derived on demand
    factors: list[str]
    replications: int
    root_seed: int
    common_random_numbers: bool
    daily: bool
    method: str | None = None       # design method (grid, lhs, sobol, morris); None for a comparison
    matrix: np.ndarray | None = None
    problem: dict | None = None
    levels: int | None = None
    experiment: dict | None = None  # the experiment file as given (spec fields), for the manifest
    experiment_text: str = ""
    experiment_file: str | None = None
    posterior: dict | None = None   # a calibration's posterior (`Posterior.to_dict`): each replication draws a set

    def __post_init__(self) -> None:
        if not isinstance(self.points, Points):
            self.points = ListPoints(list(self.points), self.factors)
        if self.matrix is not None and not isinstance(self.matrix, np.ndarray):
            self.matrix = np.asarray(self.matrix, dtype=np.float64)

    @property
    def n_runs(self) -> int:
        return len(self.points) * self.replications

    def seed(self, point: int, rep: int) -> int:
        return run_seed(self.root_seed, point, rep, common=self.common_random_numbers)

    def identity(self, run: int) -> tuple[int, int]:
        return divmod(run, self.replications)

    def task(self, run: int) -> dict:
        point, rep = self.identity(run)
        spec = self.points[point]
        overrides = dict(spec["values"])
        if self.posterior is not None:
            overrides.update(self.drawn(rep))
        return {"run": run, "point": point, "rep": rep, "seed": self.seed(point, rep),
                "scenario": self.scenarios[spec["scenario"]], "overrides": overrides, "daily": self.daily}

    def drawn(self, rep: int) -> dict:
        """The parameter set replication `rep` draws from the posterior (the same for every point)."""
        return Posterior.from_dict(self.posterior).draw(self.root_seed, rep)

    def point_columns(self, point: int) -> dict:
        """The columns every daily part of `point` carries: its factor values (a comparison: its scenario)."""
        if self.kind == "compare":
            return {"scenario": self.label(point)}
        return dict(self.points[point]["values"])

    def label(self, point: int) -> str:
        return self.labels[self.points[point]["scenario"]]

    def fingerprint(self) -> str:
        """What must match for a folder's results to belong to this experiment (resume): the design by its
        definition (a grid's value lists, a hash of a sampler's matrix), never point by point."""
        ident = {"version": FINGERPRINT_VERSION, "kind": self.kind, "scenarios": self.scenarios,
                 "points": self._points_ident(), "factors": self.factors, "replications": self.replications,
                 "root_seed": self.root_seed, "common_random_numbers": self.common_random_numbers,
                 "daily": self.daily, "method": self.method}
        if self.posterior is not None:
            ident["posterior"] = self.posterior
        text = json.dumps(ident, sort_keys=True, ensure_ascii=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def legacy_fingerprint(self) -> str:
        """The fingerprint of folders written before the design was stored by its definition (every point
        listed); only computed to resume such a folder, whose points were few enough to be listed."""
        ident = {"kind": self.kind, "scenarios": self.scenarios, "points": list(self.points),
                 "factors": self.factors, "replications": self.replications, "root_seed": self.root_seed,
                 "common_random_numbers": self.common_random_numbers, "daily": self.daily, "method": self.method}
        text = json.dumps(ident, sort_keys=True, ensure_ascii=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def with_replications(self, replications: int) -> Plan:
        """The same experiment with another number of replications (its points and seeds unchanged)."""
        return dataclasses.replace(self, replications=replications)

    def grows(self, manifest: dict) -> bool:
        """Whether a folder's experiment is this one with fewer replications, so that its runs, which have the
        same (point, replication) and so the same seeds, are reused once renumbered."""
        design = manifest.get("design", {})
        old = design.get("replications")
        return ("fingerprint_version" in design and isinstance(old, int) and 1 <= old < self.replications
                and manifest.get("fingerprint") == self.with_replications(old).fingerprint())

    def _points_ident(self) -> dict:
        if isinstance(self.points, GridPoints):
            return {"grid": self.points.levels}
        if isinstance(self.points, MatrixPoints):
            return {"matrix_sha256": self.matrix_sha256(), "shape": list(self.points.matrix.shape),
                    "kinds": self.points.kinds}
        return {"list": self.points.to_list()}

    def matrix_sha256(self) -> str:
        return hashlib.sha256(self.points.matrix.tobytes()).hexdigest()

    def matrix_table(self):
        """The sampler's matrix as a table (one float64 column per factor), stored as design.parquet; None for a
        design without one."""
        if not isinstance(self.points, MatrixPoints):
            return None
        import pyarrow as pa

        m = self.points.matrix
        return pa.table({f: m[:, j] for j, f in enumerate(self.factors)})

    def default_out(self) -> Path:
        return Path("results") / _slug(self.name if self.kind != "sensitivity" else f"{self.name}-{self.method}")

    def to_dict(self) -> dict:
        """The design for the manifest: the points by their definition (grid value lists; the name and hash of the
        matrix file of a sampled design; the list itself for a comparison's few scenarios)."""
        out = {"kind": self.kind, "name": self.name, "labels": self.labels, "factors": self.factors,
               "replications": self.replications, "root_seed": self.root_seed,
               "common_random_numbers": self.common_random_numbers, "daily": self.daily, "method": self.method,
               "problem": self.problem, "levels": self.levels, "n_points": len(self.points),
               "fingerprint_version": FINGERPRINT_VERSION}
        if self.posterior is not None:
            out["posterior"] = self.posterior
        if isinstance(self.points, GridPoints):
            out["grid"] = self.points.levels
        elif isinstance(self.points, MatrixPoints):
            out.update(kinds=self.points.kinds, matrix_file=MATRIX_FILE, matrix_sha256=self.matrix_sha256())
        else:
            out["points"] = self.points.to_list()
        return out

    @classmethod
    def from_manifest(cls, manifest: dict, folder: str | Path | None = None) -> Plan:
        """The plan of a results folder's manifest (`folder` holds a sampled design's matrix file)."""
        design = manifest["design"]
        factors = design["factors"]
        matrix = None
        if "grid" in design:
            points: Points = GridPoints(factors, design["grid"])
        elif "matrix_file" in design:
            matrix = _read_matrix(Path(folder or "."), design, factors)
            points = MatrixPoints(factors, design["kinds"], matrix)
        else:  # every point listed (comparisons, and folders written before designs were stored compactly)
            points = ListPoints(design["points"], factors)
            if design.get("matrix") is not None:
                matrix = np.asarray(design["matrix"], dtype=np.float64)
        return cls(kind=design["kind"], name=design["name"],
                   scenarios=[s["resolved"] for s in manifest["scenarios"]], labels=design["labels"],
                   points=points, factors=factors, replications=design["replications"],
                   root_seed=design["root_seed"], common_random_numbers=design["common_random_numbers"],
                   daily=design["daily"], method=design["method"], matrix=matrix,
                   problem=design.get("problem"), levels=design.get("levels"),
                   experiment=manifest.get("experiment"), experiment_text=manifest.get("experiment_text", ""),
                   experiment_file=manifest.get("experiment_file"), posterior=design.get("posterior"))


MAX_DIFFERENCES_SHOWN = 6


def differences(manifest: dict, plan: Plan) -> list[str]:
    """What differs between the experiment stored in a folder and `plan`, field by field ("field 'root_seed': 5 ->
    6"): the experiment file's fields when both have one, else the design's and the resolved scenarios'."""
    out = []
    old_exp, new_exp = manifest.get("experiment"), plan.experiment
    if isinstance(old_exp, dict) and isinstance(new_exp, dict):
        old_flat, new_flat = _flat(old_exp), _flat(new_exp)
        out = [_change(k, old_flat.get(k, _ABSENT), new_flat.get(k, _ABSENT))
               for k in dict.fromkeys([*old_flat, *new_flat])
               if k not in ("name", "description") and old_flat.get(k, _ABSENT) != new_flat.get(k, _ABSENT)]
    if not out:
        old, new = manifest.get("design", {}), plan.to_dict()
        out = [_change(k, old.get(k, _ABSENT), new.get(k, _ABSENT))
               for k in ("kind", "factors", "replications", "root_seed", "common_random_numbers", "daily", "method",
                         "levels", "grid", "n_points")
               if old.get(k, _ABSENT) != new.get(k, _ABSENT)]
        stored = [s.get("resolved") for s in manifest.get("scenarios", [])]
        if len(stored) != len(plan.scenarios):
            out.append(_change("scenarios", [s.get("label") for s in manifest.get("scenarios", [])], plan.labels))
        else:
            for label, a, b in zip(plan.labels, stored, plan.scenarios):
                fa, fb = _flat(a or {}), _flat(b)
                out += [_change(f"{k}' of scenario '{label}", fa.get(k, _ABSENT), fb.get(k, _ABSENT))
                        for k in dict.fromkeys([*fa, *fb]) if fa.get(k, _ABSENT) != fb.get(k, _ABSENT)]
    if len(out) > MAX_DIFFERENCES_SHOWN:
        out = [*out[:MAX_DIFFERENCES_SHOWN], f"and {len(out) - MAX_DIFFERENCES_SHOWN} more"]
    return out


_ABSENT = "(not set)"


def _flat(value, prefix: str = "") -> dict:
    """A nested dict as dotted keys; lists of named tables (phases) by name, other lists as values."""
    if isinstance(value, list) and value and all(isinstance(v, dict) and "name" in v for v in value):
        value = {v["name"]: {k: x for k, x in v.items() if k != "name"} for v in value}
    if not isinstance(value, dict) or not value or set(value) & {"low", "high", "values"} and prefix.startswith(
            "factors."):
        return {prefix[:-1]: value}
    out = {}
    for key, item in value.items():
        out.update(_flat(item, f"{prefix}{key}."))
    return out


def _change(key: str, old, new) -> str:
    def show(v) -> str:
        text = v if v is _ABSENT else json.dumps(v, ensure_ascii=False, default=str)
        return text if len(text) <= 60 else text[:57] + "..."

    return f"field '{key}': {show(old)} -> {show(new)}"


def _read_matrix(folder: Path, design: dict, factors: list[str]) -> np.ndarray:
    import pyarrow.parquet as pq

    path = folder / design["matrix_file"]
    try:
        table = pq.read_table(path)
        matrix = np.column_stack([table.column(f).to_numpy() for f in factors]).astype(np.float64)
    except FileNotFoundError:
        raise ExperimentError(f"{path}: missing; this results folder's design matrix is stored there. Restore the "
                              "file, or run the experiment afresh in a new --out folder.") from None
    except Exception as exc:  # noqa: BLE001 - any unreadable file gets the same message
        raise ExperimentError(f"{path}: cannot be read ({type(exc).__name__}: {exc}); restore the file, or run the "
                              "experiment afresh in a new --out folder.") from None
    matrix = np.ascontiguousarray(matrix)
    if hashlib.sha256(matrix.tobytes()).hexdigest() != design.get("matrix_sha256"):
        raise ExperimentError(f"{path}: does not hold this experiment's design (its hash differs from the one in "
                              "manifest.json); restore the file, or run the experiment afresh in a new --out folder.")
    return matrix


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
                 overrides: dict | None = None, daily: bool = True, name: str | None = None,
                 posterior=None) -> Plan:
    """Every scenario in `sources` (presets, paths or Scenarios) on the same seeds: replication r runs seed r
    (with `posterior`, a calibration folder: at the parameter set replication r draws from its posterior)."""
    if len(sources) < 1:
        raise ExperimentError("compare: give at least one scenario (two or more to compare them).")
    _check_reps(replications, "--reps")
    overrides = canonical_keys(overrides or {}, where="overrides")
    resolved = []
    for source in sources:
        s = scenarios.load(source)
        if overrides:
            where = s.name if isinstance(source, scenarios.Scenario) else str(source)
            s = scenarios.apply_overrides(s, _coerce(s, overrides), label=f"{where}, overridden on the command line")
        resolved.append(s.model_dump(mode="json"))
    labels = _labels(sources)
    drawn = _posterior(posterior, resolved, labels, set(overrides), "--set")
    return Plan(kind="compare", name=name or "compare-" + "-".join(labels), scenarios=resolved, labels=labels,
                points=[{"scenario": i, "values": {}} for i in range(len(resolved))], factors=[],
                replications=replications, root_seed=root_seed, common_random_numbers=True, daily=daily,
                posterior=drawn)


MAX_POSTERIOR_CHECKED = 50   # posterior parameter sets tried on each scenario before any run


def _posterior(source, resolved: list[dict], labels: list[str], given: set, where: str) -> dict | None:
    """The posterior of a calibration folder as a plan holds it, checked: no key also set by `where`, and its
    parameter sets allowed in every scenario (so no run fails on them)."""
    if source is None:
        return None
    post = source if isinstance(source, Posterior) else Posterior.load(source)
    both = sorted(set(post.keys) & given)
    if both:
        raise ExperimentError(f"--posterior {post.folder}: {', '.join(both)} also set by {where}; the posterior "
                              "draws these parameters. Fix: remove them from one or the other.")
    rows = range(len(post.values)) if len(post.values) <= MAX_POSTERIOR_CHECKED else np.linspace(
        0, len(post.values) - 1, MAX_POSTERIOR_CHECKED).astype(int)
    for label, scenario in zip(labels, resolved):
        base = scenarios.load(scenario)
        for j in rows:
            values = {k: int(round(v)) if kind == "int" else float(v)
                      for k, kind, v in zip(post.keys, post.kinds, post.values[int(j)])}
            try:
                scenarios.apply_overrides(base, values, label="posterior")
            except scenarios.ScenarioError as exc:
                raise ExperimentError(f"--posterior {post.folder}: its parameter set {int(j)} is not allowed in "
                                      f"scenario '{label}': {str(exc).removeprefix('posterior: ')} Fix: calibrate "
                                      "parameters that this scenario has, or compare other scenarios.") from None
    return post.to_dict()


def _check_reps(reps, option: str) -> None:
    if not isinstance(reps, int) or isinstance(reps, bool) or not 1 <= reps <= MAX_REPLICATIONS:
        raise ExperimentError(f"{option} {reps!r}: the number of replications must be an integer from 1 to "
                              f"{MAX_REPLICATIONS:,} (the cap on an experiment file's replications too).")


def experiment_plan(source, kind: str = "sweep", method: str | None = None, posterior=None) -> Plan:
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
    _check_matrix_size(spec, exp.factors, exp.label)
    d = designs.build(design_method, exp.factors, exp.spec.samples, spec.root_seed, levels=spec.levels)
    check_points(exp, d.points)
    base = exp.base.model_dump(mode="json")
    drawn = _posterior(posterior, [base], [exp.base.name], set(d.factors) | set(spec.overrides),
                       "the experiment file's factors or overrides")
    return Plan(kind=kind, name=spec.name, scenarios=[base], labels=[exp.base.name], posterior=drawn,
                points=d.points, factors=d.factors,
                replications=spec.replications, root_seed=spec.root_seed,
                common_random_numbers=spec.common_random_numbers, daily=spec.daily, method=design_method,
                matrix=d.matrix, problem=d.problem, levels=d.levels,
                experiment={**spec.model_dump(mode="json"), "factors": {f.key: f.describe() for f in exp.factors}},
                experiment_text=exp.text, experiment_file=exp.path)


MAX_POINTS_CHECKED = 5_000    # design points validated before any run (evenly spread beyond this many)
MAX_BAD_POINTS_SHOWN = 3


def check_points(exp: Experiment, points: Points) -> None:
    """Refuse a design with points the schema does not allow (a value inside a range may be, as `prices.cap` in
    (0, 1), or two factors together), before any run starts: such runs would fail, on every resume again."""
    n = len(points)
    if not n or not exp.factors:
        return
    picks = range(n) if n <= MAX_POINTS_CHECKED else sorted(
        {int(i * n / MAX_POINTS_CHECKED) for i in range(MAX_POINTS_CHECKED)} | {n - 1})
    bad: list[tuple[int, dict, str]] = []
    verdicts: dict[tuple, str | None] = {}
    candidates = ((i, points[i]["values"]) for i in picks)
    if isinstance(points, GridPoints) and n > len(picks):  # each factor's every level too, on its own
        singles = [(None, {f: v}) for f, levels in zip(points.factors, points.levels) for v in levels]
        candidates = itertools.chain(singles[:MAX_POINTS_CHECKED], candidates)
    for i, values in candidates:
        ident = tuple(values.items())
        if ident not in verdicts:
            try:
                scenarios.apply_overrides(exp.base, values, label="design point")
                verdicts[ident] = None
            except scenarios.ScenarioError as exc:
                verdicts[ident] = str(exc).removeprefix("design point: ")
        if verdicts[ident] is not None:
            bad.append((i, values, verdicts[ident]))
    if not bad:
        return
    named = [f for f in exp.spec.factors if any(f in why for _, _, why in bad)] or list(exp.spec.factors)
    fields = ", ".join(f"factors.\"{f}\"" for f in named)
    checked = "" if len(picks) == n else f" (of the {len(picks):,} checked)"
    verb = "is" if len(bad) == 1 else "are"
    lines = [f"{exp.label}: field '{fields}': {len(bad):,} of {n:,} design points{checked} {verb} not allowed by the "
             "scenario schema, so their runs would fail. Fix: narrow the range (or give a list of allowed values) so "
             "that every point is a valid scenario (docs/scenario-reference.md gives each field's limits). "
             "For example:"]
    for i, values, why in bad[:MAX_BAD_POINTS_SHOWN]:
        setting = ", ".join(f"{k} = {scenarios.toml_value(v)}" for k, v in values.items())
        lines.append(f"  {'a level' if i is None else f'point {i}'} ({setting}): {why}")
    raise ExperimentError("\n".join(lines))


def _check_matrix_size(spec, factors: list, label: str) -> None:
    """Refuse a sampled design whose matrix could not be held, before the sampler draws it."""
    if spec.design == "grid" or not spec.samples:
        return
    d = len(factors)
    points = spec.samples * {"lhs": 1, "sobol": d + 2, "morris": d + 1}[spec.design]
    size = points * d * 8
    if size > MAX_MATRIX_BYTES:
        most = MAX_MATRIX_BYTES // (8 * d * (points // spec.samples))
        raise ExperimentError(
            f"{label}: field 'samples': a {spec.design} design of {spec.samples:,} samples over {d} factors has "
            f"{points:,} points, whose matrix would take {size / 1e9:.1f} GB (at most {MAX_MATRIX_BYTES / 1e9:.1f} "
            f"GB); give at most {most:,} samples, or fewer factors.")
