"""Scenario data checked against the schema, with a message for people, and dotted-key overrides.

Below both the schema (`Scenario.with_overrides` applies overrides) and the package's loaders, so this module
knows the schema only as the pydantic model it is given: `validate(Scenario, data, label)`, or the type of the
scenario being overridden.
"""

from __future__ import annotations

import difflib
from typing import Any, TypeVar

import tomli_w
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class ScenarioError(ValueError):
    """A scenario that cannot be used, with a message meant for the person who wrote it."""


def apply_overrides(scenario: M, overrides: dict[str, Any], label: str = "override") -> M:
    """A new validated scenario with dotted-key overrides applied (errors name the override)."""
    data = scenario.model_dump()
    for key, value in overrides.items():
        parts = key.split(".")
        node = data
        for depth, part in enumerate(parts[:-1]):
            if isinstance(node, list):  # the phases, addressed by name: phases.full_closure.hospital_access
                named = {item.get("name"): item for item in node if isinstance(item, dict)}
                if part not in named:
                    raise ScenarioError(_unknown(label, ".".join(parts[: depth + 1]), part, named))
                node = named[part]
                continue
            if not isinstance(node, dict) or part not in node:
                raise ScenarioError(_unknown(label, ".".join(parts[: depth + 1]), part, node))
            if isinstance(node[part], list) and depth + 1 < len(parts) - 1:
                node = node[part]
                continue
            if not isinstance(node[part], dict):
                where = ".".join(parts[: depth + 1])
                fix = (f"name the phase, e.g. {where}.{node[part][0].get('name', 'phase')}.<field>=<value>"
                       if isinstance(node[part], list) and node[part] and isinstance(node[part][0], dict)
                       else f"give it a value directly: {where}=...")
                raise ScenarioError(f"{label}: field '{key}': '{where}' is not a section with fields; {fix}.")
            node = node[part]
        if not isinstance(node, dict) or parts[-1] not in node:
            raise ScenarioError(_unknown(label, key, parts[-1], node))
        node[parts[-1]] = plain(value)
    return validate(type(scenario), data, label)


def plain(value: Any) -> Any:
    """NumPy scalars (a households count from `np.int64`, a value from `np.linspace`) as the Python numbers,
    bools and strings the strict schema takes, inside dicts and lists too."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if type(value).__module__ == "numpy" and getattr(value, "ndim", None) == 0 and hasattr(value, "item"):
        return value.item()
    return value


def validate(model: type[M], data: dict, label: str) -> M:
    """`data` as an instance of `model` (the Scenario), or a ScenarioError with one line per problem."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_explain(model, exc, label)) from None


def _explain(model: type[BaseModel], exc: ValidationError, label: str) -> str:
    """One line per problem: file, field, what is wrong, what is allowed."""
    lines = []
    for err in exc.errors():
        loc = _dotted(err["loc"])
        if err["type"] == "extra_forbidden":
            parent = _field_model(model, err["loc"][:-1])
            lines.append(unknown_key(label, loc, str(err["loc"][-1]), list(parent.model_fields) if parent else []))
            continue
        if err["type"] == "value_error":
            lines.append(f"{label}: {err['msg'].removeprefix('Value error, ')}.")
            continue
        allowed = _allowed(model, err["loc"])
        got = err.get("input")
        got_text = f" (got {shown(got)})" if not isinstance(got, dict | list) else ""
        if err["type"] == "finite_number":  # NaN or infinity, which TOML can write (nan, inf)
            what = "is not a number" if got != got else "is infinite"
            lines.append(f"{label}: field '{loc}': {what}{got_text}; give a finite number.{allowed}")
            continue
        lines.append(f"{label}: field '{loc}': {err['msg']}{got_text}.{allowed}")
    return "\n".join(lines)


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _field_model(root: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The section class at a location (None if the location is not a section)."""
    model: type[BaseModel] | None = root
    for part in loc:
        if isinstance(part, int):
            continue
        if model is None or part not in model.model_fields:
            return None
        annotation = model.model_fields[part].annotation
        args = getattr(annotation, "__args__", ())
        candidates = [annotation, *args]
        model = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
    return model


def _allowed(root: type[BaseModel], loc: tuple) -> str:
    """' Allowed: ...' from the field's constraints and description, or ''."""
    parent = _field_model(root, loc[:-1])
    name = loc[-1]
    if parent is None or not isinstance(name, str) or name not in parent.model_fields:
        return ""
    field = parent.model_fields[name]
    bounds = []
    for meta in field.metadata:
        for attr, sym in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            if getattr(meta, attr, None) is not None:
                bounds.append(f"{sym} {getattr(meta, attr)}")
    kind = getattr(field.annotation, "__name__", str(field.annotation))
    kind = "true or false" if kind == "bool" else kind
    rng = f" {' and '.join(bounds)}" if bounds else ""
    return f" Allowed: {kind}{rng} — {field.description}"


def _unknown(label: str, key: str, part: str, node: Any) -> str:
    return unknown_key(label, key, part, list(node) if isinstance(node, dict) else [])


def unknown_key(label: str, key: str, name: str, known: list[str]) -> str:
    """The message for an unknown key `name` at `key`, with the closest known spelling and the allowed keys."""
    hint = difflib.get_close_matches(name, known, n=1)
    did = f" Did you mean '{hint[0]}'?" if hint else ""
    return f"{label}: field '{key}': unknown key.{did} Allowed here: {', '.join(known)}."


def shown(value: Any, limit: int = 80) -> str:
    """A value as the user would write it in TOML, shortened for a message."""
    text = toml_value(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def toml_value(value: Any) -> str:
    """How `value` is written in a TOML file (`false`, `"text"`, `0.5`), for messages and hints."""
    try:
        return tomli_w.dumps({"v": value}).removeprefix("v = ").strip()
    except (TypeError, ValueError):
        return repr(value)
