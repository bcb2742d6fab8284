"""Scenario files: load presets or TOML files, validate them, apply overrides, write them back.

    >>> import scenarios
    >>> scenarios.names()[:1]
    ['no_linkage']
    >>> s = scenarios.load("no_linkage").with_overrides({"households": 500, "reporting.call_prob": 0.2})

Every problem with a file is raised as `ScenarioError`, whose message names the file, the field, what is wrong
and what is allowed; the command line turns it into exit status 2.
"""

from __future__ import annotations

import difflib
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel, ValidationError

from scenarios.schema import MAX_DAYS, MAX_HOUSEHOLDS, Phase, Scenario

__all__ = ["Scenario", "Phase", "ScenarioError", "load", "names", "describe", "apply_overrides", "unknown_key", "to_toml", "save",
           "MAX_HOUSEHOLDS", "MAX_DAYS"]

PRESETS = resources.files("scenarios.presets")


class ScenarioError(ValueError):
    """A scenario that cannot be used, with a message meant for the person who wrote it."""


def names() -> list[str]:
    """Names of the preset scenarios shipped with the project, `no_linkage` first."""
    found = sorted(p.name[:-5] for p in PRESETS.iterdir() if p.name.endswith(".toml"))
    return sorted(found, key=lambda n: (n != "no_linkage", n))


def describe(name: str) -> str:
    """The first sentence of a preset's description."""
    text = " ".join(load(name).description.split())
    return text.split(". ")[0].rstrip(".") + "." if text else ""


def load(source: str | Path | Scenario | dict, overrides: dict[str, Any] | None = None, depth: int = 0) -> Scenario:
    """A validated scenario from a preset name, a TOML path, a dict or a `Scenario`, with overrides applied.

    Overrides use field names, dotted for sections: {"households": 500, "needs.acute_rate": 0.001}.
    """
    if isinstance(source, Scenario):
        scenario = source
    elif isinstance(source, dict):
        scenario = _validate(source, "<dict>")
    else:
        text, label = _read(source)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ScenarioError(f"{label}: not valid TOML: {exc}. Fix the syntax (see docs/scenario-reference.md).")
        if "extends" in data:
            data = _extend(data, label, source, depth)
        scenario = _validate(data, label)
        if isinstance(source, str) and source in names() and "name" not in data:
            scenario = scenario.model_copy(update={"name": source})
    return apply_overrides(scenario, overrides) if overrides else scenario


def _extend(data: dict, label: str, source, depth: int = 0) -> dict:
    """A file that `extends` a preset (or another file) changes only what it names; `phases` replaces the list."""
    base_name = data.pop("extends")
    if not isinstance(base_name, str):
        raise ScenarioError(f"{label}: field 'extends': expected a preset name or a file path, got {base_name!r}.")
    if depth >= 8:
        raise ScenarioError(f"{label}: field 'extends': more than 8 levels of extends; is there a cycle?")
    if base_name not in names():
        path = Path(base_name)
        if not path.is_absolute() and isinstance(source, str | Path) and str(source) not in names():
            path = Path(source).parent / path
        if not path.exists():
            raise ScenarioError(f"{label}: field 'extends': '{base_name}' is neither a preset ({', '.join(names())}) "
                                f"nor a file.")
        base_name = str(path)
    base = load(base_name, depth=depth + 1).model_dump(mode="json")
    base.pop("name"), base.pop("description")
    return _merge(base, data)


def _merge(base: dict, top: dict) -> dict:
    out = dict(base)
    for key, value in top.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def apply_overrides(scenario: Scenario, overrides: dict[str, Any], label: str = "override") -> Scenario:
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
        node[parts[-1]] = value
    return _validate(data, label)


def to_toml(scenario: Scenario) -> str:
    """The fully resolved scenario as a TOML file that `load` reads back to an equal scenario."""
    return tomli_w.dumps(scenario.model_dump(mode="json"))


def save(scenario: Scenario, path: str | Path) -> Path:
    """Write the fully resolved scenario to `path`."""
    path = Path(path)
    path.write_text(to_toml(scenario), encoding="utf-8")
    return path


def _read(source: str | Path) -> tuple[str, str]:
    """The text and a label for messages, from a preset name or a path."""
    if isinstance(source, str) and source in names():
        resource = PRESETS / f"{source}.toml"
        return resource.read_text(encoding="utf-8"), f"preset '{source}'"
    path = Path(source)
    if not path.exists():
        hint = difflib.get_close_matches(str(source), names(), n=1)
        suggestion = f" Did you mean '{hint[0]}'?" if hint else ""
        raise ScenarioError(f"{source}: no such preset scenario or file.{suggestion} "
                            f"Presets: {', '.join(names())}; or give the path of a .toml file.")
    if path.is_dir():
        raise ScenarioError(f"{path}: is a folder; give the path of a scenario .toml file.")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot be read ({exc.strerror}). Check the path and its permissions.")
    try:
        return raw.decode("utf-8"), str(path)
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: is not UTF-8 text (byte {exc.start}). Save the file as UTF-8.")


def _validate(data: dict, label: str) -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_explain(exc, label)) from None


def _explain(exc: ValidationError, label: str) -> str:
    """One line per problem: file, field, what is wrong, what is allowed."""
    lines = []
    for err in exc.errors():
        loc = _dotted(err["loc"])
        if err["type"] == "extra_forbidden":
            parent = _field_model(err["loc"][:-1])
            lines.append(unknown_key(label, loc, str(err["loc"][-1]), list(parent.model_fields) if parent else []))
            continue
        if err["type"] == "value_error":
            lines.append(f"{label}: {err['msg'].removeprefix('Value error, ')}.")
            continue
        allowed = _allowed(err["loc"])
        got = err.get("input")
        got_text = f" (got {got!r})" if not isinstance(got, dict | list) else ""
        lines.append(f"{label}: field '{loc}': {err['msg']}{got_text}.{allowed}")
    return "\n".join(lines)


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _field_model(loc: tuple) -> type[BaseModel] | None:
    """The section class at a location (None if the location is not a section)."""
    model: type[BaseModel] | None = Scenario
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


def _allowed(loc: tuple) -> str:
    """' Allowed: ...' from the field's constraints and description, or ''."""
    parent = _field_model(loc[:-1])
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
    rng = f" {' and '.join(bounds)}" if bounds else ""
    return f" Allowed: {kind}{rng} — {field.description}"


def _unknown(label: str, key: str, part: str, node: Any) -> str:
    return unknown_key(label, key, part, list(node) if isinstance(node, dict) else [])


def unknown_key(label: str, key: str, name: str, known: list[str]) -> str:
    """The message for an unknown key `name` at `key`, with the closest known spelling and the allowed keys."""
    hint = difflib.get_close_matches(name, known, n=1)
    did = f" Did you mean '{hint[0]}'?" if hint else ""
    return f"{label}: field '{key}': unknown key.{did} Allowed here: {', '.join(known)}."
