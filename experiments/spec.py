"""Experiment files: a base scenario, fixed overrides, factors, a design, replications and a root seed.

    name = "call_prob_sweep"
    base = "no_linkage"            # preset or path (relative to this file, or to the current folder)
    design = "grid"                # grid | lhs | sobol | morris
    replications = 3
    root_seed = 20200123
    samples = 16                   # lhs: points; sobol: N (a power of 2); morris: trajectories
    daily = false                  # store each run's daily series too
    [overrides]                    # fixed overrides applied to the base
    households = 300
    [factors]
    "reporting.call_prob" = [0.1, 0.3, 0.5]              # a list of values (grid)
    "mass_base" = { low = 0.0, high = 1.0 }               # a range (lhs, sobol, morris)
    "cadres.per_1000_households" = { low = 1, high = 3, steps = 3 }  # a range with steps (grid)

The file is checked with pydantic (unknown keys are errors), then against the scenario: every factor must be a field
of the scenario, every value and both ends of every range must be allowed there. Each problem is raised as
`ExperimentError`, naming the file and the field.
"""

from __future__ import annotations

import difflib
import math
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

import scenarios
from experiments.errors import ExperimentError
from scenarios.files import parse_toml, read_text, too_deep

MIN_SOBOL_SAMPLES = 8
MAX_RUNS = 5_000_000
#: Replications per design point (an experiment file's `replications`, `liandong compare --reps`): beyond this the
#: 95% intervals no longer narrow in any way that matters, while the runs would take days.
MAX_REPLICATIONS = 100_000
MAX_SAMPLES = 1_000_000
MAX_LEVELS = 100
MAX_STEPS = 100_000
RANGE_KEYS = {"low", "high", "steps"}


class Range(BaseModel):
    """A continuous range of a factor; `steps` evenly spaced values (ends included) for a grid."""

    model_config = ConfigDict(extra="forbid", strict=True)

    low: float
    high: float
    steps: int | None = Field(None, ge=2, le=MAX_STEPS)


class ExperimentSpec(BaseModel):
    """The experiment file, as written (before it is checked against the scenario)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: str = Field("experiment", min_length=1, max_length=200, pattern=r"^[^/\\\x00]+$")
    description: str = ""
    base: str = "no_linkage"
    design: Literal["grid", "lhs", "sobol", "morris"] = "grid"
    replications: int = Field(3, ge=1, le=MAX_REPLICATIONS)
    root_seed: int = Field(0, ge=0, lt=2**63)
    samples: int | None = Field(None, ge=1, le=MAX_SAMPLES)
    levels: int = Field(4, ge=2, le=MAX_LEVELS)
    common_random_numbers: bool = False
    daily: bool = False
    overrides: dict[str, Any] = Field(default_factory=dict)
    factors: dict[str, list[Any] | Range] = Field(default_factory=dict)

    @field_validator("overrides", mode="before")
    @classmethod
    def _flatten_overrides(cls, value):
        return _flatten(value, is_leaf=_override_leaf)

    @field_validator("factors", mode="before")
    @classmethod
    def _flatten_factors(cls, value):
        return _flatten(value, is_leaf=_factor_leaf)


def _override_leaf(value) -> bool:
    return not isinstance(value, dict)


def _factor_leaf(value) -> bool:
    """A factor's value: a list, or a range table ({ low = a, high = b }); other tables are sections."""
    return not isinstance(value, dict) or bool(set(value) & RANGE_KEYS)


ALIAS_SEPARATOR = "__"


def canonical_key(key: str) -> str:
    """A scenario field's dotted key from its identifier alias: `reporting__call_prob` is `reporting.call_prob`
    (the spelling Python keyword arguments, the EMA workbench's parameter names, SQL and formulas accept
    unquoted). A dotted key is returned as it is."""
    return key.replace(ALIAS_SEPARATOR, ".") if ALIAS_SEPARATOR in key else key


def alias(key: str) -> str:
    """The identifier alias of a dotted key: `reporting.call_prob` -> `reporting__call_prob`."""
    return key.replace(".", ALIAS_SEPARATOR)


