"""The calibration's two input files: what the model must reproduce (targets) and what may vary (parameters).

A targets file (docs/calibration.md):

    scenario = "wuhan_2020"                   # the scenario whose runs are measured (--scenario overrides it)

    [targets.calls_per_cadre_peak]
    measure = "calls_per_cadre_peak"          # a measurement of docs/targets.md (experiments/targets.py) ...
    low = 100                                 # the observed range (or value = x, with an optional scale)
    high = 200
    source = "sources: scale and people"
    confidence = "M"                          # H official, M one report, L anecdote or assumption

    [targets.unmet]
    summary = "unmet_need_days_per_1000"      # ... or a summary key ...
    value = 6000
    scale = 1000                              # the difference that counts as one unit of distance

    [targets.busiest_calls]
    column = "calls_per_cadre"                # ... or a daily column, reduced over days: mean, sum, max, min,
    stat = "max"                              #     first, last, argmax (the day of the maximum)
    days = [18, 35]                           #     (inclusive; default every day)
    per_household = false                     #     divided by the households (a share, for a count)
    low = 100
    high = 200

    [facts.backlog_peaks_in_closure]
    pattern = "1"                             # a stylized fact of experiments/patterns.py read off one run
    source = "sources: stylized fact 1"

A parameters file:

    [params."reporting.call_prob"]            # a scenario field (dotted key)
    low = 0.1                                 # the prior's range (default: the schema's range of the field)
    high = 0.5
    prior = "uniform"                         # or "loguniform"
    [params."volunteers.attrition"]           # an empty table: uniform over the schema's range

Both are checked with pydantic, then against the model (measurements, summary keys, daily columns, scenario fields
and their ranges); each problem is an `ExperimentError` naming the file, the field and the fix.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import tomllib
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

import scenarios
from experiments import patterns
from experiments import targets as sourced
from experiments.errors import ExperimentError
from experiments.spec import _MISSING, _leaf, canonical_key, leaf_keys
from scenarios.files import parse_toml, read_text, too_deep
from scenarios.reference import bounds
from simulation.keys import SUMMARY_KEYS

DEFAULT_SCENARIO = "wuhan_2020"
STATS = ("mean", "sum", "max", "min", "first", "last", "argmax")
#: Stylized facts a single run can show (their criterion reads one run's daily series); the others compare scenarios.
FACTS = {"1": patterns.backlog_peaks_in_closure, "3": patterns.medical_needs_wait_longer}
MAX_TARGETS = 200
MAX_PARAMS = 50


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class TargetSpec(_Strict):
    """One target as written."""

    measure: str | None = None
    summary: str | None = None
    column: str | None = None
    stat: Literal["mean", "sum", "max", "min", "first", "last", "argmax"] = "mean"
    days: list[int] | None = Field(None, min_length=2, max_length=2)
    per_household: bool = False
    value: float | None = None
    low: float | None = None
    high: float | None = None
    scale: float | None = Field(None, gt=0)
    weight: float = Field(1.0, gt=0, le=1000)
    source: str = ""
    confidence: Literal["H", "M", "L"] = "L"
    what: str = ""


class FactSpec(_Strict):
    """One stylized fact as written."""

    pattern: str
    weight: float = Field(1.0, gt=0, le=1000)
    source: str = ""
    confidence: Literal["H", "M", "L"] = "L"
    what: str = ""


class TargetsFile(_Strict):
    scenario: str | None = None
    description: str = ""
    targets: dict[str, TargetSpec] = Field(default_factory=dict)
    facts: dict[str, FactSpec] = Field(default_factory=dict)


class ParamSpec(_Strict):
    low: float | None = None
    high: float | None = None
    prior: Literal["uniform", "loguniform"] = "uniform"


class ParamsFile(_Strict):
    description: str = ""
    params: dict[str, ParamSpec] = Field(default_factory=dict)


_HINTS = {
    "scenario": "a preset name (see `liandong scenarios`) or the path of a scenario .toml file",
    "targets": "tables [targets.NAME] with one of measure, summary or column, and value or low and high",
    "facts": 'tables [facts.NAME] with pattern = "1" or "3"',
    "measure": f"one of {', '.join(t.key for t in sourced.TARGETS)}",
    "stat": ", ".join(STATS),
    "days": "[first, last], two day numbers",
    "value": "a number",
    "low": "a number", "high": "a number",
    "scale": "a positive number: the difference that counts as one unit of distance",
    "weight": "a positive number (default 1)",
    "confidence": "H (official figure), M (one report) or L (anecdote or assumption)",
    "prior": "uniform or loguniform",
    "params": 'tables [params."section.field"] with optional low, high and prior',
    "pattern": f"one of {', '.join(FACTS)} (the stylized facts one run can show)",
    "per_household": "true or false",
}


# --- the resolved inputs --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    """A target resolved: how to measure it on a run, and its band."""

    name: str
    kind: str            # "measure", "summary", "column" or "fact"
    ref: str             # the measurement, summary key, column or pattern
    low: float
    high: float
    scale: float         # the difference that counts as one unit of distance
    weight: float
    source: str
    confidence: str
    what: str
    stat: str = "mean"
    days: tuple[int, int] | None = None
    per_household: bool = False

    def measure(self, daily: pd.DataFrame, summary: dict, households: int) -> float:
        """The run's figure (a fact: the share of its criterion's parts that fail, 0 when it holds)."""
        if self.kind == "fact":
            verdict = FACTS[self.ref](daily)
            return float(np.mean([not ok for ok in verdict.parts.values()]))
        if self.kind == "summary":
            return float(summary[self.ref])
        if self.kind == "measure":
            return float(_SOURCED[self.ref].measure(daily, households))
        rows = daily if self.days is None else daily[(daily["day"] >= self.days[0]) & (daily["day"] <= self.days[1])]
        series = rows[self.ref].astype(float)
        if series.empty:
            return math.nan
        if self.stat == "argmax":
            value = float(rows["day"].iloc[int(series.to_numpy().argmax())])
        elif self.stat == "first":
            value = float(series.iloc[0])
        elif self.stat == "last":
            value = float(series.iloc[-1])
        else:
            value = float(getattr(series, self.stat)())
        return value / households if self.per_household else value

    def distance(self, value: float) -> float:
        """How far `value` is from the band, in units of `scale` (0 inside it)."""
        if not math.isfinite(value):
            return MISSING_DISTANCE
        return max(0.0, self.low - value, value - self.high) / self.scale

    def band(self) -> str:
        return f"{self.low:g}" if self.low == self.high else f"{self.low:g}-{self.high:g}"

    def describe(self) -> dict:
        return {k: getattr(self, k) for k in ("name", "kind", "ref", "low", "high", "scale", "weight", "source",
                                              "confidence", "what", "stat", "days", "per_household")}


#: The distance of a target the run could not measure (no arrivals to time, say): far outside any band.
MISSING_DISTANCE = 10.0
_SOURCED = {t.key: t for t in sourced.TARGETS}


@dataclass(frozen=True)
class Targets:
    path: str
    scenario: str | None
    targets: tuple[Target, ...]
    text: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Param:
    """A parameter resolved: its scenario field, the kind of its value and its prior."""

    key: str
    kind: str           # "int" or "float"
    low: float
    high: float
    prior: str

    def rv_args(self) -> tuple[str, tuple[float, float]]:
        """The scipy distribution of the prior: (name, args)."""
        if self.prior == "loguniform":
            return "loguniform", (self.low, self.high)
        return "uniform", (self.low, self.high - self.low)

    def describe(self) -> dict:
        return {"key": self.key, "kind": self.kind, "low": self.low, "high": self.high, "prior": self.prior}


@dataclass(frozen=True)
class Params:
    path: str
    params: tuple[Param, ...]
    text: str

    @property
    def keys(self) -> list[str]:
        return [p.key for p in self.params]


# --- reading -------------------------------------------------------------------------------------------------

def _read(path: str | Path, kind: str) -> tuple[dict, str, str]:
    label = str(path)
    p = Path(path)
    if not p.exists():
        raise ExperimentError(f"{label}: no such {kind} file. Give the path of a .toml file (docs/calibration.md "
                              f"shows the format; calibration/{kind}.toml is an example).")
    text = read_text(p, label, "experiment", ExperimentError)
    try:
        data = parse_toml(text)
    except tomllib.TOMLDecodeError as exc:
        raise ExperimentError(f"{label}: not valid TOML: {exc}. Fix the syntax at that line.") from None
    except RecursionError:
        raise ExperimentError(too_deep(label)) from None
    return data, label, text


def _explain(exc: ValidationError, label: str, section: str) -> str:
    lines = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        where = ".".join(f'"{p}"' if "." in p else p for p in loc)
        field = loc[-1] if loc else ""
        if err["type"] == "extra_forbidden":
            lines.append(f"{label}: field '{where}': unknown key. Fix: remove it, or spell a known one ("
                         f"{_known(section, loc)}).")
            continue
        got = err.get("input")
        got_text = f" (got {got!r})" if not isinstance(got, dict | list) else ""
        hint = _HINTS.get(field) or _HINTS.get(loc[0], "see docs/calibration.md")
        lines.append(f"{label}: field '{where}': {err['msg']}{got_text}. Fix: give {hint}.")
    return "\n".join(dict.fromkeys(lines))


def _known(section: str, loc: list[str]) -> str:
    if section == "targets":
        model = {1: TargetsFile, 3: TargetSpec if loc[0] == "targets" else FactSpec}.get(len(loc), TargetsFile)
    else:
        model = ParamSpec if len(loc) == 3 else ParamsFile
    return ", ".join(model.model_fields)


def load_targets(path: str | Path) -> Targets:
    """The targets file at `path`, checked against the model's measurements, summary keys and daily columns."""
    data, label, text = _read(path, "targets")
    try:
        spec = TargetsFile.model_validate(data)
    except ValidationError as exc:
        raise ExperimentError(_explain(exc, label, "targets")) from None
    if not spec.targets and not spec.facts:
        raise ExperimentError(f"{label}: no targets: the file names nothing the model must reproduce. Fix: add at "
                              "least one [targets.NAME] table (with measure, summary or column, and value or low and "
                              "high) or [facts.NAME] table (with pattern); docs/calibration.md shows the format.")
    if len(spec.targets) + len(spec.facts) > MAX_TARGETS:
        raise ExperimentError(f"{label}: {len(spec.targets) + len(spec.facts)} targets and facts; give at most "
                              f"{MAX_TARGETS}.")
    out = [_target(label, name, t) for name, t in spec.targets.items()]
    for name, f in spec.facts.items():
        if name in spec.targets:
            raise ExperimentError(f"{label}: field 'facts.{name}': the name is also a target's; give each a "
                                  "name of its own.")
        if f.pattern not in FACTS:
            raise ExperimentError(f"{label}: field 'facts.{name}.pattern': {f.pattern!r} is not a stylized fact "
                                  f"one run can show. Fix: give {_HINTS['pattern']}; the others compare several "
                                  "scenarios (docs/sources.md).")
        what = f.what or patterns.PATTERNS[f.pattern].holds
        out.append(Target(name=name, kind="fact", ref=f.pattern, low=0.0, high=0.0, scale=1.0, weight=f.weight,
                          source=f.source, confidence=f.confidence, what=what))
    return Targets(path=label, scenario=spec.scenario, targets=tuple(out), text=text)


