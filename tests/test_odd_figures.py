"""The figures docs/odd.md and the README quote are those `make findings` generated, and the claims they make hold.

`python -m experiments.odd_figures --write` measures every figure the two documents quote from runs, writes them to
docs/findings/odd.csv and its tables to docs/findings/<name>.md, and writes them back into the documents between
invisible markers. These tests read files only (no model runs): every marker quotes the generated text, every
generated figure and table is quoted, every claim of the prose still holds on the generated numbers, and the
parameter tables of the ODD state the schema's defaults and the presets' values.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import scenarios
from experiments.odd_figures import (
    DOCS,
    FIGURE,
    TABLE,
    days_text,
    fill,
    n0,
    on_days,
    p0,
    read,
    seeds_phrase,
    signed,
    signed_span,
    span,
    updown,
)

ROOT = Path(__file__).resolve().parent.parent
FINDINGS = ROOT / "docs" / "findings"
DOCUMENTS = {str(path.relative_to(ROOT)): path.read_text(encoding="utf-8") for path in DOCS}
CSV = pd.read_csv(FINDINGS / "odd.csv", keep_default_na=False, dtype={"text": str, "holds": str})
FIGURES, TABLES = read(FINDINGS)


def _quoted() -> list[tuple[str, str, str]]:
    """(document, figure name, text as quoted) for every marker."""
    return [(doc, m.group(1), m.group(2)) for doc, text in DOCUMENTS.items() for m in FIGURE.finditer(text)]


def test_markers_are_well_formed():
    """Every opening marker is closed, none is nested, and none spans a paragraph."""
    for doc, text in DOCUMENTS.items():
        assert text.count("<!--f:") == text.count("<!--/f-->") == len(FIGURE.findall(text)), doc
        for name, quoted in FIGURE.findall(text):
            assert "<!--" not in quoted and "\n\n" not in quoted, (doc, name)
        assert text.count("<!-- begin:") == text.count("<!-- end:") == len(TABLE.findall(text)), doc


def test_every_marker_quotes_the_generated_figure():
    wrong = [(doc, name, quoted, FIGURES.get(name, "<no such figure>")) for doc, name, quoted in _quoted()
             if FIGURES.get(name) != quoted]
    assert not wrong, ("run `python -m experiments.odd_figures --fill` (or --write after changing the model): "
                       f"{wrong[:10]}")


def test_every_generated_figure_is_quoted():
    """Of the runs' figures (odd.csv); experiments/quoted.py derives a family of figures from each district
    comparison, and the documents quote those they need."""
    used = {name for _, name, _ in _quoted()}
    unused = sorted(set(CSV["name"]) - used)
    assert not unused, f"figures generated but quoted nowhere (quote them or stop generating them): {unused}"


def test_every_table_is_the_generated_one_and_every_generated_table_is_quoted():
    spliced = {}
    for doc, text in DOCUMENTS.items():
        for m in TABLE.finditer(text):
            spliced[m.group(2)] = m.group(3).rstrip("\n")
            assert m.group(2) in TABLES, (doc, m.group(2))
            assert spliced[m.group(2)] == TABLES[m.group(2)], f"{doc}: table {m.group(2)} differs; run --fill"
    assert set(spliced) == set(TABLES), sorted(set(TABLES) ^ set(spliced))


def test_filling_again_changes_nothing():
    for doc, text in DOCUMENTS.items():
        assert fill(text, FIGURES, TABLES, doc) == text, doc


def test_every_claim_of_the_prose_holds():
    """A claim is a statement of the prose that rests on the numbers (a direction, "in every seed", a pattern test's
    criterion): when a rebuilt page no longer supports it, the sentence must be restated."""
    claims = CSV[CSV["holds"] != ""]
    assert len(claims) >= 50
    failed = claims.loc[claims["holds"] != "True", ["name", "scenario"]].values.tolist()
    assert not failed, f"claims of docs/odd.md or the README that the generated figures no longer support: {failed}"


def test_every_figure_says_where_it_comes_from():
    assert list(CSV.columns[:3]) == ["name", "text", "value"]
    assert CSV["name"].is_unique
    for row in CSV.itertuples():
        assert row.scenario and row.seeds and row.households and row.days, row.name
    numeric = pd.to_numeric(CSV["value"], errors="coerce")
    assert numeric.notna().mean() > 0.9  # texts such as "day 28" carry their value too, where there is one


def test_the_generated_page_names_the_code_it_was_built_from():
    page = (FINDINGS / "odd.md").read_text(encoding="utf-8")
    assert re.search(r"at code \S+\+g[0-9a-f]{12}", page), "docs/findings/odd.md must record the code version"
    assert "seeds 0–9" in page.lower() or "Seeds 0–9" in page


def test_no_paragraph_describes_older_code():
    text = DOCUMENTS["docs/odd.md"]
    for stale in ("at this commit", "Measured before", "measured before", "before this commit"):
        assert stale not in text, stale


# --- the parameter tables state the schema's defaults and the presets' values ------------------------------------
BASE = scenarios.Scenario()
ABSENT = object()


def _value(text: str):
    """A table cell as a value: `true`, 0.5, [27, 34], ¥40 ...; None if the cell is prose, not a value."""
    text = text.strip().strip("`").replace("¥", "")
    text = re.split(r" \(| a day", text)[0].strip().strip("`")
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"\[[\d, ]*\]", text):
        return [int(x) for x in text.strip("[]").split(",") if x.strip()]
    try:
        return float(text)
    except ValueError:
        return text if re.fullmatch(r"[a-z_]+", text) else None


def _field(scenario, section: str, name: str):
    node = getattr(scenario, section, ABSENT) if section else scenario
    return getattr(node, name, ABSENT) if node is not ABSENT else ABSENT


def _same(stated, actual) -> bool:
    if isinstance(stated, float) and isinstance(actual, int | float) and not isinstance(actual, bool):
        return math.isclose(stated, float(actual), rel_tol=1e-9, abs_tol=1e-12)
    return stated == actual


def _parameter_rows():
    """(table, section, field, column, stated value) for each cell of the ODD's parameter tables."""
    text = DOCUMENTS["docs/odd.md"]
    for m in re.finditer(r"Parameters \(sections? (`\[[a-z]+\]`(?: and `\[[a-z]+\]`)?)[^\n]*\n\n((?:\|.*\n)+)", text):
        sections = re.findall(r"\[([a-z]+)\]", m.group(1))
        head, _, *rows = m.group(2).strip("\n").split("\n")
        columns = [c.strip().replace("`", "") for c in head.strip("|").split("|")]
        for row in rows:
            cells = [c.strip() for c in row.strip("|").split("|")]
            names = [n.strip().strip("`") for n in cells[0].split(",")]
            for col, cell in zip(columns[1:], cells[1:]):
                if col.startswith("source"):
                    continue
                values = [cell] if len(names) == 1 else [v for v in cell.split(", ")]
                for name, value in zip(names, values):
                    section, _, field = name.rpartition(".")
                    yield m.group(0)[:40], section or sections[0], field, col, _value(value)
    table = text[text.index("| parameter | default | range to cover |"):]
    for row in table.split("\n")[2:]:
        if not row.startswith("| `"):
            break
        cells = [c.strip() for c in row.strip("|").split("|")]
        name = cells[0].strip("`")
        if re.fullmatch(r"[a-z_]+(\.[a-z_]+)?", name):
            section, _, field = name.rpartition(".")
            yield "7.21", section, field, "default", _value(cells[1])