def canonical_keys(values: dict, where: str = "--set", error=None) -> dict:
    """`values` with every key dotted (aliases translated); a key given both ways is an error naming both."""
    out: dict = {}
    written: dict = {}
    for key, value in values.items():
        dotted = canonical_key(key)
        if dotted in out:
            raise (error or ExperimentError)(
                f"{where}: '{dotted}' given twice (as '{written[dotted]}' and as '{key}'); give it once.")
        out[dotted], written[dotted] = value, key
    return out


def _flatten(value, is_leaf, prefix: str = "") -> Any:
    """Nested TOML tables ([factors.reporting] call_prob = ...) and aliases (reporting__call_prob) as dotted keys
    ("reporting.call_prob")."""
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        dotted = canonical_key(f"{prefix}{key}")
        if is_leaf(item):
            out[dotted] = item
        else:
            out.update(_flatten(item, is_leaf, prefix=f"{dotted}."))
    return out


@dataclass
class Factor:
    """A checked factor: its dotted key, its kind in the scenario and its values or range."""

    key: str
    kind: str                      # "int", "float", "bool" or "str": the type of the scenario field
    values: list | None = None     # a list of values
    low: float | None = None       # or a range
    high: float | None = None
    steps: int | None = None

    def grid_values(self) -> list:
        if self.values is not None:
            return list(self.values)
        import numpy as np

        return [self.cast(v) for v in np.linspace(self.low, self.high, self.steps)]

    def cast(self, x: float):
        """A sampled number as the scenario field wants it (ints rounded)."""
        if self.kind == "int":
            return int(round(float(x)))
        return float(x)

    def describe(self) -> dict:
        if self.values is not None:
            return {"values": list(self.values)}
        out = {"low": self.low, "high": self.high}
        if self.steps is not None:
            out["steps"] = self.steps
        return out


@dataclass
class Experiment:
    """A checked experiment file: the spec, its label, the resolved base scenario and the checked factors."""

    spec: ExperimentSpec
    label: str
    base: scenarios.Scenario
    factors: list[Factor]
    text: str = ""
    path: str | None = None


def read_spec(source: str | Path | dict | ExperimentSpec, label: str | None = None
              ) -> tuple[ExperimentSpec, str, str, Path | None]:
    """The experiment file parsed and checked on its own (not yet against the scenario): (spec, label, text, path)."""
    text, path = "", None
    if isinstance(source, ExperimentSpec):
        return source, label or "<experiment>", text, path
    if isinstance(source, dict):
        data, label = source, label or "<experiment>"
    else:
        path = Path(source)
        label = label or str(source)
        if not os.path.lexists(path):
            raise ExperimentError(f"{label}: no such experiment file. Give the path of a .toml file "
                                  "(see docs/experiments.md).")
        text = read_text(path, label, "experiment", ExperimentError)
        try:
            data = parse_toml(text)
        except tomllib.TOMLDecodeError as exc:
            raise ExperimentError(f"{label}: not valid TOML: {exc}.") from None
        except RecursionError:
            raise ExperimentError(too_deep(label)) from None
    try:
        _check_keys_once(data, label)
        spec = ExperimentSpec.model_validate(data)
    except ValidationError as exc:
        raise ExperimentError(_explain(exc, label)) from None
    except RecursionError:
        raise ExperimentError(too_deep(label)) from None
    return spec, label, text, path


EXPERIMENT_ONLY_KEYS = {"base", "design", "replications", "root_seed", "samples", "levels", "factors", "overrides",
                        "common_random_numbers", "daily"}


def is_experiment_file(source: str | Path) -> bool:
    """Whether `source` is an experiment file rather than a scenario: a readable TOML file with a top-level key
    only experiment files have (factors, design, base, ...). Anything else is left to the scenario reader."""
    if str(source) in scenarios.names() or not os.path.isfile(source):
        return False
    try:
        data = parse_toml(read_text(Path(source), str(source), "experiment", ExperimentError))
    except (ExperimentError, tomllib.TOMLDecodeError, RecursionError):
        return False
    return bool(set(data) & EXPERIMENT_ONLY_KEYS - set(scenarios.Scenario.model_fields))


