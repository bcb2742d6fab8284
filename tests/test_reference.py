"""The scenario reference page is generated from the schema; every parameter documents its source.

docs/scenario-reference.md must be exactly what `scenarios.reference.render()` produces (regenerate it with
`make docs`). Every field of the scenario file (top level, each section, each `[[phases]]` entry) needs a
description and a `source` in its `json_schema_extra`; a source that cites none of sources, the source panel or
the model requirements must say the value is "assumed" (docs/sources.md: a parameter without a sourced figure
"needs a sensitivity analysis, and its default must say it is assumed").
"""

from __future__ import annotations

import re
import typing

import pytest
from pydantic import BaseModel

from scenarios import reference
from scenarios.schema import Phase, Scenario

# A source cites the notes, the model requirements, or a section of docs/sources.md as `sources: <section>`.
CITED = re.compile(r"\bsources[:,]|source panel|model requirements|\bsources\b", re.IGNORECASE)
ASSUMED = re.compile(r"\bassumed\b", re.IGNORECASE)

# Fields of the schema that break the documentation rule today. Each is reported, not hidden: its test is an
# xfail(strict) that turns into a failure once the schema is fixed, so the entry must then be removed here.
KNOWN_VIOLATIONS: dict[str, str] = {}


def _section_class(annotation) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _section_class(arg)
        if found is not None:
            return found
    return None


def _all_fields():
    """(dotted id, field) for the top level, every section and the phase entries, in schema order."""
    out = [(name, field) for name, field in Scenario.model_fields.items()]
    for name, field in Scenario.model_fields.items():
        section = _section_class(field.annotation)
        if section is None:
            continue
        prefix = "phases[]" if section is Phase else name
        out += [(f"{prefix}.{sub}", f) for sub, f in section.model_fields.items()]
    return out


FIELDS = _all_fields()


def _param(key, field):
    marks = [pytest.mark.xfail(strict=True, reason=f"schema.py: {key}: {KNOWN_VIOLATIONS[key]}")] \
        if key in KNOWN_VIOLATIONS else []
    return pytest.param(key, field, id=key, marks=marks)


def test_committed_reference_is_up_to_date():
    path = reference.DOC_PATH
    assert path.exists(), f"{path} is missing: run `make docs` (python -m scenarios.reference --write)"
    assert path.read_text(encoding="utf-8") == reference.render(), (
        f"{path.name} differs from what scenarios/schema.py generates: run `make docs` "
        "(python -m scenarios.reference --write) and commit the result")


def test_render_is_deterministic_and_covers_every_field():
    text = reference.render()
    assert text == reference.render()
    for key, _ in FIELDS:
        assert f"| `{key.rsplit('.', 1)[-1]}` |" in text, f"{key} has no row in the reference"


def test_check_mode_exit_status(tmp_path, monkeypatch, capsys):
    page = tmp_path / "scenario-reference.md"
    monkeypatch.setattr(reference, "DOC_PATH", page)
    monkeypatch.setattr(reference, "ROOT", tmp_path)
    with pytest.raises(SystemExit) as missing:
        reference.main(["--check"])
    assert missing.value.code == 1
    reference.main(["--write"])
    reference.main(["--check"])  # up to date: no exit
    page.write_text(page.read_text(encoding="utf-8") + "hand edit\n", encoding="utf-8")
    with pytest.raises(SystemExit) as stale:
        reference.main(["--check"])
    assert stale.value.code == 1
    assert "make docs" in capsys.readouterr().err


@pytest.mark.parametrize("key, field", [_param(k, f) for k, f in FIELDS])
def test_field_is_documented_with_its_source(key, field):
    assert field.description and field.description.strip(), f"{key}: no description"
    extra = field.json_schema_extra
    source = extra.get("source") if isinstance(extra, dict) else None
    assert isinstance(source, str) and source.strip(), f"{key}: no `source` in json_schema_extra"
    assert CITED.search(source) or ASSUMED.search(source), (
        f"{key}: source {source!r} cites neither sources, the source panel, the model requirements nor a section of "
        "docs/sources.md ('sources: ...'), and does not say 'assumed'")


def test_known_violations_name_real_fields():
    keys = {k for k, _ in FIELDS}
    assert set(KNOWN_VIOLATIONS) <= keys, set(KNOWN_VIOLATIONS) - keys