def test_the_parameter_tables_state_the_schema_defaults_and_the_presets_values():
    presets = {name: scenarios.load(name) for name in scenarios.names()}
    checked, wrong = 0, []
    for where, section, field, column, stated in _parameter_rows():
        if stated is None:
            continue
        if column == "default":
            scenario = BASE
        else:
            scenario = presets[column.split()[0]]
        actual = _field(scenario, section, field)
        if actual is ABSENT:
            wrong.append((where, f"{section}.{field}", "not a field of the schema"))
            continue
        checked += 1
        if not _same(stated, actual):
            wrong.append((where, f"{section}.{field}", column, stated, actual))
    assert not wrong, wrong
    assert checked > 150, checked


def test_every_figure_names_scenarios_that_exist():
    """The scenarios the CSV names are presets, with dotted overrides."""
    presets = set(scenarios.names())
    for row in CSV.itertuples():
        for label in row.scenario.split("; "):
            assert label.split()[0] in presets, (row.name, label)


# --- the generator's own rules ---------------------------------------------------------------------------------------
def test_fill_rewrites_markers_and_tables_and_names_what_it_cannot_fill():
    text = "a <!--f:x.y-->old<!--/f--> b\n\n<!-- begin:t -->\n| old |\n<!-- end:t -->\nc <!--f:x.y--><!--/f-->"
    filled = fill(text, {"x.y": "1,234"}, {"t": "| new |\n|---|"})
    assert filled == "a <!--f:x.y-->1,234<!--/f--> b\n\n<!-- begin:t -->\n| new |\n|---|\n<!-- end:t -->\n" \
                     "c <!--f:x.y-->1,234<!--/f-->"
    with pytest.raises(KeyError, match="x.y"):
        fill(text, {}, {"t": ""}, "doc.md")
    with pytest.raises(KeyError, match="t"):
        fill(text, {"x.y": "1"}, {}, "doc.md")


