"""The README's findings quote the generated findings page (docs/findings/presets.csv), figure for figure: a
rebuilt page that moves a figure makes this test name it, and the README is restated."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
TABLE = pd.read_csv(ROOT / "docs" / "findings" / "presets.csv").set_index("scenario")

# (preset, summary key, how the README writes it, the words the figure stands beside)
QUOTED = [
    ("no_linkage", "unmet_need_days", "{:,.0f}", "under cadres alone (`no_linkage`)"),
    ("internal", "unmet_need_days", "{:,.0f}", "with internal linkage"),
    ("three_social", "unmet_need_days", "{:,.0f}", "with every linkage integrated"),
    ("wuhan_2020", "unmet_need_days", "{:,.0f}", "in `wuhan_2020`"),
    ("external", "equity_ratio", "{:.2f}", "under `external`"),
    ("no_linkage", "equity_ratio", "{:.2f}", "under cadres alone"),
    ("wuhan_2020", "equity_ratio", "{:.2f}", "in `wuhan_2020`"),
    ("emergency_online", "equity_ratio", "{:.2f}", "under\n`emergency_online`"),
    ("three_social", "equity_ratio", "{:.2f}", "under `three_social`"),
    ("open_recruitment", "volunteer_coordinator_overload_days", "{:.1f}", "under `open_recruitment`"),
    ("categorized_recruitment", "volunteer_coordinator_overload_days", "{:.1f}", "under `categorized_recruitment`"),
    ("categorized_recruitment", "unmet_need_days", "{:,.0f}", "against"),
    ("open_recruitment", "unmet_need_days", "{:,.0f}", "), though"),
]


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("preset, key, form, words", QUOTED, ids=[f"{p}-{k}" for p, k, _, _ in QUOTED])
def test_the_readme_quotes_the_findings_page(preset, key, form, words):
    figure = form.format(TABLE.loc[preset, f"{key}_mean"])
    quoted = f"{figure}{words}" if words.startswith(")") else f"{figure} {words}"
    assert _flat(quoted) in _flat(README), f"the README should quote {key} of {preset} as {figure}"
