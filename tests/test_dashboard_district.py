"""The District page in a real headless Chromium against a real `liandong dashboard` server: a classroom district
run to completion in the background, its tile maps (one tile per community, coloured by the day slider's day),
the two policies' comparison table, and a community opened in Explore (from its tile, by mouse or keyboard, or its
button) that runs there as it ran in the district, and whose address opens it again with the same shares."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from dashboard import district as page_district
from dashboard import i18n, limits, meaning
from experiments import district as district_runs
from scenarios import district as district_format
from simulation import SUMMARY_KEYS, CommunityModel
from simulation.district import community_seed

from dashboard_fixtures import *  # noqa: F403 (the server, browser and page fixtures)
from dashboard_fixtures import foreign, open_dashboard, shot

DAYS = 14  # a short district keeps the test's runs to a few seconds of CPU
LONG_DAYS = 35  # long enough for every pool to reach the communities (sunk cadres from day 19, supply 27, drive 31)


def tile_fills(page, arm: str) -> list[str]:
    return page.locator(f".district-map-{arm} svg .mark-rect[class*=tiles] path").evaluate_all(
        "paths => paths.map(p => p.getAttribute('fill'))")


def run_classroom(page, reps: int = 2, days: int = DAYS) -> None:
    page.click(".nav-district")
    expect(page.locator(".btn-district")).to_be_visible()
    for selector, value in ((".district-reps input", str(reps)), (".district-days input", str(days))):
        page.locator(selector).fill(value)
        page.locator(selector).press("Enter")
        expect(page.locator(selector)).to_have_value(value)
    page.click(".btn-district")
    expect(page.locator(".district-results-1 table.district-table")).to_be_visible(timeout=120_000)


def arm_result(arm: str, days: int):
    """The district run the map of `arm` shows: the page's policies for it, its days, the maps' seed."""
    base = district_format.load("classroom_district").model_copy(update={"days": days})
    policies = {pool: page_district.DEFAULT_POLICIES[arm] if pool == "sunk_cadres" else held.policy
                for pool, held in base.pools.named().items()}
    return district_runs.run(district_format.with_policies(base, policies), page_district.first_seed())


def cards(summary, language: str) -> dict[str, str]:
    """The summary cards' texts for `summary` (a run's summary keys) in `language`."""
    i18n.language.value = language
    return {key: meaning.value(key, summary[key]) for key in SUMMARY_KEYS}


def run_explore_to_the_end(page, days: int) -> None:
    field = page.locator(".goto-day input")
    field.fill(str(days))
    field.press("Enter")
    expect(field).to_have_value(str(days))
    for _ in range(5):  # a click that reaches the button while the page re-renders can be lost: click again
        page.click(".btn-goto")
        try:
            expect(page.locator(f".day-ack[data-day='{days}']")).to_have_count(1, timeout=15_000)
            break
        except AssertionError:
            continue
    expect(page.locator(f".day-ack[data-day='{days}'][data-settled='true']")).to_have_count(1, timeout=60_000)


def pick(page, tile, how: str = "mouse") -> None:
    """Open a tile's community in Explore, by keyboard or mouse."""
    for _ in range(5):  # a pick that reaches the map while it is drawn again can be lost: pick again
        if how == "keyboard":
            tile.focus()
            page.keyboard.press("Enter")
        else:
            tile.click(force=True)  # its middle, where its label is drawn over it
        try:
            expect(page.locator(".btn-step")).to_be_visible(timeout=10_000)
            break
        except AssertionError:
            continue


def explore_cards(page) -> dict[str, str]:
    return {key: page.locator(f".card-{key} .card-value").inner_text().strip() for key in SUMMARY_KEYS}


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
    expect(tip).to_contain_text("old open compound")  # its compound mix: the city's
    page.click(".district-open-3")
    expect(page.locator(".btn-step")).to_be_visible()
    expect(page.locator(".district-shares-note")).to_contain_text("Policy A")
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


