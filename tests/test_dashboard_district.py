"""The District page in a real headless Chromium against a real `liandong dashboard` server: a classroom district
run to completion in the background, its tile maps (one tile per community, coloured by the day slider's day),
the two policies' comparison table, and a community opened in Explore."""

from __future__ import annotations

from playwright.sync_api import expect

from dashboard import district as page_district
from dashboard import limits
from experiments import district as district_runs
from scenarios import district as district_format

from dashboard_fixtures import *  # noqa: F403 (the server, browser and page fixtures)
from dashboard_fixtures import shot

DAYS = 14  # a short district keeps the test's runs to a few seconds of CPU


def tile_fills(page, arm: str) -> list[str]:
    return page.locator(f".district-map-{arm} svg .mark-rect[class*=tiles] path").evaluate_all(
        "paths => paths.map(p => p.getAttribute('fill'))")


def run_classroom(page, reps: int = 2) -> None:
    page.click(".nav-district")
    expect(page.locator(".btn-district")).to_be_visible()
    for selector, value in ((".district-reps input", str(reps)), (".district-days input", str(DAYS))):
        page.locator(selector).fill(value)
        page.locator(selector).press("Enter")
        expect(page.locator(selector)).to_have_value(value)
    page.click(".btn-district")
    expect(page.locator(".district-results-1 table.district-table")).to_be_visible(timeout=120_000)


def test_a_classroom_district_runs_and_its_maps_follow_the_day(dashboard):
    page, watch = dashboard
    run_classroom(page)
    n = len(district_format.communities(district_format.load("classroom_district")))
    for arm in page_district.ARMS:
        expect(page.locator(f".district-map-{arm} svg .mark-rect[class*=tiles] path")).to_have_count(n)
    last = tile_fills(page, "a")
    assert len(set(last)) > 1, "every community has the same colour at the end of the run"
    # The table: the five figures, each policy's mean and the paired difference.
    rows = page.locator(".district-table tbody tr")
    expect(rows).to_have_count(len(page_district.FIGURES))
    assert rows.first.locator("td").count() == 4
    # The first day: few needs yet, so the tiles are lighter than at the end.
    slider = page.locator(".district-day .v-slider")
    box = slider.bounding_box()
    page.mouse.click(box["x"] + 1, box["y"] + box["height"] / 2)
    page.wait_for_function(
        "before => { const now = [...document.querySelectorAll('.district-map-a svg .mark-rect[class*=tiles] path')]"
        ".map(p => p.getAttribute('fill')); return now.length && now.join() !== before.join(); }", arg=last)
    first = tile_fills(page, "a")
    assert first != last
    shot(page, "district-zh")
    watch.check()


def test_the_maps_show_what_the_district_run_gives_and_a_community_opens_in_explore(dashboard):
    page, watch = dashboard
    page.click(".lang-en")
    run_classroom(page, reps=1)
    # The tooltip's figure for the whole run equals the run of the same district, policies and seed.
    base = district_format.load("classroom_district").model_copy(update={"days": DAYS})
    arm_a = district_format.with_policies(base, {"sunk_cadres": "per_household"})
    expected = district_runs.run(arm_a, page_district.first_seed()).communities
    tile = page.locator(".district-map-a svg .mark-rect[class*=tiles] path").nth(3)
    tile.hover(position={"x": 4, "y": 4}, force=True)  # a corner: the label covers the middle
    tip = page.locator("#vg-tooltip-element")
    expect(tip).to_be_visible()
    expect(tip).to_contain_text(f"{expected['unmet_need_days_per_household'].iloc[3]:.3f}".rstrip("0"))
    expect(tip).to_contain_text("no compound types declared")
    page.click(".district-open-3")
    expect(page.locator(".btn-step")).to_be_visible()
    expect(page.locator(".households-input input")).to_have_value(str(int(expected["households"].iloc[3])))
    watch.check()


def test_the_district_limits_refuse_too_much_work():
    import pytest

    with pytest.raises(limits.LimitError):
        limits.check_district(page_district.shipped("jianghan_2020")[1], 1)
    with pytest.raises(limits.LimitError):
        limits.check_district(1, limits.MAX_DISTRICT_REPS + 1)
    limits.check_district(page_district.shipped("classroom_district")[1], 3)
    assert page_district.offered() == ("classroom_district",)
