"""Small pieces the pages share: a tooltip that does not cover the controls below it, an error message in the
page's language, and text with emphasis (`Prose`)."""

from __future__ import annotations

import functools
import html

import markdown
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


@functools.lru_cache(maxsize=512)
def _prose_html(text: str) -> str:
    return markdown.markdown(html.escape(text, quote=False))


@solara.component
def Prose(text: str, lead: str = ""):
    """A short text with Markdown emphasis (`**bold**`, `*italic*`, lists), rendered to HTML on the server, after
    `lead` in bold ("Predict first: ").

    Solara's `Markdown` loads mermaid and KaTeX into the page the first time one is shown (about 1 MB of
    compressed script, parsed on every page load); the dashboard's texts need neither. The text is escaped first,
    so only Markdown's own markup becomes HTML. The lead's trailing space goes after its closing `**`: Markdown
    does not close emphasis after a space, and would show "**Predict first: **" as typed."""
    core = lead.rstrip()
    if core:
        text = f"**{core}**{lead[len(core):]}{text}"
    solara.HTML(tag="div", unsafe_innerHTML=_prose_html(text), classes=["prose"])
