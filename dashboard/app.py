"""The dashboard's entry point for `solara run`: the page switch (Explore, Compare, District, Learn), the language
switch, presentation mode, and the setup kept in the page's address (share.py).

Navigation and language are per-session reactive values rather than URL routes, so that every label, including
the page names, follows the language switch; the address mirrors them as a query string.
"""

from __future__ import annotations

import ctypes
import gc
import threading

import solara

from dashboard import charts, compare, district, explore, i18n
from dashboard.compare import Compare
from dashboard.district import DistrictPage
from dashboard.explore import Explore
from dashboard.i18n import LANGUAGE_NAMES, LANGUAGES, t
from dashboard.learn import Learn
from dashboard.navigation import page
from dashboard.share import AddressBar
from dashboard.widgets import Tip

PAGES = {"explore": Explore, "compare": Compare, "district": DistrictPage, "learn": Learn}
RETURN_MEMORY_AFTER = 2.0  # seconds: after solara's own collection of the closed session


def end_session() -> None:
    """A browser session ends (its tab closed, its connection lost for good, or the server stops): stop its
    comparison and its Play, and release its models, so that nothing of it keeps the server's cores or memory."""
    compare.end_session()
    district.end_session()
    explore.end_session()
    threading.Timer(RETURN_MEMORY_AFTER, return_memory).start()


def return_memory() -> None:
    """Collect what closed sessions left, and hand freed memory back to the system (glibc keeps freed blocks for
    reuse otherwise, and the server's size then only grows)."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


@solara.lab.on_kernel_start
def _session_started():
    return end_session  # solara calls it when the session (virtual kernel) closes

CSS = """
.v-btn { text-transform: none !important; letter-spacing: normal !important; }
.page { padding: 12px; }
.explore { display: grid; grid-template-columns: minmax(280px, 340px) minmax(0, 1fr); gap: 16px; }
.explore-controls, .explore-live { min-width: 0; }
.drawer-toggle, .drawer-close { display: none !important; }
.presentation { font-size: 18px; }
.presentation .summary-card .card-label { font-size: 16px; }
.presentation .summary-card .card-value { font-size: 30px; }
.presentation .day-label { font-size: 26px !important; }
.presentation .timeline { height: 34px; font-size: 16px; }
.presentation .tl-phase { line-height: 34px; }
.presentation .compare-table { font-size: 17px; }
.presentation .compare-table .definition, .presentation .compare-table .interval { font-size: 14px; }
.presentation .note, .presentation .why { font-size: 16px; }
.lesson .v-btn:not(.v-btn--icon) { height: auto !important; min-height: 36px; max-width: 100%; }
.lesson .v-btn__content { white-space: normal; flex-shrink: 1; text-align: left; line-height: 1.3; padding: 4px 0; }
.chart-picker { flex-wrap: wrap; margin: 6px 0; }
.chart-picker .v-btn { height: auto !important; min-height: 36px; white-space: normal; }
/* the controls as a drawer: on a phone, and in presentation mode (the charts get the screen's whole width) */
.presentation .explore { display: block; }
.presentation .drawer-toggle { display: inline-flex !important; margin-bottom: 6px; }
.presentation .drawer-close { display: inline-flex !important; }
.presentation .drawer-closed .explore-controls { display: none; }
.presentation .drawer-open .explore-controls { position: fixed; top: 64px; left: 0; bottom: 0; width: 400px;
                                               overflow-y: auto; overflow-x: hidden; background: white; z-index: 8;
                                               padding: 12px; box-shadow: 2px 0 12px rgba(0, 0, 0, 0.3); }
