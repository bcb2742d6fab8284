"""The setup in the page's address: page, language, scenario, the settings changed on Explore, the seed, the
Compare page's choice, and a district's community opened from the District page (which district run it comes from:
`district.address_of`), so that a shared address (or a reload) shows the same setup and the same numbers.

An address is what any visitor can type, so it is read as bad input would be: a length cap, preset names only (no
file paths), only the levers the page itself offers, each value coerced to its lever's type, only a district the
District page offers (`district.from_address`); what does not fit is left out and the page says so.
"""

from __future__ import annotations

import typing
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import ipyvuetify as v
import solara
import traitlets

import scenarios
from dashboard import compare, district, explore, i18n

MAX_QUERY = 4000  # characters; a setup's address is a few hundred
MAX_SEED = 2**64 - 1  # the largest seed numpy takes as a 64-bit number (a district's community seeds are that large)
FIXED = ("page", "lang", "scenario", "seed", "compare", "reps", *district.ADDRESS_KEYS)


class UrlState(v.VuetifyTemplate):
    """The address's query in (`initial`, once, on load) and out (`query`, after every change) (url_state.vue)."""

    template_file = str(Path(__file__).with_name("url_state.vue"))
    initial = traitlets.Unicode("").tag(sync=True)
    query = traitlets.Unicode(None, allow_none=True).tag(sync=True)


def levers() -> set[str]:
    """The settings the address may carry: those the Explore page offers."""
    return {key for section in explore.MECHANISMS for key, _, _ in explore._fields(section)} | {"mass_base",
                                                                                                  "households"}


def current_query(page: str) -> str:
    """The query string of the session's setup."""
    params: list[tuple[str, str]] = [("page", page), ("lang", i18n.language.value)]
    base = explore.current_base()
    if base.name in scenarios.names():
        params.append(("scenario", base.name))
    held = explore.shares.value or explore.awaited.value
    if held is not None:
        params += district.address_of(held)
    if explore.seed.value:
        params.append(("seed", str(explore.seed.value)))
    for key, value in sorted(explore.edits.value.items()):
        params.append((key, str(value).lower() if isinstance(value, bool) else str(value)))
    if page == "compare":
        params += [("compare", ",".join(c for c in compare.selection.value if c in scenarios.names())),
                   ("reps", str(compare.reps.value))]
    return urlencode(params, safe=",:")


def _coerce(key: str, text: str):
    kind = type(explore._base_value(key))
    if kind is bool:
        if text.lower() not in ("true", "false", "1", "0"):
            raise ValueError(text)
        return text.lower() in ("true", "1")
    return kind(float(text)) if kind is int and float(text).is_integer() else kind(text)


def apply(query: str, set_page: typing.Callable[[str], None], pages: typing.Iterable[str]) -> list[str]:
    """Set up the session from an address's query; returns the parameters that were left out."""
    if len(query) > MAX_QUERY:
        return ["…"]
    params = dict(parse_qsl(query.strip(), keep_blank_values=False, max_num_fields=200))
    ignored = []
    if params.get("lang") in i18n.LANGUAGES:
        i18n.language.value = params["lang"]
    elif "lang" in params:
        ignored.append("lang")
    name = params.get("scenario")
    if name in scenarios.names():
        explore.base.value = scenarios.load(name)
    elif name:
        ignored.append("scenario")
    explore.leave_district()
    held, left_out = district.from_address(params)
    ignored += left_out
    if held is not None:  # a district's community: its scenario now, its shares once its district run ran again
        district.reopen(held)
    seed = params.get("seed", "")
    if seed.isascii() and seed.isdigit() and len(seed) <= 20 and int(seed) <= MAX_SEED:
        explore.seed.value = int(seed)
    elif seed:
        ignored.append("seed")
    elif held is not None:
        explore.seed.value = district.community_seed_of(held)
    allowed = levers()
    edits = {}
    for key, text in params.items():
        if key in FIXED:
            continue
        try:
            if key not in allowed:
                raise KeyError(key)
            edits[key] = _coerce(key, text)
        except (KeyError, ValueError, TypeError):
            ignored.append(key)
    explore.edits.value = {}
    for key, value in edits.items():
        explore.set_edit(key, value)
    chosen = [c for c in params.get("compare", "").split(",") if c in scenarios.names()]
    if compare.MIN_SCENARIOS <= len(chosen) <= compare.MAX_SCENARIOS:
        compare.selection.value = chosen
    reps = params.get("reps", "")
    if reps.isdigit() and len(reps) <= 6:
        compare.reps.value = max(1, int(reps))
    if params.get("page") in pages:
        set_page(params["page"])
    explore.reset()
    return ignored


@solara.component
def AddressBar(page: str, set_page: typing.Callable[[str], None], pages: typing.Iterable[str]):
    """Reads the address once when the page loads, then keeps it up to date with the setup."""
    loaded, set_loaded = solara.use_state(False)
    ignored, set_ignored = solara.use_state(typing.cast(list, []))

    def on_initial(text: str) -> None:
        if not loaded:
            set_ignored(apply(text, set_page, pages))
            set_loaded(True)

    query = current_query(page) if loaded else None
    UrlState.element(query=query, on_initial=on_initial)
    if ignored:
        solara.Warning(i18n.t("url_ignored", keys=", ".join(ignored[:10])), dense=True, classes=["url-ignored"])
