"""What a user takes to a meeting, in a real headless Chromium: each chart as PNG and SVG, the comparison as a
report file with the scenarios' names, settings, verdicts, version and seeds, and every daily series in the CSV."""

from __future__ import annotations

import struct
from pathlib import Path

from PIL import Image
from playwright.sync_api import expect

import simulation

from dashboard_fixtures import *  # noqa: F403 (the server, browser and page fixtures)


def download(page, click) -> Path:
    with page.expect_download() as info:
        click()
    return Path(info.value.path())


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_each_chart_saves_as_png_and_svg(dashboard):
    page, watch = dashboard
    for _ in range(3):
        before = page.locator(".day-label").inner_text()
        page.click(".btn-step")
        expect(page.locator(".day-label")).not_to_have_text(before)
    page.wait_for_function("() => Number(document.querySelector('.liandong-chart').dataset.renders || 0) > 1")
    chart = page.locator(".chart").first
    png = download(page, lambda: chart.locator(".chart-png").click())
    width, height = png_size(png.read_bytes())
    assert width >= 400 and height >= 200
    svg = download(page, lambda: chart.locator(".chart-svg").click()).read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<svg") and "未满足需求（按类别）" in svg and "食品" in svg
    network = download(page, lambda: page.locator(".network-chart .chart-png").click())
    png_size(network.read_bytes())
    watch.check()


def test_the_comparison_report_and_the_daily_csv(dashboard):
    page, watch = dashboard
    page.click(".nav-compare")
    for selector, value in ((".compare-reps", "2"), (".compare-households", "300"), (".compare-days", "20")):
        field = page.locator(f"{selector} input")
        field.fill(value)
        field.press("Enter")
        expect(field).to_have_value(value)
    page.click(".btn-compare")
    expect(page.locator(".compare-results-1 table.differences")).to_be_visible(timeout=120_000)
    report = download(page, lambda: page.get_by_text("下载比较报告（HTML，可打印）").click())
    text = report.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "</html>" in text
    for expected in ("仅靠社区干部", "应急线上联动", "no_linkage", "emergency_online",  # the scenarios' names
                     "300 户，20 天", "应急线上联动（online.enabled）: 关闭 → 开启",  # sizes and settings
                     "<svg", "判断", "根种子 20200123", "LiánDòng 版本"):  # chart, verdicts, seeds, version
        assert expected in text, expected
    assert any(words in text for words in ("明显减少", "明显降低", "无明显差别", "明显增加", "明显升高"))
    assert "src=\"http" not in text and "href=\"http" not in text  # self-contained
    chart = download(page, lambda: page.locator(".compare-results .chart-svg").first.click())
    svg = chart.read_text(encoding="utf-8")
    assert "仅靠社区干部" in svg and "应急线上联动" in svg  # the scenarios' names in the exported chart
    png = download(page, lambda: page.locator(".compare-results .chart-png").first.click())
    png_size(png.read_bytes())
    with Image.open(png) as image:  # a valid PNG (every chunk's CRC checked), naming the scenarios it draws
        image.load()
        said = image.text.get("Description", "")
    assert "仅靠社区干部" in said and "应急线上联动" in said, said
    daily = download(page, lambda: page.get_by_text("下载每日序列（CSV）").click()).read_text(encoding="utf-8")
    header = daily.splitlines()[0].split(",")
    assert set(simulation.DAILY_COLUMNS) <= set(header) and "scenario" in header
    assert len(daily.splitlines()) == 1 + 2 * 2 * 20  # two scenarios, two runs, twenty days
    watch.check()
