"""The findings pages (`python -m experiments.findings`): built from real runs through the runner, committed under
docs/findings/, and naming every scenario they compare."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from experiments import findings

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "docs" / "findings"
SMALL = {"households": 300, "days": 30}


def test_a_small_comparison_builds_its_page_and_table(tmp_path):
    finding = findings.Finding("probe", "A probe", (findings.Variant("no_linkage", "no_linkage"),
                                                    findings.Variant("more cadres", "no_linkage",
                                                                     {"cadres.per_1000_households": 10.0})),
                               "differences")
    text, table = findings.build(finding, reps=3, root=tmp_path, overrides=SMALL)
    assert text.startswith("# A probe") and "`households` = 300" in text
    row = table[(table["scenario"] == "more cadres") & (table["key"] == "unmet_need_days")].iloc[0]
    assert row["n_pairs"] == 3 and row["mean_diff"] < 0  # twice the cadres leave fewer needs unmet
    line = next(x for x in text.splitlines() if x.startswith("| more cadres |"))
    assert "**-" in line  # that difference is clear, and shown in bold


def test_the_means_table_has_one_row_per_scenario(tmp_path):
    finding = findings.Finding("probe", "A probe", (findings.Variant("no_linkage", "no_linkage"),
                                                    findings.Variant("internal", "internal")), "means")
    text, table = findings.build(finding, reps=2, root=tmp_path, overrides=SMALL)
    assert list(table["scenario"]) == ["no_linkage", "internal"]
    assert (table["unmet_need_days_min"] <= table["unmet_need_days_mean"]).all()
    assert "| `internal` |" in text


@pytest.mark.parametrize("name", sorted(findings.FINDINGS))
def test_each_finding_is_committed_with_every_scenario(name):
    page = (FOLDER / f"{name}.md").read_text(encoding="utf-8")
    assert f"python -m experiments.findings --write docs/findings --only {name}" in page
    table = pd.read_csv(FOLDER / f"{name}.csv")
    labels = [v.label for v in findings.FINDINGS[name].variants]
    assert set(table["scenario"]) >= set(labels[1:] if findings.FINDINGS[name].kind == "differences" else labels)
    for label in labels:
        assert label in page


def test_an_unknown_finding_is_a_clear_error(capsys):
    with pytest.raises(SystemExit) as exc:
        findings.main(["--only", "nothing_like_it"])
    assert exc.value.code == 2 and "no such finding" in capsys.readouterr().err