def _check_keys_once(data: dict, label: str) -> None:
    """A factor or override written twice (`"reporting.call_prob"`, `[factors.reporting] call_prob` or the alias
    `reporting__call_prob`) has no single meaning: say so instead of letting the last spelling silently win."""
    problems = []
    for section, is_leaf in (("overrides", _override_leaf), ("factors", _factor_leaf)):
        value = data.get(section)
        if not isinstance(value, dict):
            continue
        seen: dict[str, str] = {}
        for written, dotted in _spellings(value, is_leaf):
            if dotted in seen:
                problems.append(f"{label}: field '{section}.\"{dotted}\"': given twice (as {seen[dotted]} and as "
                                f"{written}); keep one of them.")
            seen[dotted] = written
    if problems:
        raise ExperimentError("\n".join(problems))


def _spellings(value: dict, is_leaf, parts: tuple = ()) -> list[tuple[str, str]]:
    """(the key as written in TOML, its dotted key) for every leaf of a nested table: a quoted key with dots,
    "reporting.call_prob", and nested tables, reporting.call_prob, both become reporting.call_prob."""
    out = []
    for key, item in value.items():
        here = (*parts, key)
        if is_leaf(item):
            written = ".".join(f'"{p}"' if "." in p or not p.replace("_", "").isalnum() else p for p in here)
            out.append((written, canonical_key(".".join(here))))
        else:
            out.extend(_spellings(item, is_leaf, here))
    return out


def load_spec(source: str | Path | dict | ExperimentSpec, label: str | None = None,
              design: str | None = None) -> Experiment:
    """Read and check an experiment file (or a dict or spec with the same fields); `design` replaces its design.
    Every problem with the factors and overrides is reported at once, one line each (file, field, fix)."""
    spec, label, text, path = read_spec(source, label)
    problems = [
        f"{label}: field 'factors.\"{key}\"': '{key}' is both a factor and an override; a factor takes the values "
        f"the design gives it, so remove it from [overrides] (or from [factors] to keep it fixed)."
        for key in spec.factors if key in spec.overrides]
    if design is not None and design != spec.design:
        spec = spec.model_copy(update={"design": design})
    base, base_problems = _load_base(spec, label, path)
    problems += base_problems
    factors = []
    for key, value in spec.factors.items():
        try:
            factors.append(_check_factor(base, key, value, spec.design, label))
        except ExperimentError as exc:
            problems.append(str(exc))
    if problems:
        raise ExperimentError("\n".join(problems))
    _check_design(spec, factors, label)
    return Experiment(spec=spec, label=label, base=base, factors=factors, text=text,
                      path=str(path) if path else None)


def _explain(exc: ValidationError, label: str) -> str:
    lines = []
    allowed = list(ExperimentSpec.model_fields)
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"] if not (isinstance(p, str) and p in ("list[any]", "Range")))
        if err["type"] == "extra_forbidden":
            parent = Range.model_fields if len(err["loc"]) > 1 else ExperimentSpec.model_fields
            lines.append(scenarios.unknown_key(label, loc, str(err["loc"][-1]), list(parent)))
            continue
        if err["type"] == "value_error":
            lines.append(f"{label}: field {err['msg'].removeprefix('Value error, ')}.")
            continue
        got = err.get("input")
        got_text = f" (got {got!r})" if not isinstance(got, dict | list) else ""
        hint = _FIELD_HINTS.get(str(err["loc"][0]), "")
        if str(err["loc"][0]) == "factors":
            hint = ("a list of values [a, b, c] or a range { low = a, high = b } (with steps = n for a grid, "
                    f"2 to {MAX_STEPS:,}); quote dotted keys: \"reporting.call_prob\" = [...]")
        lines.append(f"{label}: field '{loc}': {err['msg']}{got_text}. Allowed: {hint}".rstrip(": ")
                     + ("" if hint else f" (fields: {', '.join(allowed)})"))
    return "\n".join(dict.fromkeys(lines))


_FIELD_HINTS = {
    "name": "a short name without slashes (at most 200 characters)",
    "base": "a preset name (see `liandong scenarios`) or the path of a scenario .toml file",
    "design": "grid, lhs, sobol or morris",
    "replications": f"an integer from 1 to {MAX_REPLICATIONS:,}",
    "root_seed": "an integer from 0 to 2**63 - 1",
    "samples": f"an integer from 1 to {MAX_SAMPLES:,} (lhs: points; sobol: N, a power of 2 >= 8; morris: "
               "trajectories >= 2)",
    "levels": f"an even integer from 2 to {MAX_LEVELS} (Morris grid levels)",
    "common_random_numbers": "true or false",
    "daily": "true or false",
    "overrides": "a table of scenario fields, e.g. households = 300",
}


