"""The pages' charts and layout in a real headless Chromium: drawn correctly from day 0 (no console error, no
element taller than the window) and after Reset or a preset change, sized to the window; at a laptop's, a
projector's and a phone's size no control sticks out of the window and no chart or chart text is cut.
"""

from __future__ import annotations

from playwright.sync_api import expect

from dashboard_fixtures import *  # noqa: F403 (the server, browser and page fixtures)
from dashboard_fixtures import TIMEOUT_MS

N_CHARTS = 8  # six daily series (one by compound type: every preset has the city mix), the community, one building

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
    assert all(c["axes"] >= 2 for c in seen["charts"][:N_CHARTS - 2]), "a series chart drawn without its axes"
    assert seen["charts"][N_CHARTS - 1]["axes"] >= 2, "the building's floors drawn without their axes"
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


#: Everything a control or chart may not do at a window size: stick out of the window or out of its box.
OVERFLOW = """() => {
    const W = window.innerWidth;
    const visible = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0
        && getComputedStyle(e).visibility !== 'hidden'; };
    const out = [];
    if (document.documentElement.scrollWidth > W + 1) out.push('page ' + document.documentElement.scrollWidth);
    for (const e of document.querySelectorAll('.page .v-btn, .page .v-input, .app-nav .v-btn')) {
        if (!visible(e)) continue;
        const r = e.getBoundingClientRect();
        if (r.left < -1 || r.right > W + 1)
            out.push('control ' + (e.innerText || e.className).slice(0, 40) + ' ' + r.right);
    }
    for (const box of document.querySelectorAll('.explore-controls')) {
        if (!visible(box)) continue;
        const edge = box.getBoundingClientRect().right;
        for (const e of box.querySelectorAll('.v-btn, .v-input, .v-alert, .v-btn-toggle')) {
            if (visible(e) && e.getBoundingClientRect().right > edge + 1) out.push('sticks out of the controls: '
                + e.className.slice(0, 60));
        }
    }
    for (const svg of document.querySelectorAll('.liandong-chart svg')) {
        if (!visible(svg)) continue;
        const r = svg.getBoundingClientRect();
        const box = svg.closest('.chart, .liandong-chart-box').getBoundingClientRect();
        if (r.left < box.left - 1 || r.right > box.right + 1 || r.right > W + 1) out.push('chart ' + r.right);
        for (const text of svg.querySelectorAll('text')) {  // a title, label or legend cut at the drawing's edge
            const b = text.getBoundingClientRect();
            if (b.width && (b.left < r.left - 2 || b.right > r.right + 2)) out.push('text cut: '
                + text.textContent.slice(0, 40));
        }
    }
    return out;
}"""
FONT = """() => Math.min(...[...document.querySelectorAll('.liandong-chart svg')].filter(s => s.getBoundingClientRect()
    .width > 0).flatMap(s => [...s.querySelectorAll('.role-axis-label text, .role-title-text')])
    .map(t => parseFloat(getComputedStyle(t).fontSize)))"""


def open_at(browser, url: str, width: int, height: int):
    from dashboard_fixtures import open_dashboard

    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    return context, page, open_dashboard(page, url)


def test_laptop_1400x900_has_no_overflow_and_no_clipped_chart(browser, dashboard_url):
    context, page, watch = open_at(browser, dashboard_url, 1400, 900)
    try:
        page.click(".btn-step")
        charts_settled(page, [0])
        assert page.evaluate(OVERFLOW) == []
        expect(page.locator(".explore-controls")).to_be_visible()
        expect(page.locator(".drawer-toggle")).to_be_hidden()
        watch.check()
    finally:
        context.close()


def test_projector_1920x1080_presentation_mode_has_larger_type_one_chart_at_a_time(browser, dashboard_url):
    context, page, watch = open_at(browser, dashboard_url, 1920, 1080)
    try:
        page.click(".btn-step")
        charts_settled(page, [0])
        normal = page.evaluate(FONT)
        page.click(".btn-presentation")
        expect(page.locator(".chart-picker")).to_be_visible()
        page.wait_for_function("() => [...document.querySelectorAll('.chart')].filter(c => c.offsetWidth).length"
                               " === 1")
        page.wait_for_function(f"() => ({FONT})() >= 16")
        assert page.evaluate(FONT) > normal
        assert page.evaluate(OVERFLOW) == []
        # the controls wait in their drawer, so the chart has the screen's width; Play stays at hand
        expect(page.locator(".explore-controls")).to_be_hidden()
        expect(page.locator(".btn-play")).to_be_in_viewport()
        shown = page.locator(".chart").first.locator("svg")
        assert shown.bounding_box()["width"] > 0.8 * 1920
        page.click(".drawer-toggle")
        expect(page.locator(".preset-select")).to_be_in_viewport()
        page.click(".drawer-close")
        page.locator(".chart-picker .v-btn").nth(1).click()  # the next chart
        expect(page.locator(".chart").nth(1)).to_be_visible()
        expect(page.locator(".chart").nth(0)).to_be_hidden()
        watch.check()
    finally:
        context.close()


def test_phone_390x844_keeps_play_at_hand_and_the_controls_in_a_drawer(browser, dashboard_url):
    context, page, watch = open_at(browser, dashboard_url, 390, 844)
    try:
        expect(page.locator(".explore-controls")).to_be_hidden()
        for button in (".btn-step", ".btn-play", ".btn-reset"):
            expect(page.locator(button)).to_be_in_viewport()
        page.click(".btn-step")
        charts_settled(page, [0])
        assert page.evaluate(OVERFLOW) == []
        page.click(".drawer-toggle")
        expect(page.locator(".explore-controls")).to_be_visible()
        expect(page.locator(".preset-select")).to_be_in_viewport()
        assert page.evaluate(OVERFLOW) == []
        page.click(".drawer-close")
        expect(page.locator(".explore-controls")).to_be_hidden()
        page.click(".nav-compare")  # Compare with its results, and Learn, fit the phone as well
        for selector, value in ((".compare-reps", "2"), (".compare-households", "300"), (".compare-days", "20")):
            field = page.locator(f"{selector} input")
            field.fill(value)
            field.press("Enter")
            expect(field).to_have_value(value)
        page.click(".btn-compare")
        expect(page.locator(".compare-results-1 table.differences")).to_be_visible(timeout=120_000)
        page.wait_for_function("() => document.querySelector('.compare-results .liandong-chart svg')")
        assert page.evaluate(OVERFLOW) == []
        page.click(".nav-learn")
        expect(page.locator(".learn-learn_story")).to_be_visible()
        assert page.evaluate(OVERFLOW) == []
        watch.check()
    finally:
        context.close()