@media (max-width: 900px) {
  .explore { display: block; }
  .drawer-toggle { display: inline-flex !important; margin-bottom: 6px; }
  .drawer-close { display: inline-flex !important; }
  .drawer-closed .explore-controls { display: none; }
  .drawer-open .explore-controls { position: fixed; top: 56px; left: 0; bottom: 0; width: min(380px, 92vw);
                                   overflow-y: auto; overflow-x: hidden; background: white; z-index: 8;
                                   padding: 12px; box-shadow: 2px 0 12px rgba(0, 0, 0, 0.3); }
  .app-title { display: none; }
  .app-nav .v-btn { padding: 0 6px !important; min-width: 0 !important; }
  .btn-presentation { display: none !important; }
  .summary-card { min-width: 0; flex: 1 1 40%; }
  .page { padding: 8px; }
}
.compare-table { border-collapse: collapse; margin-bottom: 10px; }
.compare-table caption { text-align: left; font-weight: 600; padding: 4px 0; }
.compare-table th, .compare-table td { padding: 4px 8px; border-bottom: 1px solid #ddd; text-align: right;
                                       vertical-align: top; }
.compare-table td:first-child, .compare-table th:first-child { text-align: left; max-width: 360px; }
.compare-table .definition { font-size: 11px; color: #666; font-weight: normal; }
.compare-table .direction { font-size: 11px; color: #1565c0; }
.compare-table .interval { font-size: 11px; color: #666; white-space: nowrap; }
.compare-table .mean, .compare-table .change { font-weight: 600; white-space: nowrap; }
.verdict { white-space: nowrap; font-weight: 600; }
.verdict-better { color: #2e7d32; }
.verdict-worse { color: #c62828; }
.verdict-neutral { color: #555; }
.note { font-size: 12px; color: #555; display: block; margin: 2px 0 6px 0; }
.why { font-size: 13px; color: #333; }
.explore-controls .v-file-input .v-counter { display: none; }
.section-btn .v-btn__content { flex-direction: row-reverse; justify-content: space-between; width: 100%; }
.chart .vega-embed { width: 100%; }
.summary-cards { display: flex; flex-wrap: wrap; gap: 6px; margin: 6px 0; }
.summary-card { min-width: 150px; padding: 6px 10px; border-radius: 4px; background: white;
                box-shadow: 0 1px 3px rgba(0, 0, 0, 0.2); }
.summary-card .card-label { font-size: 12px; color: #555; }
.summary-card .card-value { font-size: 20px; font-weight: 600; }
.timeline { position: relative; height: 26px; margin: 6px 0 2px 0; background: #fafafa; border-radius: 3px;
            font-size: 12px; overflow: hidden; }
.tl-phase { position: absolute; top: 0; height: 100%; line-height: 26px; padding: 0 4px; box-sizing: border-box;
            white-space: nowrap; overflow: hidden; text-overflow: ellipsis; color: #333;
            border-left: 1px solid #bbb; }
.tl-phase-0 { background: #e8eef7; }
.tl-phase-1 { background: #f3f6fb; }
.tl-event { position: absolute; top: 0; width: 3px; margin-left: -1px; height: 7px; background: #e08a00; }
.tl-today { position: absolute; top: 0; width: 2px; margin-left: -1px; height: 100%; background: #c62828; }
"""


@solara.component
def Page():
    solara.Title(t("app_title"))
    solara.Style(CSS)
    with solara.AppBar():
        with solara.Row(style={"align-items": "center", "background": "transparent", "flex-wrap": "nowrap"},
                        classes=["app-nav"]):
            for key in PAGES:
                solara.Button(t(f"page_{key}"), on_click=lambda k=key: page.set(k), text=True,
                              outlined=page.value == key, classes=[f"nav-{key}"], style={"color": "white"})
            Tip(t("presentation_tip"), side="bottom", children=[solara.Div(children=[
                solara.Button(t("presentation"), icon_name="mdi-projector-screen", text=True,
                              outlined=charts.presenting.value, style={"color": "white"},
                              on_click=lambda: charts.presenting.set(not charts.presenting.value),
                              classes=["btn-presentation"])])])
            solara.ToggleButtonsSingle(value=i18n.language.value, on_value=i18n.language.set,
                                       classes=["language-switch"],
                                       children=[solara.Button(LANGUAGE_NAMES[code], value=code,
                                                               classes=[f"lang-{code}"]) for code in LANGUAGES])
    with solara.AppBarTitle():
        solara.Text(t("app_title"), classes=["app-title"])
    with solara.Div(classes=["page", "presentation" if charts.presenting.value else "normal"]):
        AddressBar(page.value, page.set, list(PAGES))
        PAGES[page.value]()
