"""The dashboard in a real headless Chromium against a real `liandong dashboard` server.

Every test fails on any response with status >= 400, any page error, and any request leaving 127.0.0.1 (the
dashboard must work offline). Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

import scenarios
import simulation
from dashboard.meaning import value

from dashboard_fixtures import *  # noqa: F403 (the server, browser and page fixtures)
from dashboard_fixtures import TIMEOUT_MS, open_dashboard, shot

BAD_FILE = b'name = "bad"\nextends = "no_linkage"\n[needs]\nacute_rat = 0.001\n'
GOOD_FILE = b'name = "my_class"\nextends = "no_linkage"\nhouseholds = 600\n[online]\nenabled = true\n'


def day_is(page, day: int, days: int = 90) -> None:
    expect(page.locator(".day-label")).to_have_text(f"第 {day} 天 / 共 {days} 天", timeout=TIMEOUT_MS)


def step(page, times: int = 1) -> None:
    for _ in range(times):
        before = page.locator(".day-label").inner_text()
        page.click(".btn-step")
        expect(page.locator(".day-label")).not_to_have_text(before, timeout=TIMEOUT_MS)


def renders(page, index: int = 0) -> int:
    """How often Vega has drawn chart `index` (chart.vue counts it on the chart's element)."""
    return int(page.locator(".liandong-chart").nth(index).get_attribute("data-renders") or 0)


def charts_drawn(page, after: int = 0) -> None:
    """Wait until the first chart has been drawn more than `after` times, and its drawing has settled."""
    page.wait_for_function(
        "n => Number(document.querySelector('.liandong-chart')?.dataset.renders || 0) > n", arg=after)
    page.wait_for_timeout(200)


def card(page, key: str) -> str:
    return page.locator(f".card-{key} .card-value").inner_text()


def test_explore_loads_and_step_advances_the_day_and_the_charts(dashboard):
    page, watch = dashboard
    day_is(page, 0)
    charts_drawn(page)
    drawn = renders(page)
    step(page)
    day_is(page, 1)
    charts_drawn(page, drawn)
    first = page.locator(".chart").first.screenshot()
    unmet = card(page, "unmet_need_days")
    drawn = renders(page)
    step(page, 4)
    day_is(page, 5)
    charts_drawn(page, drawn)
    assert page.locator(".chart").first.screenshot() != first, "the chart of unmet needs did not change"
    expect(page.locator(".card-unmet_need_days .card-value")).not_to_have_text(unmet, timeout=TIMEOUT_MS)
    expect(page.locator(".chart svg")).to_have_count(8)  # six series charts (one by compound type), the community
    # and one building
    assert page.locator(".network-chart svg .mark-rect path").count() >= 50  # grid cells and their buildings
    assert page.locator(".building-chart svg .mark-rect path").count() >= 60  # the building's households
    shot(page, "explore-zh")
    watch.check()


def test_switching_a_mechanism_and_resetting_changes_the_outcome(dashboard):
    page, watch = dashboard
    # The page shows what `simulation.run` gives for the same scenario and seed, with and without the mechanism.
    # (The cards may update a moment after the day label, so the test waits for the value rather than reading it.)
    expected = {online: simulation.run("no_linkage", seed=0, days=6, **{"online.enabled": online}).summary
                for online in (False, True)}
    shown = page.locator(".card-unmet_need_days .card-value")
    step(page, 6)
    expect(shown).to_have_text(value("unmet_need_days", expected[False]["unmet_need_days"]), timeout=TIMEOUT_MS)
    page.click(".lever-online-enabled .v-input--selection-controls__input")
    expect(page.locator(".pending")).to_be_visible()
    page.click(".btn-reset")
    day_is(page, 0)
    expect(page.locator(".pending")).to_have_count(0)
    step(page, 6)
    expect(shown).to_have_text(value("unmet_need_days", expected[True]["unmet_need_days"]), timeout=TIMEOUT_MS)
    assert expected[True]["unmet_need_days"] < expected[False]["unmet_need_days"]
    shot(page, "explore-online-on")
    watch.check()


def test_compare_runs_two_scenarios_with_three_replications(dashboard):
    page, watch = dashboard
    page.click(".nav-compare")
    page.wait_for_selector(".btn-compare")
    page.locator(".compare-reps input").fill("3")
    page.locator(".compare-reps input").press("Enter")
    page.click(".btn-compare")
    means = page.locator("table.means")
    expect(means).to_be_visible(timeout=120_000)
    text = means.inner_text()
    assert "仅靠社区干部" in text and "应急线上联动" in text  # scenarios by their names, not their file names
    assert page.locator("table.means tbody tr").count() == len(simulation.SUMMARY_KEYS)  # one row per summary key
    diffs = page.locator("table.differences tbody tr")
    assert diffs.count() == len(simulation.SUMMARY_KEYS)
    expect(page.locator("table.differences caption")).to_have_text("应急线上联动 与 仅靠社区干部 相比")
    with page.expect_download() as download:
        page.get_by_text("下载结果（CSV）").click()
    csv = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    # means (two scenarios), differences
    assert csv[0].startswith("table,scenario,key,n,mean,") and len(csv) == 3 * len(simulation.SUMMARY_KEYS) + 1
    with page.expect_download() as download:
        page.get_by_text("下载情景 应急线上联动").click()
    assert scenarios.load(download.value.path()).online.enabled
    charts_drawn(page)
    shot(page, "compare-zh")
    watch.check()


def test_language_switch_changes_the_labels(dashboard):
    page, watch = dashboard
    expect(page.locator(".nav-explore")).to_have_text("探索")
    expect(page.locator(".btn-step")).to_have_text("单步")
    page.click(".lang-en")
    expect(page.locator(".nav-explore")).to_have_text("Explore")
    expect(page.locator(".btn-step")).to_have_text("Step")
    expect(page.locator(".day-label")).to_have_text("Day 0 of 90")
    drawn = renders(page)
    step(page, 3)
    charts_drawn(page, drawn)
    expect(page.locator(".card-unmet_need_days")).to_contain_text("Unmet need-days")
    shot(page, "explore-en")
    page.click(".nav-learn")
    expect(page.get_by_text("Exercise: the 800 sign-ups")).to_be_visible()
    shot(page, "learn-en")
    page.click(".lang-zh")
    expect(page.get_by_text("练习：800人报名的故事")).to_be_visible()
    story = page.locator(".learn-learn_story")
    expect(story.locator(".btn-lesson-run")).to_be_disabled()  # predict first
    story.locator(".predict-down").click()
    story.locator(".btn-lesson-run").click()  # the exercise's pair, run in the background
    expect(story.locator(".reveal")).to_contain_text("结果：", timeout=120_000)
    page.click(".nav-compare")
    expect(page.locator("table.differences caption")).to_have_text("分类招募志愿者 与 公开招募志愿者 相比")
    watch.check()


def test_an_invalid_upload_shows_its_error_and_keeps_the_scenario(dashboard):
    page, watch = dashboard
    upload = page.locator("input[type=file]")
    upload.set_input_files({"name": "my_class.toml", "mimeType": "text/plain", "buffer": GOOD_FILE})
    expect(page.locator(".upload-ok")).to_contain_text("my_class.toml")
    day_is(page, 0)
    expect(page.locator(".households-input input")).to_have_value("600")
    upload.set_input_files({"name": "bad.toml", "mimeType": "text/plain", "buffer": BAD_FILE})
    error = page.locator(".upload-error")
    expect(error).to_contain_text("bad.toml：“needs.acute_rat”没有这个字段。是不是“acute_rate”？")  # translated
    expect(page.locator(".households-input input")).to_have_value("600")  # the previous scenario stays
    drawn = renders(page)
    step(page)
    day_is(page, 1)
    charts_drawn(page, drawn)
    shot(page, "upload-error")
    watch.check()


MIXED_FILE = (b'name = "mixed"\nextends = "wuhan_2020"\nhouseholds = 600\n'
              b'[compounds]\nmix = { old_open = 0.5, commodity = 0.5 }\n')


def test_a_scenario_with_compound_types_charts_each_type_per_1000_households(dashboard):
    """A scenario that declares compound types gets one more chart, in both languages: unmet needs per 1,000
    households of each type it has (none of the presets declares any: they keep their seven charts)."""
    page, watch = dashboard
    page.locator("input[type=file]").set_input_files({"name": "mixed.toml", "mimeType": "text/plain",
                                                     "buffer": MIXED_FILE})
    expect(page.locator(".upload-ok")).to_contain_text("mixed.toml")
    day_is(page, 0)
    expect(page.locator(".households-input input")).to_have_value("600")  # the uploaded scenario is in force
    charts_drawn(page)
    drawn = renders(page)
    step(page, 3)
    day_is(page, 3)
    charts_drawn(page, drawn)
    expect(page.locator(".chart svg")).to_have_count(8)
    chart = page.locator(".chart").nth(2)
    expect(chart).to_contain_text("每千户未满足需求（按小区类型）")
    expect(chart).to_contain_text("老旧开放式小区")
    expect(chart).to_contain_text("商品房小区")
    expect(chart).not_to_contain_text("单位大院")  # a type the community does not have
    page.click(".lang-en")
    expect(page.locator(".chart").nth(2)).to_contain_text("old open compound")
    shot(page, "explore-compounds-en")
    watch.check()


def test_each_browser_session_has_its_own_model(browser, dashboard_url):
    one, two = browser.new_context(), browser.new_context()
    try:
        first, second = one.new_page(), two.new_page()
        watches = [open_dashboard(first, dashboard_url), open_dashboard(second, dashboard_url)]
        step(first, 3)
        day_is(first, 3)
        day_is(second, 0)
        step(second)  # a model shared between sessions would now be on day 4 in both
        day_is(second, 1)
        day_is(first, 3)
        first.click(".lang-en")
        expect(first.locator(".btn-step")).to_have_text("Step")
        expect(second.locator(".btn-step")).to_have_text("单步")  # the language is per session too
        for watch in watches:
            watch.check()
    finally:
        one.close()
        two.close()
