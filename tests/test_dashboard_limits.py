"""What one visitor may ask of a dashboard server, in a real headless Chromium against a real server: the limits on
a comparison and on a community, the Cancel button, and a closed tab's comparison stopping with its folder removed.
"""

from __future__ import annotations

import time

from playwright.sync_api import expect

from dashboard import limits

from dashboard_fixtures import *  # noqa: F403 (the server, browser and page fixtures)
from dashboard_fixtures import TIMEOUT_MS, compare_folders, cpu_seconds, open_dashboard

#: Long enough to be caught running, and to run for minutes if nothing stops it (2 x 100 runs of the costliest
#: preset at the default size), within the limits.
LONG = 100
LONG_PAIR = ("仅靠社区干部", "三社联动")  # no_linkage, three_social, as the picker names them


def set_number(page, selector: str, value: int) -> None:
    field = page.locator(f"{selector} input")
    field.fill(str(value))
    field.press("Enter")
    expect(field).to_have_value(str(value))


#: A stopped comparison's folder is gone well within this; a comparison left running takes far longer to finish.
STOPPED_WITHIN = 10.0


def wait_until(condition, timeout: float = TIMEOUT_MS / 1000, what: str = "the condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def assert_idle(pid: int, seconds: float = 3.0) -> None:
    """The server and its processes use (almost) no CPU over `seconds`: no comparison is left running."""
    before = cpu_seconds(pid)
    time.sleep(seconds)
    used = cpu_seconds(pid) - before
    assert used < 0.5 * seconds, f"the server used {used:.1f} s of CPU in {seconds:.0f} s with nothing to do"


def pick_scenarios(page, names: tuple[str, ...]) -> None:
    """Choose exactly `names` in the Compare page's scenario picker, as a user does (open it, click items)."""
    page.click(".compare-select")
    menu = page.locator(".menuable__content__active")
    expect(menu).to_be_visible()
    for item in menu.locator(".v-list-item").all():
        title = item.locator(".v-list-item__title").inner_text().strip()
        if (item.get_attribute("aria-selected") == "true") != (title in names):
            item.click()
    page.keyboard.press("Escape")
    for name in names:
        expect(page.locator(".compare-select")).to_contain_text(name)


def start_long_comparison(page) -> None:
    page.click(".nav-compare")
    pick_scenarios(page, LONG_PAIR)
    set_number(page, ".compare-reps", LONG)
    page.click(".btn-compare")
    expect(page.locator(".compare-progress-text")).to_contain_text(f"/ {2 * LONG}")
    # a run has finished: the worker has started and the folder holds results
    expect(page.locator(".compare-progress-text")).not_to_contain_text("已完成 0 /")


def test_compare_refuses_replications_beyond_the_limit(dashboard, dashboard_server):
    page, watch = dashboard
    page.click(".nav-compare")
    set_number(page, ".compare-reps", 100_000)
    page.click(".btn-compare")
    error = page.locator(".compare-error")
    expect(error).to_contain_text(f"最多重复 {limits.MAX_REPS} 次")
    expect(page.locator(".compare-progress")).to_have_count(0)
    assert compare_folders(dashboard_server.pid) == []
    page.click(".lang-en")
    set_number(page, ".compare-households", 200_000)
    set_number(page, ".compare-reps", 2)
    page.click(".btn-compare")
    expect(error).to_contain_text("up to 30,000 households")
    expect(error).not_to_contain_text("command line")
    watch.check()


def test_cancel_stops_a_running_comparison_and_removes_its_folder(dashboard, dashboard_server):
    page, watch = dashboard
    start_long_comparison(page)
    assert len(compare_folders(dashboard_server.pid)) == 1
    page.click(".btn-compare-cancel")
    expect(page.locator(".compare-cancelled")).to_be_visible()
    expect(page.locator(".compare-progress")).to_have_count(0)
    wait_until(lambda: not compare_folders(dashboard_server.pid), STOPPED_WITHIN, "the folder to go")
    assert_idle(dashboard_server.pid)
    expect(page.locator(".btn-compare")).to_be_enabled()  # and the page can run another
    watch.check()


def test_closing_the_tab_stops_its_comparison_and_removes_its_folder(browser, dashboard_server):
    context = browser.new_context()
    try:
        page = context.new_page()
        watch = open_dashboard(page, dashboard_server.url)
        start_long_comparison(page)
        assert len(compare_folders(dashboard_server.pid)) == 1
        watch.check()
        page.close()  # the tab goes: solara's page sends its close beacon, the server ends the session
        wait_until(lambda: not compare_folders(dashboard_server.pid), STOPPED_WITHIN, "the folder to go")
        assert_idle(dashboard_server.pid)
    finally:
        context.close()


def test_explore_refuses_a_community_beyond_30000_households(dashboard):
    page, watch = dashboard
    set_number(page, ".households-input", 200_000)
    page.click(".btn-reset")
    error = page.locator(".edit-error")
    expect(error).to_contain_text("最多 30,000 户")
    expect(error).to_contain_text("200,000")
    page.click(".lang-en")
    page.click(".btn-reset")
    expect(error).to_contain_text("up to 30,000 households")
    set_number(page, ".households-input", 2_000)
    page.click(".btn-reset")
    expect(error).to_have_count(0)
    watch.check()
