"""Playback on the Explore page, in a real headless Chromium against a real server: Pause stops within one day of
the click, the speed control bounds the rate, and "run to day N" stops on day N.

The tests wait for conditions, never for fixed times: what they assert holds however loaded the machine is.
"""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from dashboard_fixtures import *  # noqa: F403 (the server, browser and page fixtures)
from dashboard_fixtures import TIMEOUT_MS


def shown_day(page) -> int:
    return int(re.search(r"\d+", page.locator(".day-label").inner_text()).group())


def wait_for_day(page, at_least: int, timeout: float = 120) -> int:
    page.wait_for_function(
        "n => Number((document.querySelector('.day-label')?.innerText.match(/\\d+/) || [0])[0]) >= n",
        arg=at_least, timeout=timeout * 1000)
    return shown_day(page)


def pause_now(page) -> int:
    """Click Pause and return the day the page showed at that instant (read and clicked in one browser task)."""
    return page.evaluate("""() => {
        const day = Number(document.querySelector('.day-label').innerText.match(/\\d+/)[0]);
        document.querySelector('.btn-play').click();
        return day;
    }""")


def wait_until_paused(page) -> int:
    expect(page.locator(".btn-play")).to_have_text("播放", timeout=TIMEOUT_MS)
    expect(page.locator(".btn-step")).to_be_enabled()
    # settled: the server has sent its last day (the page acknowledges every day it shows)
    page.wait_for_function("() => document.querySelector('.day-ack')?.dataset.settled === 'true'")
    return shown_day(page)


def test_pause_stops_within_one_day_of_the_click(dashboard):
    page, watch = dashboard
    page.click(".speed-max")  # as fast as the page can show it: the hardest case for Pause
    page.click(".btn-play")
    expect(page.locator(".btn-play")).to_have_text("暂停")
    wait_for_day(page, 20)  # a Play of at least 20 days
    clicked = pause_now(page)
    stopped = wait_until_paused(page)
    assert clicked <= stopped <= clicked + 1, f"paused at day {clicked}, stopped at day {stopped}"
    # Play again: it goes on from there, and a second Pause obeys too
    page.click(".btn-play")
    wait_for_day(page, stopped + 5)
    clicked = pause_now(page)
    again = wait_until_paused(page)
    assert clicked <= again <= clicked + 1, f"paused at day {clicked}, stopped at day {again}"
    watch.check()


def test_speed_bounds_the_days_per_second(dashboard):
    page, watch = dashboard
    page.click(".speed-1")  # one day a second
    started = time.monotonic()
    page.click(".btn-play")
    wait_for_day(page, 3)
    elapsed = time.monotonic() - started
    assert shown_day(page) <= elapsed * 1 + 2, "faster than one day a second"
    pause_now(page)
    wait_until_paused(page)
    watch.check()


def test_run_to_day_n_stops_on_day_n(dashboard):
    page, watch = dashboard
    field = page.locator(".goto-day input")
    field.fill("30")
    field.press("Enter")
    page.click(".btn-goto")
    wait_for_day(page, 30)
    assert wait_until_paused(page) == 30
    # short hops: each ends the Play loop on its own, the moment whose clean-up once left Step disabled
    for hop in (32, 34, 36):
        field.fill(str(hop))
        field.press("Enter")
        expect(page.locator(".btn-goto")).to_be_enabled()
        page.click(".btn-goto")
        wait_for_day(page, hop)
        assert wait_until_paused(page) == hop
    goto = page.locator(".btn-goto")
    expect(goto).to_be_disabled()  # day 36 is reached
    # each value is checked by the button's state changing, so the server has taken one before the next is typed
    field.fill("500")  # beyond the last day: runs to the end
    field.press("Enter")
    expect(goto).to_be_enabled()
    field.fill("12")  # a day already passed: nothing to run
    field.press("Enter")
    expect(goto).to_be_disabled()
    field.fill("500")
    field.press("Enter")
    expect(goto).to_be_enabled()
    goto.click()
    wait_for_day(page, 90)
    expect(page.locator(".btn-play")).to_be_disabled()  # the run is finished
    expect(page.locator(".day-label")).to_have_text("第 90 天 / 共 90 天")
    watch.check()
