"""The Explore page's charts and layout in a real headless Chromium: drawn correctly from day 0 (no console error, no
element taller than the window) and after Reset or a preset change, sized to the window.
"""

from __future__ import annotations

from playwright.sync_api import expect

from dashboard_fixtures import *  # noqa: F403 (the server, browser and page fixtures)
from dashboard_fixtures import TIMEOUT_MS

N_CHARTS = 6  # five daily series and the building's network

#: Every drawn chart, its size and whether it has axes; every element taller than the window.
MEASURE = """() => {
    const charts = [...document.querySelectorAll('.liandong-chart')].map(c => {
        const svg = c.querySelector('svg');
        return {height: svg ? svg.getBoundingClientRect().height : null,
                width: svg ? svg.getBoundingClientRect().width : null,
                axes: svg ? svg.querySelectorAll('.role-axis').length : 0,
                renders: Number(c.dataset.renders || 0)};
    });
    // what the user sees as one thing: a chart, its drawing, a card, a control, a notice, the timeline
    const things = 'svg, img, canvas, .chart, .v-card, .v-btn, .v-input, .v-alert, .timeline, .v-tooltip__content';
    const tall = [...document.querySelectorAll(things)]
        .filter(e => e.getBoundingClientRect().height > window.innerHeight)
        .map(e => e.tagName + '.' + [...e.classList].join('.'));
    // and the tallest scrolling area: a chart drawn infinitely tall makes it millions of pixels
    const scroll = Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight));
    return {charts, tall, scroll, window: window.innerHeight};
}"""


def charts_settled(page, after: list[int] | None = None) -> dict:
    """Wait until every chart has been drawn, the first one more often than in `after` (a chart whose spec did not
    change is not drawn again), and the drawing has stopped; then measure."""
    page.wait_for_function(
        """([n, first]) => {
            const charts = [...document.querySelectorAll('.liandong-chart')];
            return charts.length === n && charts.every(c => c.querySelector('svg'))
                && Number(charts[0].dataset.renders || 0) > first;
        }""", arg=[N_CHARTS, after[0] if after else 0], timeout=TIMEOUT_MS)
    seen = page.evaluate(MEASURE)
    for _ in range(TIMEOUT_MS // 400):  # settled: no chart drawn again for a while (Vega's drawing is debounced)
        page.wait_for_timeout(400)
        again = page.evaluate(MEASURE)
        if [c["renders"] for c in again["charts"]] == [c["renders"] for c in seen["charts"]]:
            return again
        seen = again
    raise AssertionError("the charts never stopped drawing")


def assert_drawn_within_the_window(seen: dict) -> None:
    assert not seen["tall"], f"elements taller than the window: {seen['tall'][:5]}"
    for i, chart in enumerate(seen["charts"]):
        assert 100 <= chart["height"] <= seen["window"], f"chart {i}: height {chart['height']}"
    assert all(c["axes"] >= 2 for c in seen["charts"][:5]), "a series chart drawn without its axes"
    assert seen["scroll"] < 8 * seen["window"], f"a scrolling area {seen['scroll']} px tall"


def test_charts_draw_correctly_at_day_0_after_reset_and_a_preset_change(dashboard):
    page, watch = dashboard
    seen = charts_settled(page)
    assert_drawn_within_the_window(seen)
    watch.check()  # no console error at day 0
    page.click(".btn-step")
    expect(page.locator(".day-label")).to_have_text("第 1 天 / 共 90 天")
    seen = charts_settled(page, [c["renders"] for c in seen["charts"]])
    page.click(".btn-reset")
    expect(page.locator(".day-label")).to_have_text("第 0 天 / 共 90 天")
    seen = charts_settled(page, [c["renders"] for c in seen["charts"]])
    assert_drawn_within_the_window(seen)
    page.click(".preset-select")
    page.locator(".menuable__content__active .v-list-item", has_text="武汉2020年实际进程").click()
    expect(page.locator(".preset-line")).to_contain_text("武汉")
    seen = charts_settled(page, [c["renders"] for c in seen["charts"]])
    assert_drawn_within_the_window(seen)
    watch.check()


def test_the_timeline_names_every_phase_and_marks_the_measures(dashboard):
    page, watch = dashboard
    page.click(".preset-select")
    page.locator(".menuable__content__active .v-list-item", has_text="武汉2020年实际进程").click()
    expect(page.locator(".preset-line")).to_contain_text("武汉")
    expect(page.locator(".timeline-events")).to_contain_text("下沉干部到岗")  # the new timeline is shown
    phases = page.locator(".timeline .tl-phase")
    expect(phases.first).to_have_text("封城")  # the first phase is named too
    names = phases.all_inner_texts()
    assert len(names) >= 3 and len(set(names)) == len(names)
    boxes = [phases.nth(i).bounding_box() for i in range(phases.count())]
    for left, right in zip(boxes, boxes[1:]):  # side by side, never overlapping
        assert left["x"] + left["width"] <= right["x"] + 1
    assert page.locator(".timeline .tl-event").count() >= 3
    watch.check()


def test_charts_follow_the_window_height(browser, dashboard_url):
    heights = {}
    for size in ((1400, 700), (1400, 1300)):
        context = browser.new_context(viewport={"width": size[0], "height": size[1]})
        try:
            page = context.new_page()
            from dashboard_fixtures import open_dashboard

            watch = open_dashboard(page, dashboard_url)
            seen = charts_settled(page)
            heights[size[1]] = seen["charts"][0]["height"]
            watch.check()
        finally:
            context.close()
    assert heights[1300] > heights[700] + 50
