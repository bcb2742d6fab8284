"""The reference of the scenario file format, generated from the pydantic schema (scenarios/schema.py).

    python -m scenarios.reference            # print the reference (Markdown)
    python -m scenarios.reference --write    # write docs/scenario-reference.md   (also: make docs)
    python -m scenarios.reference --check    # exit 1 if the committed page differs from the schema

Every table row comes from a field of the schema: its type, default, allowed range (the field's ge/gt/le/lt
constraints), description, and the `source` in its `json_schema_extra`. The output is deterministic (no dates,
no machine details), so the committed page can be compared with `render()` in the tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
import tomllib
import types
import typing
from pathlib import Path

from pydantic import BaseModel
from pydantic.fields import FieldInfo

import scenarios
from scenarios import district
from scenarios.files import MAX_FILE_BYTES, size_text
from scenarios.schema import MAX_DAYS, MAX_HOUSEHOLDS, Phase, Scenario, default_phases

ROOT = Path(__file__).resolve().parent.parent
DOC_PATH = ROOT / "docs" / "scenario-reference.md"
DAY_ZERO = dt.date(2020, 1, 23)  # day 0 of every scenario (the model requirements Scale)

# The sections of a scenario file, in the order the page shows them (top level first, phases last).
SECTIONS: tuple[str, ...] = tuple(
    name for name, field in Scenario.model_fields.items()
    if name != "phases" and isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel))

EXAMPLE_TOML = '''\
# my_compound.toml: an old compound with many elderly residents and a weak mass base (an illustration).
name = "my_compound"
description = "An old open compound: more elderly households, fewer online, weaker ties."
households = 1200
days = 90
mass_base = 0.2

[population]
elderly_share = 0.45
digital_share_elderly = 0.30

[reporting]
call_prob = 0.2

[cadres]
per_1000_households = 4.0

# Giving [[phases]] replaces the whole default schedule. Keys left out of an entry take the
# defaults of the [[phases]] table above, not the values of the default schedule.
[[phases]]
name = "sealed_city"
start = 0
outing_interval = 1
shop_access = 0.8
self_medical = 0.6
food_supply = 0.9
isolation_stress = 0.002

[[phases]]
name = "full_closure"
start = 20
outing_interval = 0
shop_access = 0.0
self_medical = 0.15
food_supply = 0.5
gate_hours_per_1000 = 32.0
isolation_stress = 0.006
'''


# --- formatting -----------------------------------------------------------------------------------------
def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _number(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isinf(value):
            return "∞" if value > 0 else "-∞"
        return repr(value)
    return str(value)


def _section_model(annotation) -> type[BaseModel] | None:
    """The section class of a field's annotation (the element class for a list of sections), or None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _section_model(arg)
        if found is not None:
            return found
    return None


def type_name(field: FieldInfo) -> str:
    """The TOML type of a field, in words."""
    annotation = field.annotation
    origin = typing.get_origin(annotation)
    if origin is list:
        (item,) = typing.get_args(annotation)
        if _section_model(item) is not None:
            return "array of tables"
        return f"array of {type_name(FieldInfo(annotation=item))}"
    if _section_model(annotation) is not None or origin is dict:
        return "table"
    if origin in (typing.Union, types.UnionType):
        return " or ".join(type_name(FieldInfo(annotation=a)) for a in typing.get_args(annotation)
                           if a is not type(None))  # an optional field: left out of the file, it is None
    names = {int: "integer", float: "float", str: "string", bool: "boolean"}
    return names.get(annotation, getattr(annotation, "__name__", str(annotation)))


def bounds(field: FieldInfo) -> dict[str, float]:
    """The field's numeric constraints: any of ge, gt, le, lt."""
    found: dict[str, float] = {}
    for meta in field.metadata:
        for attr in ("ge", "gt", "le", "lt"):
            value = getattr(meta, attr, None)
            if value is not None:
                found[attr] = value
    return found


def allowed_range(field: FieldInfo) -> str:
    """The allowed range as an interval: [a, b] includes an end, (a, b) excludes it.

    "any" for a number without bounds, "—" for other types without bounds.
    """
    b = bounds(field)
    if not b:
        return "any" if field.annotation in (int, float) else "—"
    if "ge" in b:
        low = f"[{_number(b['ge'])}"
    elif "gt" in b:
        low = f"({_number(b['gt'])}"
    else:
        low = "(-∞"
    if "le" in b:
        high = f"{_number(b['le'])}]"
    elif "lt" in b:
        high = f"{_number(b['lt'])})"
    else:
        high = "∞)"
    return f"{low}, {high}"


