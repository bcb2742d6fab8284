"""Fixtures for the dashboard's browser tests: a real `liandong dashboard` server and Debian's headless Chromium.

Import them into a test module with `from dashboard_fixtures import *`. Under pytest-xdist each worker that runs
browser tests starts one server on a free port of its own; every test gets a fresh browser context (a new session,
so a new model on the server).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# One local origin needs no site isolation: without it Chromium starts fewer processes for each page.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-site-isolation-trials", "--disable-features=IsolateOrigins,site-per-process"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
TIMEOUT_MS = 30_000
expect.set_options(timeout=TIMEOUT_MS)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Server:
    """A running `liandong dashboard`: its address, its process id (the solara server's: the command replaces
    itself with it) and its log."""

    url: str
    pid: int
    log: Path


@pytest.fixture(scope="session")
def dashboard_url(dashboard_server) -> str:
    return dashboard_server.url


@pytest.fixture(scope="session")
def dashboard_server(tmp_path_factory):
    """Start `liandong dashboard` on a free loopback port; its log goes to a file shown if it fails to start."""
    port = free_port()
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    liandong = Path(sys.executable).with_name("liandong")
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(liandong), "dashboard", "--port", str(port)], stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "/", timeout=5) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the dashboard did not start on {url}:\n{log.read_text(errors='replace')}")
        time.sleep(0.2)
    yield Server(url, proc.pid, log)
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    # What a user sees in the terminal: the address, and no traceback or warning from any page served.
    text = log.read_text(errors="replace")
    for bad in ("Traceback", "Warning:"):
        assert bad not in text, f"the dashboard's terminal showed {bad!r}:\n{text}"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium (Playwright cannot download its own browser here)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: run `make setup` (scripts/bootstrap.sh installs it)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}, "locale": "zh-CN"}


class Watch:
    """Records every response >= 400, every page error, every error logged to the browser's console (Vega's
    drawing errors go there) and every request that leaves this machine."""

    def __init__(self, page) -> None:
        self.bad: list[str] = []
        self.errors: list[str] = []
        self.console: list[str] = []
        self.outside: list[str] = []
        page.on("response", lambda r: self.bad.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("console", lambda m: self.console.append(m.text) if m.type == "error" else None)
        page.on("request", self._request)

    def _request(self, request) -> None:
        parsed = urlparse(request.url)
        if parsed.scheme in ("http", "https", "ws", "wss") and parsed.hostname not in LOCAL_HOSTS:
            self.outside.append(request.url)

    def check(self) -> None:
        assert not self.bad, f"responses with status >= 400: {self.bad}"
        assert not self.errors, f"page errors: {self.errors}"
        assert not self.console, f"errors in the browser's console: {self.console[:5]}"
        assert not self.outside, f"requests that left 127.0.0.1: {self.outside}"


def open_dashboard(page, url: str, query: str = "") -> Watch:
    """Open the dashboard in `page` (with the address's `query`, "?a=b", if given), watched, and wait until the
    Explore page is interactive."""
    watch = Watch(page)
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url + "/" + query)
    page.wait_for_selector(".btn-step")
    return watch


@pytest.fixture
def dashboard(page, dashboard_url):
    """A fresh session on the dashboard: (page, watch); fails the test on any bad response, error or outside
    request seen during it."""
    watch = open_dashboard(page, dashboard_url)
    yield page, watch
    watch.check()


def shot(page, name: str, selector: str | None = None) -> Path:
    """Save a screenshot (of the page, or of one element) under tests/artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    if selector:
        page.locator(selector).first.screenshot(path=str(path))
    else:
        page.screenshot(path=str(path), full_page=True)
    return path


def descendants(pid: int) -> list[int]:
    """The process ids of `pid`'s children, their children and so on (from /proc)."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


def cpu_seconds(pid: int) -> float:
    """CPU time used so far by `pid` and its living descendants (user + system)."""
    total = 0.0
    for p in [pid, *descendants(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def compare_folders(pid: int) -> list[Path]:
    """The results folders that the dashboard server `pid` has open for its comparisons."""
    import tempfile

    return sorted(Path(tempfile.gettempdir()).glob(f"liandong-compare-{pid}-*"))


# --- the language check -------------------------------------------------------------------------------------------
#: Names that stay as they are in both languages: the project's name, the languages' own names, file formats, and
#: the QQ groups of the story.
PROPER_NAMES = ("LiánDòng", "English", "中文", "TOML", "CSV", "PNG", "SVG", "PDF", "HTML", "QQ", "liandong",
                "UTF-8", "BOM", "KB", "MB", "true", "false", "Vega")
IDENTIFIER = r"[A-Za-z0-9_\-]*[A-Za-z0-9](?:[._][A-Za-z0-9_]+)+"  # a field key, a file name: acute_rate, b.toml
CJK = r"[\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef“”‘’、·…]"


def foreign(text: str, language: str, names: tuple[str, ...] = ()) -> list[str]:
    """The pieces of `text` written in the other language than `language` ("zh" or "en"): English words on a
    Chinese page, Chinese characters on an English one. Proper names, file names and field keys (the file's own
    words, in quotes, as TOML table headers, or with dots and underscores) do not count; `names` adds more (a scenario's
    field names)."""
    import re

    if language == "zh":
        text = re.sub(IDENTIFIER, " ", text)
    for name in (*PROPER_NAMES, *names):
        text = text.replace(name, " ")
    if language == "zh":
        text = re.sub(r"“[A-Za-z0-9_.\- ]+”|'[A-Za-z0-9_.\- ]+'|（[A-Za-z0-9_.\-]+）|\[\[?[A-Za-z0-9_.]+\]\]?", " ",
                      text)
        return sorted(set(re.findall(r"[A-Za-z]{2,}(?:[ \-'][A-Za-z]{2,})*", text)))
    return sorted(set(re.findall(f"{CJK}+", text)))