def test_figures_read_the_same_whatever_the_numbers():
    assert span(1886, 2051, n0) == "1,886–2,051" and span(3, 3.2, n0) == "3"
    assert span(0.3, 0.34, p0) == "30–34%"
    assert signed_span(-0.12, 0.18, p0) == "−12% to +18%"
    assert signed(n0)(-1271) == "−1,271" and signed(n0)(1271) == "+1,271" and signed(n0)(0.2) == "0"
    assert seeds_phrase(10, 10) == "in every seed" and seeds_phrase(7, 10) == "in 7 of 10 seeds"
    assert seeds_phrase(0, 10) == "in none of the 10 seeds"
    assert on_days(np.array([28, 28])) == "on day 28 in every seed" and on_days(np.array([27, 29])) == "on days 27–29"
    assert days_text(np.array([29, 29])) == "day 29"
    assert updown(np.array([-1, -2, 3, 0])) == "2 down, 1 up, 1 level"


def test_a_district_comparison_is_quoted_as_its_paired_differences(tmp_path):
    """experiments/quoted.py reads a comparison's CSV: the mean paired difference from `equal`, its share of the
    mean under `equal`, its 95% interval, and the table the district page splices in."""
    from experiments import quoted

    rows = []
    for seed in range(4):
        for policy, shift in (("equal", 0.0), ("per_household", -1.0), ("by_vulnerability", -2.0),
                              ("by_backlog", 4.0)):
            jitter = 0.1 * (seed % 2) if policy != "equal" else 0.0
            rows.append({"scenario": policy, "seed": seed, "status": "ok",
                         "worst_decile_unmet_per_household": 10.0 + seed + shift + jitter,
                         "unmet_need_days_per_household": 5.0 + seed + shift / 2,
                         "gini_unmet_per_household": 0.1, "critical_failures": 100.0 + shift * 10})
    path = tmp_path / "d.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    figures, tables = quoted.policies(path, "x")
    assert figures["district.x.equal.worst"] == "11.50"
    assert figures["district.x.by_backlog.worst_diff"] == "+4.05"
    assert figures["district.x.by_vulnerability.total_diff"] == "−1.00"
    assert figures["district.x.by_vulnerability.total_change"] == "−15%"  # -1 of a mean of 6.5
    assert figures["district.x.by_backlog.failures_diff"] == "+40"
    assert figures["district.x.by_vulnerability.total_ci"] == "−1.00 to −1.00"  # the same shift in every seed
    low, high = figures["district.x.by_backlog.worst_ci"].split(" to ")
    assert float(low.replace("−", "-")) < 4.05 < float(high.replace("−", "-"))
    table = tables["district_x"].splitlines()
    assert len(table) == 6 and table[2].startswith("| `equal` | 11.50 |")