def _target(label: str, name: str, t: TargetSpec) -> Target:
    where = f"{label}: field 'targets.{name}"
    given = [k for k in ("measure", "summary", "column") if getattr(t, k) is not None]
    if len(given) != 1:
        raise ExperimentError(f"{where}': {'no quantity' if not given else 'both ' + ' and '.join(given)}. Fix: "
                              "give exactly one of measure (a measurement of docs/targets.md), summary (a summary "
                              "key) or column (a daily column, with stat and days).")
    kind = given[0]
    ref = getattr(t, kind)
    if kind == "column":
        from simulation.outcomes import DAILY_COLUMNS  # here: the columns come from the mechanisms, i.e. the model

        known = list(DAILY_COLUMNS)
    else:
        known = list(_SOURCED) if kind == "measure" else list(SUMMARY_KEYS)
    if ref not in known:
        close = difflib.get_close_matches(ref, known, n=1, cutoff=0.6)
        did = f" Did you mean '{close[0]}'?" if close else ""
        what = {"measure": "a measurement of docs/targets.md", "summary": "a summary key",
                "column": "a daily column of the model"}[kind]
        raise ExperimentError(f"{where}.{kind}': {ref!r} is not {what}.{did} Fix: give one of "
                              f"{', '.join(known[:40])}{', ...' if len(known) > 40 else ''}.")
    if kind != "column":
        for extra in ("days", "per_household"):
            if getattr(t, extra) not in (None, False):
                raise ExperimentError(f"{where}.{extra}': applies to a daily column only. Fix: remove it, or "
                                      "measure a column.")
        if t.stat != "mean":
            raise ExperimentError(f"{where}.stat': applies to a daily column only. Fix: remove it.")
    if t.days is not None and not 0 <= t.days[0] <= t.days[1]:
        raise ExperimentError(f"{where}.days': {t.days} is not [first, last] with 0 <= first <= last. Fix: give "
                              "two day numbers in order, e.g. [18, 35].")
    if t.value is not None and (t.low is not None or t.high is not None):
        raise ExperimentError(f"{where}': both value and low/high. Fix: give the observed value, or its range "
                              "(low and high), not both.")
    if t.value is None and (t.low is None or t.high is None):
        raise ExperimentError(f"{where}': no observed figure. Fix: give value = x, or the range low = a and "
                              "high = b.")
    low, high = (t.value, t.value) if t.value is not None else (t.low, t.high)
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ExperimentError(f"{where}': the observed figure must be finite. Fix: give finite numbers.")
    if low > high:
        raise ExperimentError(f"{where}.low': low = {low:g} is above high = {high:g}. Fix: give low <= high.")
    if t.scale is not None:
        scale = t.scale
    elif high > low:
        scale = (high - low) / 2
    else:
        scale = abs(low) or 1.0
    what = t.what or (_SOURCED[ref].what if kind == "measure" else ref)
    source = t.source or (_SOURCED[ref].source if kind == "measure" else "")
    return Target(name=name, kind=kind, ref=ref, low=float(low), high=float(high), scale=float(scale),
                  weight=t.weight, source=source, confidence=t.confidence, what=what, stat=t.stat,
                  days=tuple(t.days) if t.days else None, per_household=t.per_household)


