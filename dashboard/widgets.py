"""Small pieces the pages share: a tooltip that does not cover the controls below it, and an error message in the
page's language."""

from __future__ import annotations

import html

import reacton.ipyvuetify as rv
import solara

from dashboard import messages
from dashboard.i18n import language, t


@solara.component
def Tip(text: str, children: list, side: str = "right"):
    """A tooltip beside its control (to the right by default, over the charts), after a short pause: shown below,
    as solara's are, it covered the next controls (the seed's hid Step, Play and Reset)."""

    def wire():
        for child in children:
            solara.get_widget(child).v_on = "tooltip.on"

    solara.use_effect(wire, children)
    return rv.Tooltip(**{side: True}, open_delay=300, max_width=360,
                     v_slots=[{"name": "activator", "variable": "tooltip", "children": children}],
                     children=[text])


@solara.component
def ErrorMessage(prefix: str, text: str, classes: list[str]):
    """A validation or run error: in Chinese translated (the scenario loader writes English), with the original
    kept one click away when a part of it could not be translated."""
    shown, complete = (text, True) if language.value == "en" else messages.translate(text)
    body = f"{html.escape(prefix)} {html.escape(shown)}".replace("\n", "<br>")
    if not complete:
        body += (f'<details class="original"><summary>{html.escape(t("original_message"))}</summary>'
                 f"{html.escape(text)}</details>")
    solara.Error(children=[solara.HTML(tag="div", unsafe_innerHTML=body)], classes=classes)
