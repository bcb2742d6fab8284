"""A shared address reproduces the setup, in a real headless Chromium: the page, language, scenario, settings and
seed come from the address, and the page keeps its address up to date as they change."""

from __future__ import annotations

from playwright.sync_api import expect

import simulation
from dashboard import meaning

from dashboard_fixtures import *  # noqa: F403 (the server, browser and page fixtures)
from dashboard_fixtures import open_dashboard


def step(page, days: int) -> None:
    for _ in range(days):
        before = page.locator(".day-label").inner_text()
        page.click(".btn-step")
        expect(page.locator(".day-label")).not_to_have_text(before)


def expected_unmet(seed: int, days: int) -> str:
    summary = simulation.run("three_social", seed=seed, days=days, households=600,
                             **{"online.enabled": False}).summary
    return meaning.value("unmet_need_days", summary["unmet_need_days"])


def test_an_address_sets_up_the_page_and_a_shared_address_reproduces_it(browser, dashboard_url):
    query = "?page=explore&lang=en&scenario=three_social&seed=5&households=600&online.enabled=false"
    first = browser.new_context()
    second = browser.new_context()
    try:
        page = first.new_page()
        watch = open_dashboard(page, dashboard_url, query)
        expect(page.locator(".btn-step")).to_have_text("Step")  # English, from the address
        expect(page.locator(".seed-input input")).to_have_value("5")
        expect(page.locator(".households-input input")).to_have_value("600")
        expect(page.locator(".preset-select")).to_contain_text("Three-social linkage")
        card = page.locator(".card-unmet_need_days .card-value")
        expect(card).to_have_text("–")
        step(page, 3)
        expect(card).to_have_text(expected_unmet(5, 3))  # the model the address describes
        # a change on the page goes into the address
        field = page.locator(".seed-input input")
        field.fill("9")
        field.press("Enter")
        page.wait_for_function("() => window.location.search.includes('seed=9')")
        shared = page.url
        assert "households=600" in shared and "lang=en" in shared and "scenario=three_social" in shared
        watch.check()
        # the shared address, opened in another browser, shows the same setup
        other = second.new_page()
        other_watch = open_dashboard(other, dashboard_url, "?" + shared.split("?", 1)[1])
        expect(other.locator(".seed-input input")).to_have_value("9")
        expect(other.locator(".households-input input")).to_have_value("600")
        expect(other.locator(".btn-step")).to_have_text("Step")
        page.click(".btn-reset")
        for each in (page, other):  # the same numbers on both
            step(each, 2)
            expect(each.locator(".card-unmet_need_days .card-value")).to_have_text(expected_unmet(9, 2))
        other_watch.check()
    finally:
        first.close()
        second.close()


def test_an_address_with_what_the_page_does_not_offer_is_refused_politely(dashboard, dashboard_url):
    page, watch = dashboard
    page.goto(dashboard_url + "/?scenario=../../etc/passwd&needs.acute_rate=1&seed=x")
    page.wait_for_selector(".btn-step")
    expect(page.locator(".url-ignored")).to_contain_text("scenario")
    expect(page.locator(".preset-select")).to_contain_text("仅靠社区干部")
    watch.check()
