"""Every page in each language, in a real headless Chromium: no visible text, chart text, option, tooltip or error
message on a page in one language contains text of the other (apart from proper names and the file's own keys)."""

from __future__ import annotations

from playwright.sync_api import expect

import scenarios

from dashboard_fixtures import *  # noqa: F403 (the server, browser and page fixtures)
from dashboard_fixtures import foreign

BAD_FILE = b'name = "bad"\nextends = "no_linkage"\n[needs]\nacute_rat = 0.001\n[online]\nreport_prob = 3\n'
FIELD_NAMES = tuple(sorted({name for s in scenarios.Scenario.model_fields.values()
                            for name in getattr(s.annotation, "model_fields", {})}, key=len, reverse=True))

#: What the page shows: its text, the charts' text, and the titles (tooltips) of its elements.
VISIBLE = """() => [document.body.innerText,
    ...[...document.querySelectorAll('svg text')].map(e => e.textContent),
    ...[...document.querySelectorAll('[title]')].map(e => e.getAttribute('title'))]"""


def check(page, language: str, where: str, found: dict) -> None:
    texts = page.evaluate(VISIBLE)
    bad = sorted({piece for text in texts for piece in foreign(text, language, FIELD_NAMES)})
    if bad:
        found[(language, where)] = bad


#: An open menu (a control's Tip that opens meanwhile, on a slow machine, is `.menuable__content__active` too).
MENU = ".v-menu__content.menuable__content__active"


def menu_texts(page, selector: str) -> list[str]:
    page.click(selector)
    menu = page.locator(MENU)
    expect(menu).to_be_visible()
    texts = menu.all_inner_texts()
    # On a loaded machine the key can reach the page before the menu has the focus, and a menu without it ignores
    # Escape: press again until it closes.
    for _ in range(5):
        page.keyboard.press("Escape")
        try:
            expect(page.locator(MENU)).to_have_count(0, timeout=6_000)
            break
        except AssertionError:
            continue
    expect(page.locator(MENU)).to_have_count(0)
    return texts


def open_every_section(page) -> None:
    """Open each mechanism's section that is not open yet (its chevron points up once it is). On a loaded machine a
    click can reach a button while the page is still redrawn for the new language and be lost: click again."""
    for button in page.locator(".section-btn").all():
        opened = button.locator(".mdi-chevron-up")
        for _ in range(5):
            if opened.count():
                break
            button.click()
            try:
                expect(opened).to_have_count(1, timeout=6_000)
                break
            except AssertionError:
                continue
        expect(opened).to_have_count(1)


