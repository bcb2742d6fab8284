"""The README's findings quote the generated findings pages (docs/findings/presets.csv, and posterior.csv for the
comparison over the calibration's posterior), figure for figure: a rebuilt page that moves a figure makes this test
name it, and the README is restated."""

from __future__ import annotations

import re
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
    """The text as read: one space for any run of white space, the figures' markers left out."""
    return " ".join(re.sub(r"<!--/?f(:[^>]*)?-->", "", text).split())


@pytest.mark.parametrize("preset, key, form, words", QUOTED, ids=[f"{p}-{k}" for p, k, _, _ in QUOTED])
def test_the_readme_quotes_the_findings_page(preset, key, form, words):
    figure = form.format(TABLE.loc[preset, f"{key}_mean"])
    quoted = f"{figure}{words}" if words.startswith(")") else f"{figure} {words}"
    assert _flat(quoted) in _flat(README), f"the README should quote {key} of {preset} as {figure}"


POSTERIOR = pd.read_csv(ROOT / "docs" / "findings" / "posterior.csv").set_index(["scenario", "key"])

# (scenario, summary key, how the README writes the paired difference from no_linkage, the words it stands beside,
#  the sign share quoted after it or None)
QUOTED_OVER_POSTERIOR = [
    ("internal", "unmet_need_days", "{:,.0f}", "by {} with internal linkage", None),
    ("external", "unmet_need_days", "{:,.0f}", "by {} with\nexternal linkage", None),
    ("three_social", "unmet_need_days", "{:,.0f}", "by {} with every linkage integrated", None),
    ("wuhan_2020", "unmet_need_days", "{:,.0f}", "by {} in `wuhan_2020`", None),
    ("external", "equity_ratio", "{:+.3f}", "({} on `equity_ratio`, with the sign of the mean in {} of the sets)",
     "{:.0%}"),
    ("external", "critical_failures", "{:+.2f}", "({}, with the sign of the mean in {} of the sets)", "{:.0%}"),
    ("categorized_recruitment", "equity_ratio", "{:+.4f}", "({}, {})", "{:.0%}"),
]


@pytest.mark.parametrize("scenario, key, form, words, share", QUOTED_OVER_POSTERIOR,
                         ids=[f"{s}-{k}" for s, k, *_ in QUOTED_OVER_POSTERIOR])
def test_the_readme_quotes_the_comparison_over_the_posterior(scenario, key, form, words, share):
    row = POSTERIOR.loc[(scenario, key)]
    figure = form.format(abs(row["mean_diff"]) if words.startswith("by") else row["mean_diff"])
    quoted = words.format(figure, share.format(row["sign_share"])) if share else words.format(figure)
    assert _flat(quoted) in _flat(README), f"the README should quote {key} of {scenario} as {quoted!r}"


def test_the_readme_says_every_linkage_cuts_unmet_need_days_in_every_parameter_set():
    cuts = POSTERIOR.xs("unmet_need_days", level="key")
    assert (cuts["mean_diff"] < 0).all() and (cuts["sign_share"] == 1.0).all(), cuts
    assert "every linkage cuts unmet need-days in every parameter set" in _flat(README)