def source_of(field: FieldInfo) -> str:
    extra = field.json_schema_extra
    return str(extra.get("source", "")) if isinstance(extra, dict) else ""


def _default_text(name: str, field: FieldInfo) -> str:
    if field.default_factory is not None:
        if _section_model(field.annotation) is not None and typing.get_origin(field.annotation) is list:
            return f"{len(field.default_factory())} phases ([below](#default-phase-schedule))"
        if _section_model(field.annotation) is not None:
            return f"see [`[{name}]`](#{name})"
        value = field.default_factory()
    else:
        value = field.default
    if isinstance(value, str):
        return f'`"{value}"`'
    if value is None:
        return "none"
    return f"`{_number(value)}`"


def field_table(model: type[BaseModel]) -> list[str]:
    """One Markdown table row per field of `model`, in declaration order."""
    lines = ["| field | type | default | allowed range | meaning | source |",
             "|---|---|---|---|---|---|"]
    for name, field in model.model_fields.items():
        section = _section_model(field.annotation)
        if section is None:
            rng = allowed_range(field)
            rng = rng if rng == "—" else f"`{rng}`"
            source = source_of(field) or "—"
        elif typing.get_origin(field.annotation) is list:
            rng, source = "see [rules](#rules-across-fields)", source_of(field) or "—"
        else:
            rng, source = "—", source_of(field) or "per field, see the section"
        cells = [f"`{name}`", type_name(field), _default_text(name, field), rng,
                 _cell(field.description or ""), _cell(source)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _doc(model: type[BaseModel]) -> str:
    return " ".join((model.__doc__ or "").split())


def phase_schedule_table() -> list[str]:
    phases = default_phases()
    names = [n for n in Phase.model_fields if n not in ("name", "start")]
    lines = ["| phase | from day | date (2020) | " + " | ".join(f"`{n}`" for n in names) + " |",
             "|---|---:|---|" + "---:|" * len(names)]
    for p in phases:
        date = DAY_ZERO + dt.timedelta(days=p.start)
        values = " | ".join(_number(getattr(p, n)) for n in names)
        lines.append(f"| `{p.name}` | {p.start} | {date.day} {date.strftime('%b')} | {values} |")
    return lines


def _validated_example() -> str:
    """The example TOML, checked against the schema so the page never shows an invalid file."""
    scenarios.load(tomllib.loads(EXAMPLE_TOML))  # raises ScenarioError if the schema has moved on
    return EXAMPLE_TOML


# --- the page -------------------------------------------------------------------------------------------
def render() -> str:
    """The whole reference page, as Markdown."""
    out: list[str] = []
    add = out.append
    add("<!-- GENERATED FILE: do not edit by hand. Edit scenarios/schema.py, then run `make docs` "
        "(python -m scenarios.reference --write). -->")
    add("")
    add("# Scenario file reference")
    add("")
    add("*Generated from the pydantic schema in `scenarios/schema.py` by `scenarios/reference.py`; do not "
        "edit this page by hand. To regenerate it run `make docs` (or `python -m scenarios.reference "
        "--write`); `python -m scenarios.reference --check` tells whether it is up to date, and the test "
        "suite checks it too.*")
    add("")
    add("A scenario file is a [TOML](https://toml.io) file describing one run: one community, its lockdown "
        "phases and every parameter of the model. Any key left out takes its default, so an empty file is "
        "the default community. Load one with `liandong run my.toml`, check it with `liandong validate "
        "my.toml`, or change single values on the command line with dotted keys: "
        "`liandong run no_linkage --set cadres.per_1000_households=4 --set mass_base=0.8`. "
        "The preset scenarios are in `scenarios/presets/` (`liandong scenarios` lists them).")
    add("")
    add("A file may start from a preset or another file with `extends = \"no_linkage\"` (or a path, relative "
        "to the file): it then changes only the keys it names, section by section; a `[[phases]]` list in the "
        "file replaces the base's whole schedule. The presets other than `no_linkage` are written this way. "
        "A file uploaded to the dashboard may extend a preset only, never a path. A scenario file is UTF-8 "
        f"text without a byte-order mark and at most {size_text(MAX_FILE_BYTES)}; `nan` and `inf` are not "
        "allowed values.")
    add("")
    add("How to read the tables:")
    add("")
    add("- **type**: `integer`, `float`, `string`, `table` (a `[section]`) or `array of tables` "
        "(`[[phases]]`). Validation is strict: unknown keys are errors, and values are never coerced from "
        "another type (`\"0.5\"` is not a float, `500.0` is not an integer; an integer is accepted where a "
        "float is expected).")
    add("- **allowed range**: `[a, b]` includes an end, `(a, b)` excludes it; `∞` means no bound on that "
        "side.")
    add("- **source**: where the default comes from. `sources` is docs/sources.md, with its "
        "confidence: **H** official figure, **M** one media report or one community's example, **L** "
        "anecdote or inference. A default marked *assumed* has no sourced figure behind it; the range given "
        "with it is the one a sensitivity analysis should cover.")
    add("")
    add("Contents: [top level](#top-level) · " + " · ".join(f"[`[{s}]`](#{s})" for s in SECTIONS)
        + " · [`[[phases]]`](#phases) · [default phase schedule](#default-phase-schedule) · "
        "[rules across fields](#rules-across-fields) · [example](#example)")
    add("")

    add('<a id="top-level"></a>')
    add("")
    add("## Top level")
    add("")
    add(_doc(Scenario))
    add("")
    out.extend(field_table(Scenario))
    add("")

    for section in SECTIONS:
        model = _section_model(Scenario.model_fields[section].annotation)
        add(f'<a id="{section}"></a>')
        add("")
        add(f"## `[{section}]`")
        add("")
        add(_doc(model))
        add("")
        add(f"Keys go under `[{section}]` in a file, or are written `{section}.<field>` with `--set`.")
        add("")
        out.extend(field_table(model))
        add("")

    add('<a id="phases"></a>')
    add("")
    add("## `[[phases]]`")
    add("")
    add(_doc(Phase) + " Each `[[phases]]` entry is one phase; a phase lasts until the next one starts. "
        "A file that gives any `[[phases]]` replaces the whole default schedule; a key left out of an entry "
        "takes the default in this table (not the value of the default schedule below).")
    add("")
    out.extend(field_table(Phase))
    add("")

    add('<a id="default-phase-schedule"></a>')
    add("")
    add("## Default phase schedule")
    add("")
    add("The schedule a scenario gets when it gives no `[[phases]]` (the model requirements Phases; sources "
        "Timeline). Day 0 is 23 Jan 2020.")
    add("")
    out.extend(phase_schedule_table())
    add("")

    add('<a id="rules-across-fields"></a>')
    add("")
    add("## Rules across fields")
    add("")
    add("- `phases`: at least one phase; the first starts on day 0; start days strictly increase; no two phases "
        "share a name. A phase listed in a file must start by the run's last day, day `days` - 1 (a preset run for "
        "fewer days with `--set days=...` simply never reaches its later phases).")
    add(f"- `households` x `days` must not exceed {MAX_HOUSEHOLDS * 365:,} (for example "
        f"{MAX_HOUSEHOLDS:,} households for 365 days); each alone is capped at {MAX_HOUSEHOLDS:,} households "
        f"and {MAX_DAYS:,} days.")
    add("")

    add('<a id="example"></a>')
    add("")
    add("## Example")
    add("")
    add("```toml")
    add(_validated_example().rstrip("\n"))
    add("```")
    add("")
    return "\n".join(out)


DISTRICT_DOC_PATH = ROOT / "docs" / "district-reference.md"


def render_district() -> str:
    """The reference page of the district file format (scenarios/district.py), as Markdown."""
    out: list[str] = []
    add = out.append
    add("<!-- GENERATED FILE: do not edit by hand. Edit scenarios/district.py, then run `make docs` "
        "(python -m scenarios.reference --district --write). -->")
    add("")
    add("# District file reference")
    add("")
    add("*Generated from the pydantic schema in `scenarios/district.py` by `scenarios/reference.py`; do not edit "
        "this page by hand. `python -m scenarios.reference --district --check` tells whether it is up to date, and "
        "the test suite checks it too.*")
    add("")
    add("A district file is a [TOML](https://toml.io) file describing several communities that share a district's "
        "pools (sunk cadres, the volunteer drive's sign-ups, supply deliveries, social workers), each shared out "
        "by an allocation policy. Run one with `liandong district my_district.toml`, change a pool's policy with "
        "`--policy sunk_cadres=by_backlog` (or `--policy by_backlog` for every pool), compare policies with "
        "`liandong compare my_district.toml --policy equal --policy by_vulnerability`. What the policies do and "
        "what the model finds: docs/district.md. The preset districts are in `scenarios/districts/`: "
        + ", ".join(f"`{n}`" for n in district.names()) + ". Validation is as strict as a scenario file's "
        "(docs/scenario-reference.md): unknown keys and wrong types are errors, and every message names the file "
        "and the field.")
    add("")
    add("Give the communities either as a `[communities]` table (a count, a size distribution and ranges of the "
        "traits that differ between places, drawn from `layout_seed`: the same file always gives the same "
        "communities) or as a `[[community]]` list, one entry per community. A pool left out is not shared: each "
        "community keeps its own scenario's numbers. A district holding the `volunteers` or `social_workers` pool "
        "switches volunteers or social organisations on in every community; the `supply` pool's days become every "
        "community's supply days.")
    add("")
    sections = [("Top level", district.District), ("`[communities]`", district.Communities),
                ("`[[community]]`", district.CommunityEntry), ("`[pools]`", district.Pools),
                ("`[pools.sunk_cadres]`, `[pools.volunteers]`, `[pools.social_workers]`", district.Pool),
                ("`[pools.supply]`", district.SupplyPool)]
    for title, model in sections:
        add(f"## {title}")
        add("")
        add(_doc(model))
        add("")
        out.extend(field_table(model))
        add("")
    add("## Policies")
    add("")
    add("| policy | shares the pool in proportion to | re-allocated |")
    add("|---|---|---|")
    add("| `equal` | 1 per community | never (the same every round) |")
    add("| `per_household` | households | never |")
    add("| `by_vulnerability` | households with an older person living alone, offline or chronically ill (once per "
        "group) | never |")
    add("| `by_backlog` | the reported backlog at the end of the last round (households before anything is "
        "reported) | every `round_days` |")
    add("")
    add("Shares are whole units by largest remainders, so they add up to the pool's `total`.")
    add("")
    add("## Example")
    add("")
    add("```toml")
    add(_validated_district_example().rstrip("\n"))
    add("```")
    add("")
    return "\n".join(out)


DISTRICT_EXAMPLE_TOML = '''\
name = "two_compounds"
description = "An old inner-city community and a new suburb sharing 40 sunk cadres by their backlog."
days = 90
round_days = 7

[[community]]
name = "old_town"
scenario = "wuhan_2020"
households = 2400
set = { "population.elderly_share" = 0.45, mass_base = 0.7 }

[[community]]
name = "new_suburb"
scenario = "wuhan_2020"
households = 3600
set = { "population.elderly_share" = 0.15, mass_base = 0.2 }

[pools.sunk_cadres]
total = 40
policy = "by_backlog"
'''


def _validated_district_example() -> str:
    district.communities(district.load(tomllib.loads(DISTRICT_EXAMPLE_TOML)))
    return DISTRICT_EXAMPLE_TOML


def main(argv: list[str] | None = None) -> None:
    """Print the reference, or write (`--write`) or check (`--check`) docs/scenario-reference.md."""
    parser = argparse.ArgumentParser(
        prog="python -m scenarios.reference",
        description="Generate the scenario file reference from scenarios/schema.py.")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help=f"write {DOC_PATH.relative_to(ROOT)}")
    mode.add_argument("--check", action="store_true",
                      help=f"exit 1 if {DOC_PATH.relative_to(ROOT)} differs from what the schema generates")
    parser.add_argument("--district", action="store_true", help="the district file reference instead "
                        "(docs/district-reference.md, from scenarios/district.py)")
    args = parser.parse_args(argv)
    text = render_district() if args.district else render()
    path = DISTRICT_DOC_PATH if args.district else DOC_PATH
    rel = path.relative_to(ROOT)
    if args.write:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        print(f"wrote {rel}")
    elif args.check:
        try:
            current = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            current = None
        if current != text:
            schema = "scenarios/district.py" if args.district else "scenarios/schema.py"
            state = "is missing" if current is None else f"is out of date with {schema}"
            print(f"{rel} {state}: run `make docs` (python -m scenarios.reference{' --district' * args.district} "
                  "--write) and commit it.", file=sys.stderr)
            sys.exit(1)
        print(f"{rel} is up to date")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