@pytest.mark.parametrize("language, arm, index, how", [("zh", "a", 3, "keyboard"), ("en", "b", 5, "mouse")])
def test_a_tile_opens_its_community_in_explore_and_it_runs_as_in_the_district(dashboard, language, arm, index, how):
    page, watch = dashboard
    page.click(f".lang-{language}")
    run_classroom(page, reps=1, days=LONG_DAYS)
    result = arm_result(arm, LONG_DAYS)
    row = result.communities.set_index("community").loc[index]
    expected = cards(row, language)
    # The test can fail: on its scenario's own numbers (no district shares) the community's cards differ.
    plan = district_format.communities(result.district)[index]
    alone = CommunityModel(scenario=plan.scenario, rng=community_seed(result.seed, index))
    while alone.running:
        alone.step()
    assert cards(alone.summary(), language) != expected, "the district's shares make no visible difference"
    tile = page.locator(f".district-map-{arm} svg .mark-rect[class*=tiles] path").nth(index)
    expect(tile).to_have_attribute("role", "button")
    expect(tile).to_have_attribute("tabindex", "0")
    name = page_district.community_label(str(row["name"]))  # in `language`: cards() set it
    opens = "在“探索”中打开：" if language == "zh" else "Open in Explore: "
    expect(tile).to_have_attribute("aria-label", opens + name)
    pick(page, tile, how)
    note = page.locator(".district-shares-note")
    expect(note).to_contain_text("classroom_district")
    expect(note).to_contain_text("政策甲" if arm == "a" else "Policy B")
    assert not foreign(note.inner_text(), language), note.inner_text()
    expect(page.locator(".households-input input")).to_have_value(str(int(row["households"])))
    expect(page.locator(".seed-input input")).to_have_value(str(community_seed(result.seed, index)))
    # Compare would run the community on its scenario's own numbers: not offered, and the page says why.
    expect(page.locator(".btn-add-compare")).to_be_disabled()
    expect(page.locator(".district-no-compare")).to_contain_text("街区" if language == "zh" else "District page")
    run_explore_to_the_end(page, LONG_DAYS)
    assert explore_cards(page) == expected
    shot(page, f"district-explore-{language}")
    watch.check()