def _load_base(spec: ExperimentSpec, label: str, path: Path | None) -> tuple[scenarios.Scenario, list[str]]:
    """The base scenario with the overrides applied, and the problems of the overrides (all of them: the factors
    are then checked against the base without the faulty overrides)."""
    source: str | Path = spec.base
    if spec.base not in scenarios.names() and path is not None and not Path(spec.base).is_absolute():
        beside = path.parent / spec.base
        if beside.exists():
            source = beside
    try:
        base = scenarios.load(source)
    except scenarios.ScenarioError as exc:
        raise ExperimentError(f"{label}: field 'base': {exc}") from None
    if not spec.overrides:
        return base, []
    problems = [_unknown_field(label, "overrides", k, base) for k in spec.overrides if _leaf(base, k) is _MISSING]
    known = _coerce(base, {k: v for k, v in spec.overrides.items() if _leaf(base, k) is not _MISSING})
    good = {}
    for key, value in known.items():  # each on its own first, so that every bad value is named
        try:
            scenarios.apply_overrides(base, {key: value}, label=f"{label} [overrides]")
            good[key] = value
        except scenarios.ScenarioError as exc:
            problems.append(str(exc))
    try:
        base = scenarios.apply_overrides(base, good, label=f"{label} [overrides]")
    except scenarios.ScenarioError as exc:  # values allowed one by one, not together
        problems.append(str(exc))
    return base, problems


_MISSING = object()


def _leaf(scenario: scenarios.Scenario, key: str):
    """The value of a dotted scenario field, or _MISSING if there is no such single-valued field."""
    node: Any = scenario.model_dump()
    for part in key.split("."):
        if isinstance(node, list):  # phases, by name (phases.full_closure.hospital_access)
            node = {item.get("name"): item for item in node if isinstance(item, dict)}
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    if isinstance(node, dict | list):
        return _MISSING
    return node


def leaf_keys(scenario: scenarios.Scenario) -> list[str]:
    """Every dotted key that can be a factor: the scenario's single-valued fields."""
    out = []

    def walk(node, prefix):
        for k, v in node.items():
            if isinstance(v, dict):
                walk(v, f"{prefix}{k}.")
            elif isinstance(v, list):  # the phases, by name
                for item in v:
                    if isinstance(item, dict) and "name" in item:
                        walk({f: x for f, x in item.items() if f != "name"}, f"{prefix}{k}.{item['name']}.")
            else:
                out.append(f"{prefix}{k}")

    walk(scenario.model_dump(), "")
    return out


def _unknown_field(label: str, section: str, key: str, base: scenarios.Scenario) -> str:
    keys = leaf_keys(base)
    hint = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
    did = f" Did you mean '{hint[0]}'?" if hint else ""
    if key == "phases" or key.startswith("phases."):
        names = ", ".join(p.name for p in base.phases)
        did += (f" A phase's field is named by the phase ({names}), e.g. \"phases.{base.phases[-1].name}."
               "hospital_access\"; to change the schedule itself, write a scenario file per schedule and use "
               "`liandong compare`.")
    return (f"{label}: field '{section}.\"{key}\"': '{key}' is not a field of the scenario.{did} Factors and "
            "overrides are scenario fields, dotted for sections (see docs/scenario-reference.md), e.g. "
            "\"reporting.call_prob\".")


def _kind(value) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    return "str"


def _coerce(base: scenarios.Scenario, overrides: dict) -> dict:
    """Ints given for float fields become floats; whole floats for int fields become ints."""
    out = {}
    for key, value in overrides.items():
        current = _leaf(base, key)
        if isinstance(current, float) and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        elif (isinstance(current, int) and not isinstance(current, bool) and isinstance(value, float)
              and value.is_integer()):
            value = int(value)
        out[key] = value
    return out