def test_no_page_shows_text_of_the_other_language(dashboard):
    page, watch = dashboard
    found: dict = {}
    for run, language in enumerate(("zh", "en"), start=1):
        page.click(f".lang-{language}")
        page.click(".nav-explore")
        page.wait_for_selector(".btn-step")
        open_every_section(page)
        expect(page.locator(".lever-volunteers-mode")).to_be_visible()
        page.locator("input[type=file]").set_input_files(
            {"name": "bad.toml", "mimeType": "text/plain", "buffer": BAD_FILE})
        expect(page.locator(".upload-error")).to_be_visible()
        page.click(".btn-step")
        page.wait_for_function("() => document.querySelectorAll('.liandong-chart svg').length >= 6")
        check(page, language, "explore", found)
        options = (menu_texts(page, ".preset-select") + menu_texts(page, ".lever-volunteers-mode")
                   + menu_texts(page, ".lever-external-targeting"))
        bad = sorted({p for text in options for p in foreign(text, language, FIELD_NAMES)})
        if bad:
            found[(language, "options")] = bad
        page.locator(".seed-input").hover()  # a tooltip
        tip = page.locator(".v-tooltip__content.menuable__content__active")
        expect(tip).to_be_visible()
        if foreign(tip.inner_text(), language):
            found[(language, "tooltip")] = foreign(tip.inner_text(), language)
        page.click(".nav-compare")
        field = page.locator(".compare-reps input")
        field.fill("2")
        field.press("Enter")
        for selector, value in ((".compare-households input", "300"), (".compare-days input", "20")):
            page.locator(selector).fill(value)
            page.locator(selector).press("Enter")
            expect(page.locator(selector)).to_have_value(value)
        page.click(".btn-compare")
        expect(page.locator(f".compare-results-{run} table.differences")).to_be_visible(timeout=120_000)
        check(page, language, "compare", found)
        # An error on Compare. On a loaded machine the click can be handled before the new value is: try again.
        for _ in range(3):
            page.locator(".compare-days input").fill("99999")
            page.locator(".compare-days input").press("Enter")
            expect(page.locator(".compare-days input")).to_have_value("99999")
            page.click(".btn-compare")
            try:
                expect(page.locator(".compare-error")).to_be_visible(timeout=15_000)
                break
            except AssertionError:
                continue
        expect(page.locator(".compare-error")).to_be_visible()
        check(page, language, "compare error", found)
        page.locator(".compare-days input").fill("")
        page.locator(".compare-days input").press("Enter")
        page.click(".nav-district")
        for selector, value in ((".district-reps input", "1"), (".district-days input", "10")):
            page.locator(selector).fill(value)
            page.locator(selector).press("Enter")
            expect(page.locator(selector)).to_have_value(value)
        page.click(".btn-district")
        expect(page.locator(f".district-results-{run} table.district-table")).to_be_visible(timeout=120_000)
        tiles = page.locator(".district-map-a svg .mark-rect[class*=tiles] path")
        expect(tiles).to_have_count(7)
        page.wait_for_timeout(300)  # the chart's drawing settled
        tiles.nth(1).scroll_into_view_if_needed()
        box = tiles.nth(1).bounding_box()
        page.mouse.move(box["x"] + 4, box["y"] + 2)
        page.mouse.move(box["x"] + 3, box["y"] + 4)
        expect(page.locator("#vg-tooltip-element")).to_be_visible()
        check(page, language, "district", found)
        bad = foreign(page.locator("#vg-tooltip-element").inner_text(), language)
        if bad:
            found[(language, "district tooltip")] = bad
        options = menu_texts(page, ".district-policy-a-sunk_cadres") + menu_texts(page, ".district-select")
        bad = sorted({p for text in options for p in foreign(text, language, FIELD_NAMES)})
        if bad:
            found[(language, "district options")] = bad
        page.locator(".district-reps input").fill("999")  # an error on District
        page.locator(".district-reps input").press("Enter")
        page.click(".btn-district")
        expect(page.locator(".district-error")).to_be_visible()
        check(page, language, "district error", found)
        page.locator(".district-reps input").fill("1")
        page.locator(".district-reps input").press("Enter")
        page.click(".nav-learn")
        expect(page.locator(".learn-learn_story")).to_be_visible()
        check(page, language, "learn", found)
    assert not found, f"text in the other language: {found}"
    watch.check()


#: Files a visitor might upload, each wrong in one way the scenario loader names.
BAD_UPLOADS = [
    b'extends = "no_linkage"\n[needs]\nacute_rat = 0.001\n',  # an unknown key
    b'extends = "../../etc/passwd"\n',  # not a preset
    b"extends = 3\n",
    b"\xff\xfe",  # not UTF-8
    b"\xef\xbb\xbfname = 'x'\n",  # a byte-order mark
    b"a = [\n",  # not TOML
    b"a = " + b"[" * 5000,  # nested too deeply
    b"x" * (1 << 21),  # too large
    b'extends = "no_linkage"\nhouseholds = -5\n',
    b'extends = "no_linkage"\nhouseholds = 1e9\n',
    b'extends = "no_linkage"\ndays = 100000\n',
    b'extends = "no_linkage"\nhouseholds = 100000\ndays = 900\n',  # households x days
    b'extends = "no_linkage"\n[online]\nreport_prob = "x"\n',
    b'extends = "no_linkage"\n[online]\nreport_prob = nan\n',
    b'extends = "no_linkage"\n[online]\nreport_prob = inf\n',
    b'extends = "no_linkage"\n[volunteers]\nmode = "foo"\n',
    b'extends = "no_linkage"\n[external]\nlead_days_initial = 2\nlead_days_final = 9\n',
    b'extends = "no_linkage"\n[[phases]]\nname = "a"\nstart = 3\n',
    b'extends = "no_linkage"\ndays = 20\n[[phases]]\nname = "a"\nstart = 0\n[[phases]]\nname = "b"\nstart = 30\n',
]


def test_every_validation_message_of_an_upload_is_translated_whole():
    """The Chinese page shows the loader's messages in Chinese: each of these is translated sentence by sentence,
    with no English left but the file's own keys and values."""
    import scenarios
    from dashboard import messages

    for data in BAD_UPLOADS:
        try:
            scenarios.parse(data, label="upload.toml")
        except scenarios.ScenarioError as exc:
            message = str(exc)
        else:
            raise AssertionError(f"accepted: {data[:60]!r}")
        text, complete = messages.translate(message)
        assert complete, message
        assert text.startswith("upload.toml："), text
        assert not foreign(text, "zh", FIELD_NAMES), (text, foreign(text, "zh", FIELD_NAMES))
