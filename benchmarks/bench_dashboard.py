"""Benchmark of the dashboard's Explore page: one day of the default community (`no_linkage`, 3,000 households),
stepped and re-rendered.

    .venv/bin/python benchmarks/bench_dashboard.py                # 3 repeats of the 90 days
    .venv/bin/python benchmarks/bench_dashboard.py --days 30 --repeats 5 --json bench.json
    .venv/bin/python benchmarks/bench_dashboard.py --browser      # also Play's rate in headless Chromium

The Explore page is rendered with `solara.render` (the server side of the page, without a browser) and its Step
button clicked, as a user's click is handled on the server: the model steps one day, then every component that shows
the day renders again (cards, the five charts' Vega-Lite specs, the building's network) and the widgets are updated.
Each click is timed with `time.perf_counter`; the table gives the median, the 90th percentile and the maximum over
all clicks of all repeats, with the model's step alone (`CommunityModel.step`, timed separately on the same days)
for comparison. What the browser then does (send the widget updates over the websocket, Vega drawing) is not in it.
Target: a step and its re-render in under 100 ms.

With --browser it also serves the dashboard (`liandong dashboard` on a free port) and plays the default community
in Debian's headless Chromium at the fastest speed, where each day waits until the page has shown the day before:
the days per second a user sees, sending and drawing included.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")

import ipyvuetify as v  # noqa: E402
import solara  # noqa: E402

from dashboard import explore  # noqa: E402
from simulation import CommunityModel  # noqa: E402

TARGET_MS = 100.0


def page_steps(days: int, seed: int) -> list[float]:
    """Seconds per Step click (step + re-render) over `days` days of a freshly reset page."""
    explore.base.value, explore.edits.value, explore.seed.value = None, {}, seed
    explore.reset()
    _, rc = solara.render(explore.Explore(), handle_error=False)
    button = rc.find(v.Btn, class_="btn-step").widget
    times = []
    for _ in range(days):
        start = time.perf_counter()
        button.click()
        times.append(time.perf_counter() - start)
    rc.close()
    return times


def model_steps(days: int, seed: int) -> list[float]:
    model = CommunityModel(rng=seed)
    times = []
    for _ in range(days):
        start = time.perf_counter()
        model.step()
        times.append(time.perf_counter() - start)
    return times


def play_rate(days: int, width: int = 1400, height: int = 900) -> float:
    """Days per second of Play at the fastest speed in headless Chromium, over `days` days of the default run."""
    import socket
    import subprocess
    import urllib.request

    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT / "tests"))
    from dashboard_fixtures import CHROMIUM, CHROMIUM_ARGS

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([str(Path(sys.executable).with_name("liandong")), "dashboard", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(url, timeout=5)
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(url)
            page.wait_for_selector(".btn-step")
            page.click(".speed-max")
            read = "() => Number(document.querySelector('.day-label').innerText.match(/\\d+/)[0])"
            page.click(".btn-play")
            page.wait_for_function(f"() => ({read})() >= 1", timeout=60_000)
            start, first = time.perf_counter(), page.evaluate(read)
            page.wait_for_function(f"() => ({read})() >= {first + days}", timeout=600_000)
            rate = (page.evaluate(read) - first) / (time.perf_counter() - start)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return rate


def summary(times: list[float]) -> dict:
    ms = sorted(t * 1000 for t in times)
    return {"median_ms": statistics.median(ms), "p90_ms": ms[int(0.9 * (len(ms) - 1))], "max_ms": ms[-1],
            "n": len(ms)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=90, help="days stepped per repeat (default 90, a whole run)")
    parser.add_argument("--repeats", type=int, default=3, help="repeats, each on a fresh page (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write every timing and the medians here")
    parser.add_argument("--browser", action="store_true", help="also measure Play's days per second in Chromium")
    args = parser.parse_args()

    page_steps(3, args.seed)  # warm-up: imports, first renders, the building's layout
    page, model = [], []
    for r in range(args.repeats):
        page += page_steps(args.days, args.seed + r)
        model += model_steps(args.days, args.seed + r)
    rows = {"step + re-render (Explore page)": summary(page), "model step alone": summary(model)}
    print(f"Explore page, default community (3,000 households), {args.repeats} x {args.days} days, "
          f"Python {platform.python_version()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    print(f"{'':34} {'median':>9} {'p90':>9} {'max':>9}")
    for name, row in rows.items():
        print(f"{name:34} {row['median_ms']:7.1f}ms {row['p90_ms']:7.1f}ms {row['max_ms']:7.1f}ms")
    verdict = "PASS" if rows["step + re-render (Explore page)"]["median_ms"] < TARGET_MS else "MISS"
    print(f"target: median step + re-render < {TARGET_MS:.0f} ms: {verdict}")
    rate = None
    if args.browser:
        rate = play_rate(min(args.days, 60))
        print(f"Play at the fastest speed in headless Chromium (1400x900): {rate:.1f} days/s")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "page_s": page, "model_s": model, "target_ms": TARGET_MS,
                                         "play_days_per_second": rate,
                                         "python": platform.python_version(), "cores": os.cpu_count()}, indent=2))


if __name__ == "__main__":
    main()