def _check_factor(base: scenarios.Scenario, key: str, value, design: str, label: str) -> Factor:
    where = f"{label}: field 'factors.\"{key}\"'"
    current = _leaf(base, key)
    if current is _MISSING:
        raise ExperimentError(_unknown_field(label, "factors", key, base))
    kind = _kind(current)
    if isinstance(value, list):
        if not value:
            raise ExperimentError(f"{where}: an empty list of values; give at least one value, e.g. "
                                  f"[{scenarios.toml_value(current)}].")
        if design != "grid":
            raise ExperimentError(f"{where}: a list of values, but design '{design}' samples ranges; give a "
                                  "range { low = a, high = b }, or use design = \"grid\".")
        values = [_coerce(base, {key: v})[key] for v in value]
        for v in values:
            _try(base, key, v, where)
        return Factor(key=key, kind=kind, values=values)
    # a range
    if kind not in ("int", "float"):
        raise ExperimentError(f"{where}: a range, but '{key}' is a {kind} field; give a list of values, "
                              f"e.g. [{scenarios.toml_value(current)}].")
    if not (math.isfinite(value.low) and math.isfinite(value.high)):
        raise ExperimentError(f"{where}: low and high must be finite numbers.")
    if value.low >= value.high:
        raise ExperimentError(f"{where}: empty range (low = {value.low:g} is not below high = {value.high:g}); "
                              "give low < high, or a list with the single value.")
    if kind == "int" and math.floor(value.high) < math.ceil(value.low):
        raise ExperimentError(f"{where}: empty range: no integer between {value.low:g} and {value.high:g}.")
    if design == "grid" and value.steps is None:
        raise ExperimentError(f"{where}: a range in a grid design needs steps, e.g. "
                              f"{{ low = {value.low:g}, high = {value.high:g}, steps = 5 }}, or a list of values.")
    for end in (value.low, value.high):
        _try(base, key, int(round(end)) if kind == "int" else float(end), where)
    return Factor(key=key, kind=kind, low=float(value.low), high=float(value.high), steps=value.steps)


def _try(base: scenarios.Scenario, key: str, value, where: str) -> None:
    try:
        scenarios.apply_overrides(base, {key: value}, label="factor")
    except scenarios.ScenarioError as exc:
        detail = str(exc).removeprefix("factor: ")
        raise ExperimentError(f"{where}: the value {scenarios.toml_value(value)} is not allowed: {detail}") from None


def _check_design(spec: ExperimentSpec, factors: list[Factor], label: str) -> None:
    design, n = spec.design, spec.samples
    if design == "grid":
        points = math.prod(len(f.grid_values()) if f.values is not None else f.steps for f in factors)
    else:
        if not factors:
            raise ExperimentError(f"{label}: field 'factors': design '{design}' needs at least one factor with a "
                                  "range { low = a, high = b }.")
        if n is None:
            raise ExperimentError(f"{label}: field 'samples': design '{design}' needs samples ("
                                  f"{_FIELD_HINTS['samples']}).")
        d = len(factors)
        if design == "lhs":
            if n < 2:
                raise ExperimentError(f"{label}: field 'samples': too few samples ({n}) for a Latin hypercube; "
                                      "give at least 2.")
            points = n
        elif design == "sobol":
            if n < MIN_SOBOL_SAMPLES or n & (n - 1):
                lower = 1 << max(n.bit_length() - 1, 3)
                raise ExperimentError(
                    f"{label}: field 'samples': Sobol sampling needs N a power of 2 and at least "
                    f"{MIN_SOBOL_SAMPLES} (got {n}); try {max(lower, MIN_SOBOL_SAMPLES)} or "
                    f"{max(lower * 2, MIN_SOBOL_SAMPLES * 2)}. It runs N x (factors + 2) points.")
            points = n * (d + 2)
        else:  # morris
            if spec.levels % 2:
                raise ExperimentError(f"{label}: field 'levels': Morris needs an even number of levels, "
                                      f"not {spec.levels}.")
            if n < 2:
                raise ExperimentError(f"{label}: field 'samples': Morris needs at least 2 trajectories (got {n}).")
            points = n * (d + 1)
    if points * spec.replications > MAX_RUNS:
        raise ExperimentError(f"{label}: {points:,} design points x {spec.replications} replications = "
                              f"{points * spec.replications:,} runs, more than the {MAX_RUNS:,} allowed; "
                              "use fewer values, steps or samples.")
