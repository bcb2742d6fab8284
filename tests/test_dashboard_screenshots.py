"""Screenshots of every page in both languages at the three window sizes the dashboard is used at: a laptop
(1400x900), a projector (1920x1080, in presentation mode) and a phone (390x844). In the test suite it takes the
laptop's size only, to tests/artifacts/; with LIANDONG_WRITE_SCREENSHOTS=1 all three, also to docs/images/, which
the README shows:

    LIANDONG_WRITE_SCREENSHOTS=1 .venv/bin/python -m pytest tests/test_dashboard_screenshots.py -p no:xdist
"""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import expect

from dashboard_fixtures import *  # noqa: F403 (the server, browser and page fixtures)
from dashboard_fixtures import ARTIFACTS, open_dashboard

DOCS = Path(__file__).resolve().parent.parent / "docs" / "images"
VIEWPORTS = {"laptop": (1400, 900), "projector": (1920, 1080), "phone": (390, 844)}


def save(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    # drawn and still: every shown chart has its drawing, and no chart was drawn again between two polls
    page.wait_for_function("""() => {
        const charts = [...document.querySelectorAll('.liandong-chart')].filter(c => c.offsetWidth);
        const now = charts.map(c => c.dataset.renders || 0).join();
        const still = window.__shotRenders === now;
        window.__shotRenders = now;
        return still && charts.every(c => c.querySelector('svg'));
    }""", polling=250)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    if os.environ.get("LIANDONG_WRITE_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(DOCS / f"{name}.png"))


def settled(page) -> None:
    page.wait_for_function("() => document.querySelector('.day-ack')?.dataset.settled === 'true'")
    page.wait_for_function("() => [...document.querySelectorAll('.liandong-chart')]"
                           ".every(c => c.offsetWidth === 0 || c.querySelector('svg'))")


def test_screenshots_of_every_page_in_both_languages_at_three_sizes(browser, dashboard_url):
    # in the suite, the laptop's size only (the layout tests cover the others); all three when writing the docs'
    writing = os.environ.get("LIANDONG_WRITE_SCREENSHOTS") == "1"
    for size, (width, height) in VIEWPORTS.items() if writing else [("laptop", VIEWPORTS["laptop"])]:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        try:
            page = context.new_page()
            watch = open_dashboard(page, dashboard_url, "?scenario=wuhan_2020")
            if size == "projector":
                page.click(".btn-presentation")
            field = page.locator(".goto-day input")
            field.fill("40")
            field.press("Enter")
            expect(page.locator(".btn-goto")).to_be_enabled()
            page.click(".btn-goto")
            expect(page.locator(".day-label")).to_contain_text("第 40 天")
            settled(page)
            page.click(".nav-compare")
            page.click(".btn-compare")  # the default pair, three runs each
            expect(page.locator(".compare-results-1 table.differences")).to_be_visible(timeout=180_000)
            lesson = None
            for language in ("zh", "en"):
                page.click(f".lang-{language}")
                page.click(".nav-explore")
                settled(page)
                save(page, f"explore-{language}-{size}")
                if size == "phone":
                    page.click(".drawer-toggle")
                    save(page, f"explore-drawer-{language}-{size}")
                    page.click(".drawer-close")
                page.click(".nav-compare")
                expect(page.locator(".compare-results table.differences").first).to_be_visible()
                page.locator(".compare-results").scroll_into_view_if_needed()
                save(page, f"compare-{language}-{size}")
                page.evaluate("window.scrollTo(0, 0)")
                page.click(".nav-learn")
                lesson = page.locator(".learn-learn_internal")
                if language == "zh" and size == "laptop":
                    lesson.locator(".predict-down").click()
                    lesson.locator(".btn-lesson-run").click()
                    expect(lesson.locator(".reveal")).to_contain_text("结果：", timeout=180_000)
                if size == "laptop":
                    lesson.scroll_into_view_if_needed()
                save(page, f"learn-{language}-{size}")
                page.evaluate("window.scrollTo(0, 0)")
            watch.check()
        finally:
            context.close()