def load_params(path: str | Path, base: scenarios.Scenario) -> Params:
    """The parameters file at `path`, checked against the fields of `base` and the schema's ranges."""
    data, label, text = _read(path, "params")
    try:
        spec = ParamsFile.model_validate(data)
    except ValidationError as exc:
        raise ExperimentError(_explain(exc, label, "params")) from None
    if not spec.params:
        raise ExperimentError(f"{label}: no parameters: the file names nothing to calibrate. Fix: add at least one "
                              "[params.\"section.field\"] table, e.g. [params.\"reporting.call_prob\"] (an empty "
                              "table takes the schema's range as the prior).")
    if len(spec.params) > MAX_PARAMS:
        raise ExperimentError(f"{label}: {len(spec.params)} parameters; give at most {MAX_PARAMS}.")
    out: list[Param] = []
    for given, p in spec.params.items():
        key = canonical_key(given)
        where = f"{label}: field 'params.\"{key}\"'"
        if any(q.key == key for q in out):
            raise ExperimentError(f"{where}: given twice; give each parameter once.")
        if key in ("households", "days"):
            raise ExperimentError(f"{where}: the community's size is not a parameter to calibrate. Fix: set it "
                                  "with --households / --days.")
        current = _leaf(base, key)
        if current is _MISSING:
            close = difflib.get_close_matches(key, leaf_keys(base), n=1, cutoff=0.6)
            did = f" Did you mean '{close[0]}'?" if close else ""
            raise ExperimentError(f"{where}: '{key}' is not a field of the scenario '{base.name}'.{did} Fix: name a "
                                  "numeric field, dotted by section (docs/scenario-reference.md), e.g. "
                                  "\"reporting.call_prob\".")
        if isinstance(current, bool) or not isinstance(current, int | float):
            raise ExperimentError(f"{where}: '{key}' is a {type(current).__name__} field; only numeric fields have "
                                  "a prior. Fix: remove it, and compare its settings with `liandong compare`.")
        kind = "int" if isinstance(current, int) else "float"
        lo_s, hi_s, lo_open, hi_open = schema_range(key)
        low = p.low if p.low is not None else lo_s
        high = p.high if p.high is not None else hi_s
        schema_text = _interval(lo_s, hi_s, lo_open, hi_open)
        if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
            raise ExperimentError(f"{where}: the schema's range of '{key}' is {schema_text}, which has no finite "
                                  f"{'low' if low is None or not math.isfinite(low) else 'high'} end. Fix: give the "
                                  "prior's range, low = a and high = b.")
        for end, name in ((p.low, "low"), (p.high, "high")):
            if end is None:
                continue
            if (lo_s is not None and end < lo_s) or (hi_s is not None and end > hi_s):
                raise ExperimentError(f"{where}: {name} = {end:g} is outside the schema's range of '{key}', "
                                      f"{schema_text} (docs/scenario-reference.md). Fix: give a range inside it.")
        if low >= high:
            raise ExperimentError(f"{where}: empty range (low = {low:g} is not below high = {high:g}). Fix: give "
                                  "low < high.")
        if p.prior == "loguniform" and low <= 0:
            raise ExperimentError(f"{where}: a loguniform prior needs low > 0 (got {low:g}). Fix: give a positive "
                                  "low, or prior = \"uniform\".")
        if kind == "int" and math.floor(high) < math.ceil(low):
            raise ExperimentError(f"{where}: no integer between {low:g} and {high:g}. Fix: widen the range.")
        for end in (low, high):
            value = _inside(end, lo_s, hi_s, lo_open, hi_open)
            try:
                scenarios.apply_overrides(base, {key: int(round(value)) if kind == "int" else float(value)},
                                          label="prior")
            except scenarios.ScenarioError as exc:
                detail = str(exc).removeprefix("prior: ")
                raise ExperimentError(f"{where}: the value {value:g} at an end of the prior is not allowed in "
                                      f"'{base.name}': {detail} Fix: narrow the range.") from None
        out.append(Param(key=key, kind=kind, low=float(low), high=float(high), prior=p.prior))
    return Params(path=label, params=tuple(out), text=text)


