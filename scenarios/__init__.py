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
import os
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import tomli_w

from scenarios.files import MAX_FILE_BYTES, decode, parse_toml, read_text, size_text, too_deep
from scenarios.schema import MAX_DAYS, MAX_HOUSEHOLDS, Phase, Scenario
from scenarios.validation import ScenarioError, apply_overrides, plain, shown, toml_value, unknown_key, validate

__all__ = ["Scenario", "Phase", "ScenarioError", "load", "parse", "names", "describe", "apply_overrides",
           "unknown_key", "to_toml", "toml_value", "save", "MAX_HOUSEHOLDS", "MAX_DAYS", "MAX_FILE_BYTES"]

PRESETS = resources.files("scenarios.presets")


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

    Overrides use field names, dotted for sections: {"households": 500, "needs.acute_rate": 0.001}. A file's
    `extends` may name a preset or another file (relative to the file); for content from anywhere else (an
    upload), use `parse`, which reads no file.
    """
    if isinstance(source, Scenario):
        scenario = source
    elif isinstance(source, dict):
        scenario = validate(Scenario, plain(source), "<dict>")
    elif isinstance(source, str | os.PathLike):
        text, label = _read(source)
        preset = isinstance(source, str) and source in names()
        scenario = _from_text(text, label, folder=None if preset else Path(source).parent, depth=depth)
        if preset and scenario.name == Scenario.model_fields["name"].default:
            scenario = scenario.model_copy(update={"name": source})
    else:
        raise TypeError(f"scenarios.load: expected a preset name ({', '.join(names()[:3])}, ...), the path of a "
                        f"scenario .toml file, a dict or a Scenario, not {type(source).__name__} ({source!r}).")
    return apply_overrides(scenario, overrides) if overrides else scenario


def parse(data: bytes | str, label: str = "<upload>") -> Scenario:
    """A validated scenario from the content of a TOML file that did not come from this machine's command line
    (a dashboard upload): its `extends` may name a preset only, so nothing in it makes this process read a file.

    `label` (the file's name, say) starts every message; the size and encoding rules are those of `load`.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, bytes | bytearray):
        raise TypeError(f"scenarios.parse: expected the file's bytes or text, not {type(data).__name__}.")
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioError(f"{label}: is larger than {size_text(MAX_FILE_BYTES)}, the most a scenario file may be "
                            "(a scenario file is a few kilobytes); check that this is the right file.")
    return _from_text(decode(bytes(data), label, ScenarioError), label, folder=None, depth=0, local=False)


def _from_text(text: str, label: str, folder: Path | None, depth: int, local: bool = True) -> Scenario:
    """The scenario a file's text describes. `local` files may extend other files (relative to `folder`, or to
    the current folder when None); others may extend presets only."""
    try:
        data = parse_toml(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{label}: not valid TOML: {exc}. Fix the syntax (see docs/scenario-reference.md).")
    except RecursionError:
        raise ScenarioError(too_deep(label)) from None
    written = data
    if "extends" in data:
        data = _extend(dict(data), label, folder, depth, local)
    scenario = validate(Scenario, data, label)
    if "phases" in written:
        _check_phases_reached(scenario, label)
    return scenario


def _check_phases_reached(scenario: Scenario, label: str) -> None:
    """A phase a file lists that starts after the run's last day would never take effect: say so."""
    for i, phase in enumerate(scenario.phases):
        if phase.start >= scenario.days:
            raise ScenarioError(
                f"{label}: field 'phases[{i}].start': phase '{phase.name}' starts on day {phase.start}, after the "
                f"last day of the run (day {scenario.days - 1}, as days = {scenario.days}), so it would never take "
                f"effect; start it before day {scenario.days}, remove it, or raise days.")


def _extend(data: dict, label: str, folder: Path | None, depth: int, local: bool) -> dict:
    """A file that `extends` a preset (or another file) changes only what it names; `phases` replaces the list."""
    base_name = data.pop("extends")
    presets = ", ".join(names())
    if not isinstance(base_name, str):
        what = "a preset name" + (" or a file path" if local else "")
        raise ScenarioError(f"{label}: field 'extends': expected {what}, got {shown(base_name)}. "
                            f"Presets: {presets}.")
    if depth >= 8:
        raise ScenarioError(f"{label}: field 'extends': more than 8 levels of extends; is there a cycle?")
    if base_name in names():
        text, base_label = _read(base_name)
        base_folder = None
    elif not local:
        raise ScenarioError(f"{label}: field 'extends': {shown(base_name)} is not a preset; an uploaded file "
                            f"may extend a preset only, not a path. Presets: {presets}. To build on a file of "
                            "your own, copy its keys into this one.")
    else:
        path = Path(base_name)
        if not path.is_absolute() and folder is not None:
            path = folder / path
        if not os.path.lexists(path):
            raise ScenarioError(f"{label}: field 'extends': '{base_name}' is neither a preset ({presets}) "
                                f"nor a file.")
        try:
            text, base_label = read_text(path, str(path), "scenario", ScenarioError), str(path)
        except ScenarioError as exc:
            raise ScenarioError(f"{label}: field 'extends': {exc}") from None
        base_folder = path.parent
    base = _from_text(text, base_label, base_folder, depth + 1, local).model_dump(mode="json")
    base.pop("name"), base.pop("description")
    return _merge(base, data)


def _merge(base: dict, top: dict, path: tuple[str, ...] = ()) -> dict:
    """`top` over `base`, section by section; a table that is one field's value (a compound mix) is replaced
    whole, as its entries belong together."""
    out = dict(base)
    for key, value in top.items():
        here = (*path, key)
        merge = isinstance(value, dict) and isinstance(out.get(key), dict) and here not in WHOLE_TABLES
        out[key] = _merge(out[key], value, here) if merge else value
    return out


WHOLE_TABLES = {("compounds", "mix"), ("compounds", "reference_mix")}  # fields whose value is a table


def to_toml(scenario: Scenario) -> str:
    """The fully resolved scenario as a TOML file that `load` reads back to a scenario that runs identically:
    an equal one, except that phases starting after the last day (a preset run for fewer days) are left out, as
    they never take effect and a file may not list them."""
    data = scenario.model_dump(mode="json")
    data["phases"] = [p for p in data["phases"] if p["start"] < scenario.days]
    return tomli_w.dumps(data)


def save(scenario: Scenario, path: str | Path) -> Path:
    """Write the fully resolved scenario to `path`."""
    path = Path(path)
    path.write_text(to_toml(scenario), encoding="utf-8")
    return path


def _read(source: str | os.PathLike) -> tuple[str, str]:
    """The text and a label for messages, from a preset name or a path."""
    if isinstance(source, str) and source in names():
        resource = PRESETS / f"{source}.toml"
        return resource.read_text(encoding="utf-8"), f"preset '{source}'"
    if not os.path.lexists(source):
        hint = difflib.get_close_matches(str(source), names(), n=1)
        suggestion = f" Did you mean '{hint[0]}'?" if hint else ""
        raise ScenarioError(f"{source}: no such preset scenario or file.{suggestion} "
                            f"Presets: {', '.join(names())}; or give the path of a .toml file.")
    return read_text(source, str(source), "scenario", ScenarioError), str(source)


