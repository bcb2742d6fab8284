"""Learn: a guided walk for a class through the source's kinds of linkage, each with a prepared pair of scenarios
to run and what to notice, and the 800-sign-up story as an exercise."""

from __future__ import annotations

import solara

from dashboard import compare, explore
from dashboard.i18n import t

#: (text key prefix, the pair of presets to compare: reference first).
STEPS = (
    ("learn_emergency", ("no_linkage", "emergency_online")),
    ("learn_external", ("no_linkage", "external")),
    ("learn_internal", ("no_linkage", "internal")),
    ("learn_three", ("leader_inactive", "three_social")),
    ("learn_story", ("open_recruitment", "categorized_recruitment")),
)


def go(page: str) -> None:
    from dashboard import app

    app.page.value = page


def run_pair(pair: tuple[str, str]) -> None:
    go("compare")
    compare.start(list(pair))


def open_in_explore(name: str) -> None:
    explore.choose_preset(name)
    go("explore")


@solara.component
def Learn():
    """The Learn page."""
    solara.Markdown(t("learn_intro"))
    for prefix, pair in STEPS:
        with solara.Card(t(f"{prefix}_title"), margin=0, classes=[f"learn-{prefix}"], style={"margin-bottom": "12px"}):
            solara.Markdown(t(f"{prefix}_text"))
            solara.Markdown(f"**{t('learn_notice')}:** {t(f'{prefix}_notice')}")
            with solara.Row(style={"flex-wrap": "wrap"}):
                solara.Button(t("learn_run_pair") + f" ({pair[0]} / {pair[1]})", on_click=lambda p=pair: run_pair(p),
                              color="primary", outlined=True)
                for name in pair:
                    solara.Button(t("learn_open", name=name), on_click=lambda n=name: open_in_explore(n), text=True)