def test_explore_runs_a_community_with_its_district_shares_round_by_round():
    """Under `by_backlog` a community's shares change from round to round; Explore applies each round's at its
    start, and its run of the community is the district run's, figure for figure."""
    from dashboard import explore

    base = district_format.load("classroom_district").model_copy(update={"days": LONG_DAYS})
    district = district_format.with_policies(base, {"sunk_cadres": "by_backlog", "volunteers": "by_backlog"})
    run = district_runs.run(district, page_district.first_seed())
    plans = district_format.communities(district)
    result = {"maps": {"b": {"communities": run.communities, "allocations": run.allocations}},
              "scenarios": {p.index: p.scenario for p in plans}, "district": district.name, "seed": run.seed,
              "policies": {"b": run.policies}, "days": district.days}
    index = 2
    held = page_district.shares_of(result, "b", index)
    assert len(held.schedule) == -(-LONG_DAYS // district.round_days)  # a share for every round
    assert len({r["sunk_cadres"] for r in held.schedule.values()}) > 1, "the shares never changed: no test"
    try:
        page_district.open_in_explore(result, index, "b")
        model = explore.run.value.model
        assert model.pools == tuple(district.pools.named())
        while model.running:
            explore.run.value.step()
        row = run.communities.set_index("community").loc[index]
        assert {k: model.summary()[k] for k in SUMMARY_KEYS} == {k: row[k] for k in SUMMARY_KEYS}
        explore.choose_preset("no_linkage")  # a preset: the scenario's own numbers again
        assert explore.shares.value is None and explore.run.value.model.pools == ()
    finally:
        explore.shares.value, explore.base.value, explore.run.value = None, None, None
        explore.seed.value, explore.edits.value = 0, {}


# --- a district's community in the page's address ------------------------------------------------------------------
GOOD = {"district": "classroom_district", "arm": "b", "community": "5", "district_days": str(LONG_DAYS),
        "policies": "sunk_cadres:by_backlog,volunteers:per_household,supply:per_household,social_workers:equal"}


@pytest.mark.parametrize("key, value", [
    ("district", "../../etc/passwd"), ("district", "/work/main/scenarios/districts/classroom_district.toml"),
    ("district", "jianghan_2020"),  # shipped, but beyond the page's limits
    ("arm", "c"), ("community", "7"), ("community", "-1"), ("community", "9" * 40), ("district_days", "0"),
    ("district_days", "100000"), ("district_days", "3.5"), ("policies", "sunk_cadres:nope"), ("policies", "x"),
    ("policies", "sunk_cadres:equal"), ("policies", GOOD["policies"] + ",sunk_cadres:equal"),
    ("policies", GOOD["policies"].replace("supply", "drive")), ("policies", ":" * 3000)])
def test_an_address_names_a_district_community_only_as_the_district_page_offers_it(key, value):
    from dashboard import explore, share

    held, left_out = page_district.from_address(GOOD)
    assert left_out == [] and (held.district, held.arm, held.index, held.days) == ("classroom_district", "b", 5,
                                                                                   LONG_DAYS)
    assert held.policies["sunk_cadres"] == "by_backlog" and held.policies["social_workers"] == "equal"
    assert page_district.from_address(dict(page_district.address_of(held))) == (held, [])  # the address round-trips
    assert page_district.from_address({"seed": "3"}) == (None, [])
    # One part wrong (or hostile) leaves the whole reference out, and the page's notice names every key.
    assert page_district.from_address({**GOOD, key: value}) == (None, list(page_district.ADDRESS_KEYS))
    query = "&".join(f"{k}={v}" for k, v in {**GOOD, key: value}.items())
    try:
        ignored = share.apply(f"page=explore&lang=en&{query}", lambda name: None, ["explore"])
        assert set(page_district.ADDRESS_KEYS) <= set(ignored)
        assert explore.awaited.value is None and explore.shares.value is None
        assert explore.run.value.model.pools == ()  # the plain scenario, and the page says what it left out
    finally:
        explore.shares.value, explore.base.value, explore.run.value = None, None, None
        explore.seed.value, explore.edits.value, i18n.language.value = 0, {}, "zh"


def test_an_address_of_a_district_community_runs_its_district_again_for_the_same_shares():
    """Reading the address runs the district in a worker process; meanwhile Explore has no model (so nothing runs
    on the scenario's own numbers), then the community has the shares the District page gave it."""
    from dashboard import explore, share

    query = "page=explore&lang=en&" + "&".join(f"{k}={v}" for k, v in GOOD.items()) + "&households=2000"
    try:
        assert share.apply(query, lambda name: None, ["explore"]) == []
        assert explore.awaited.value is not None and explore.run.value is None
        assert explore.seed.value == community_seed(page_district.first_seed(), 5)  # the maps' run's, by default
        assert explore.edits.value == {"households": 2000}  # the address's settings stay
        deadline = time.monotonic() + 180  # a deadline for a stuck worker, not a timing check
        while explore.awaited.value is not None and not explore.rebuild.failure.value:
            assert time.monotonic() < deadline, "the district run did not finish"
            time.sleep(0.2)
        assert explore.rebuild.failure.value == ""
        base = district_format.load("classroom_district").model_copy(update={"days": LONG_DAYS})
        district = district_format.with_policies(base, dict(p.split(":") for p in GOOD["policies"].split(",")))
        run = district_runs.run(district, page_district.first_seed())
        result = {"maps": {"b": {"allocations": run.allocations}}, "district": district.name, "days": LONG_DAYS,
                  "policies": {"b": run.policies}}
        assert explore.shares.value == page_district.shares_of(result, "b", 5)
        assert len({r["sunk_cadres"] for r in explore.shares.value.schedule.values()}) > 1  # not the scenario's
        while explore.run.value is None:  # reset() follows the shares in the job's thread
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert explore.run.value.model.pools == tuple(district.pools.named())
        assert explore.run.value.model.config.households == 2000
        written = share.current_query("explore")  # the page's own address carries the community again
        assert "district=classroom_district" in written and "arm=b" in written and "community=5" in written
        assert f"seed={explore.seed.value}" in written
        explore.choose_preset("no_linkage")  # a preset: nothing district-specific in the address any more
        assert "district=" not in share.current_query("explore")
    finally:
        explore.leave_district()
        explore.base.value, explore.run.value = None, None
        explore.seed.value, explore.edits.value, i18n.language.value = 0, {}, "zh"


def test_a_district_community_s_shared_address_opens_it_with_the_district_s_shares(browser, dashboard_url):
    """In a real browser: the address of a community opened from a District page's tile, opened in another
    browser, shows the same community with the same shares, and its run ends on the District page's figures."""
    first, second = browser.new_context(), browser.new_context()
    arm, index = "b", 5
    try:
        page = first.new_page()
        watch = open_dashboard(page, dashboard_url)
        page.click(".lang-en")
        run_classroom(page, reps=1, days=LONG_DAYS)
        pick(page, page.locator(f".district-map-{arm} svg .mark-rect[class*=tiles] path").nth(index))
        expect(page.locator(".district-shares-note")).to_contain_text("Policy B")
        page.wait_for_function("() => window.location.search.includes('district=classroom_district')")
        shared = page.url
        for part in (f"arm={arm}", f"community={index}", f"district_days={LONG_DAYS}", "policies=sunk_cadres:"):
            assert part in shared, shared
        note = page.locator(".district-shares-note").inner_text()
        watch.check()
        other = second.new_page()
        other_watch = open_dashboard(other, dashboard_url, "?" + shared.split("?", 1)[1])
        expect(other.locator(".district-shares-note")).to_have_text(note, timeout=120_000)  # the same shares
        expect(other.locator(".url-ignored")).to_have_count(0)
        row = arm_result(arm, LONG_DAYS).communities.set_index("community").loc[index]
        expect(other.locator(".households-input input")).to_have_value(str(int(row["households"])))
        expect(other.locator(".btn-add-compare")).to_be_disabled()
        run_explore_to_the_end(other, LONG_DAYS)
        assert explore_cards(other) == cards(row, "en")  # the district run's figures, not the scenario's own
        other_watch.check()
    finally:
        first.close()
        second.close()


def test_while_the_district_runs_again_explore_runs_nothing_and_says_why(browser, dashboard_url):
    """Opened from an address, the community waits for its district run (Step and Play off, a note in the page's
    language); a hostile district reference is left out with the page's notice."""
    context = browser.new_context()
    try:
        page = context.new_page()
        query = "?page=explore&lang=zh&" + "&".join(f"{k}={v}" for k, v in GOOD.items())
        watch = open_dashboard(page, dashboard_url, query)
        waiting = page.locator(".district-rebuilding")
        if waiting.count():  # the district run may already be over on a fast machine
            expect(waiting).to_contain_text("classroom_district")
            assert not foreign(waiting.inner_text(), "zh"), waiting.inner_text()
            if page.locator(".district-shares-note").count() == 0:
                expect(page.locator(".btn-step")).to_be_disabled()
        expect(page.locator(".district-shares-note")).to_contain_text("政策乙", timeout=120_000)
        expect(page.locator(".btn-step")).to_be_enabled()
        expect(waiting).to_have_count(0)
        watch.check()
        hostile = query.replace("classroom_district", "../../etc/passwd")
        page.goto(dashboard_url + "/" + hostile)
        page.wait_for_selector(".btn-step")
        expect(page.locator(".url-ignored")).to_contain_text("district")
        expect(page.locator(".district-shares-note")).to_have_count(0)
        expect(page.locator(".district-rebuilding")).to_have_count(0)
        expect(page.locator(".btn-step")).to_be_enabled()
    finally:
        context.close()