def _inside(value: float, lo, hi, lo_open: bool, hi_open: bool) -> float:
    """An end of a prior nudged inside an open end of the schema's range ((0, 5] excludes 0)."""
    if lo_open and lo is not None and value <= lo:
        return float(np.nextafter(lo, math.inf))
    if hi_open and hi is not None and value >= hi:
        return float(np.nextafter(hi, -math.inf))
    return value


def _interval(lo, hi, lo_open, hi_open) -> str:
    left = "(-inf" if lo is None else f"{'(' if lo_open else '['}{lo:g}"
    right = "inf)" if hi is None else f"{hi:g}{')' if hi_open else ']'}"
    return f"{left}, {right}"


def schema_range(key: str) -> tuple[float | None, float | None, bool, bool]:
    """The schema's bounds of the field `key` (ge/gt/le/lt): (low, high, low is open, high is open)."""
    node: type[BaseModel] = scenarios.Scenario
    parts = key.split(".")
    field = None
    i = 0
    while i < len(parts):
        field = node.model_fields.get(parts[i])
        if field is None:
            return None, None, False, False
        annotation = field.annotation
        if typing.get_origin(annotation) is list:  # the phases: the next part is a phase's name
            (annotation,) = typing.get_args(annotation)
            i += 1
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            node = annotation
        i += 1
    b = bounds(field) if field is not None else {}
    lo = b.get("ge", b.get("gt"))
    hi = b.get("le", b.get("lt"))
    return (None if lo is None else float(lo), None if hi is None else float(hi), "gt" in b, "lt" in b)
