"""A real `streamlit run` server driven by Debian's Chromium (headless, through Playwright): every page
loads without an exception box, shows no None, NaN, raw timestamp or server path, asks no host but the
server itself for anything (every request is intercepted: one to another host fails the test), and
keeps its filters across pages and a reload; each page's screenshot is kept in artifacts/screenshots/."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import httpx
import pytest

from depinlens.settings import PROJECT_ROOT
from harness.anvil import free_port
from warehouse import connect_serving, publish, queries, resolve_serving, versions_dir

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
PAGES = {  # url path -> title shown on the page
    "": "Overview", "revenue": "Revenue and burns", "staking": "Staking and yield", "gpu_finance": "GPU finance",
    "utilization": "Utilization",
    "gpu_prices": "GPU prices", "benchmarks": "Benchmarks", "claims": "Claims against evidence",
    "token_flows": "Token flows", "submit": "Submit a benchmark", "data_sources": "Data and methodology",
    "report": "Report", "providers": "Akash providers",
}
LOOPBACK = re.compile(r"^(?:https?|wss?)://127\.0\.0\.1(?::\d+)?/|^(?:data|blob|about):")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Debian's chromium is not installed; scripts/test.sh installs it (as root)")


@contextmanager
def _streamlit(data_dir: Path, inbox: Path) -> Iterator[tuple[subprocess.Popen, str]]:
    """`streamlit run` of the app over `data_dir` on a free loopback port: (server process, URL); always stopped."""
    port = free_port()
    env = dict(os.environ, DEPINLENS_DATA_DIR=str(data_dir), DEPINLENS_SERVING=str(data_dir / "serving.duckdb"),
               DEPINLENS_BENCH_INBOX=str(inbox))
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "dashboards" / "streamlit_app.py"),
         "--server.headless", "true", "--server.address", "127.0.0.1", "--server.port", str(port),
         "--browser.gatherUsageStats", "false"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/_stcore/health", timeout=1).text == "ok":
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail("streamlit did not become healthy")
        yield server, url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def dashboard_url(demo_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with _streamlit(demo_data_dir, tmp_path_factory.mktemp("inbox")) as (_server, url):
        yield url


@pytest.fixture(scope="module")
def outside_requests() -> list[str]:
    """Every request a page made to a host other than the loopback server (each is refused)."""
    return []


@pytest.fixture(scope="module")
def browser(outside_requests: list[str]):
    """Chromium whose every context refuses, and records, any request that leaves 127.0.0.1."""
    from playwright.sync_api import sync_playwright

    def intercept(route) -> None:
        if LOOPBACK.match(route.request.url):
            route.continue_()
        else:
            outside_requests.append(route.request.url)
            route.abort()

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        original = chromium.new_page

        def new_page(**kwargs):
            page = original(**kwargs)
            page.context.route("**/*", intercept)
            return page

        chromium.new_page = new_page  # type: ignore[method-assign]
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def no_request_leaves_the_machine(outside_requests: list[str]) -> Iterator[None]:
    yield
    assert not outside_requests, f"pages asked outside hosts for: {sorted(set(outside_requests))}"


def _settle(page) -> None:
    """Wait until the page's script has run and its charts are drawn."""
    page.wait_for_selector("h1", timeout=60_000)
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    page.wait_for_timeout(1500)  # charts draw after the script finishes


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    _settle(page)
    return page


def _screenshot(page, path: Path) -> None:
    """The whole page as a reader scrolls it: Streamlit scrolls its main area inside the window, so the
    window is first made as tall as that area's content (a full-page shot alone stops at the fold)."""
    scrolled = "[data-testid=stMain], [data-testid=stAppViewContainer]"
    height = page.evaluate(f"() => Math.max(document.body.scrollHeight, "
                           f"...Array.from(document.querySelectorAll('{scrolled}'), e => e.scrollHeight))")
    page.set_viewport_size({"width": 1400, "height": min(int(height) + 60, 16_000)})
    page.wait_for_timeout(500)  # charts redraw at the new size
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)


def _main_text(page) -> str:
    """The text a reader sees in the page's main area (tables are drawn on a canvas: AppTest reads their cells)."""
    return page.locator('[data-testid="stMain"]').inner_text()


@pytest.mark.parametrize("path", list(PAGES))
def test_each_page_loads_in_chromium_for_a_reader_and_asks_no_outside_host(browser, dashboard_url: str, path: str,
                                                                            demo_data_dir: Path) -> None:
    page = _open(browser, f"{dashboard_url}/{path}")
    try:
        assert page.locator("h1").first.inner_text().strip().startswith(PAGES[path])
        exceptions = page.locator('[data-testid="stException"]')
        assert exceptions.count() == 0, exceptions.first.inner_text()
        text = _main_text(page)
        assert not re.search(r"\b(?:None|NaN|NaT)\b|\d{2}:\d{2}:\d{2}", text), text
        assert str(demo_data_dir) not in text and str(PROJECT_ROOT) not in text  # no server path
        assert page.get_by_text("Deploy", exact=True).count() == 0  # the viewer toolbar
        _screenshot(page, SCREENSHOTS / f"{path or 'overview'}.png")
    finally:
        page.close()


def test_an_uploaded_malformed_or_oversized_file_is_refused_with_its_reason(browser, dashboard_url: str,
                                                                           tmp_path: Path) -> None:
    malformed, oversized = tmp_path / "malformed.json", tmp_path / "oversized.json"
    malformed.write_text('{"schema_version": "1", ')
    oversized.write_text(json.dumps({"padding": "x" * (1 << 20)}))
    page = _open(browser, f"{dashboard_url}/submit")
    try:
        assert page.get_by_text("1MB per file").count() == 1  # the verifier's 1 MiB, not Streamlit's 200 MB
        page.locator('input[type="file"]').set_input_files(str(malformed))
        page.get_by_text("Rejected (malformed_json)").wait_for(timeout=30_000)
        page.locator('input[type="file"]').set_input_files(str(oversized))
        page.get_by_text("File must be 1.0MB or smaller").wait_for(timeout=30_000)  # refused before it is sent
    finally:
        page.close()


def _networks_shown(page) -> list[str]:
    return page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"] [data-tag] span[title]').all_inner_texts()


def test_a_filter_set_on_the_overview_survives_four_other_pages_and_a_reload(browser, dashboard_url: str) -> None:
    page = _open(browser, dashboard_url)
    try:
        everyone = _networks_shown(page)
        dropped = ["aethir", "gaib"]
        kept = [n for n in everyone if n not in dropped]
        for network in dropped:
            page.get_by_role("button", name=f"Remove {network}").click()
            _settle(page)
        assert _networks_shown(page) == kept and len(kept) == len(everyone) - 2
        in_url = "networks=" + "%2C".join(kept)
        window = dict(re.findall(r"(from|to)=([\d-]+)", page.url))
        # four pages, then one that draws no filter at all: each carries the filters in its URL
        for title in ("Revenue and burns", "GPU prices", "Benchmarks", "Claims against evidence",
                      "Data and methodology"):
            page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
            _settle(page)
            assert page.locator("h1").first.inner_text().strip() == title
            assert in_url in page.url and all(f"{k}={v}" in page.url for k, v in window.items()), (title, page.url)
            if title in ("Revenue and burns", "Claims against evidence"):  # pages that draw the network picker
                assert _networks_shown(page) == kept
        page.reload()  # a new session: only the URL remembers
        _settle(page)
        assert in_url in page.url
        page.locator('[data-testid="stSidebarNav"]').get_by_text("Overview", exact=True).click()
        _settle(page)
        assert _networks_shown(page) == kept
    finally:
        page.close()


def _headline_revenue(page) -> str:
    """The Overview's first headline figure, "Revenue in window", as shown."""
    return page.locator('[data-testid="stMetricValue"]').first.inner_text().strip()


MEASURED_REVENUE = ("select network from marts.network_metric_coverage "
                    "where metric = 'revenue_usd' and status = 'measured'")


def _published_revenue(serving: Path) -> str:
    """What the Overview shows by default (every network whose revenue is measured, every published day),
    read from the current version."""
    with connect_serving(serving) as conn:
        first, last = conn.execute("select min(day), max(day) from marts.network_daily").fetchone()
        measured = [n for (n,) in conn.execute(MEASURED_REVENUE).fetchall()]
        summary = queries.network_summary(conn, networks=measured, start=first, end=last)
    return f"${summary['revenue_usd'].sum():,.0f}"


def _serving_files_held(pid: int, serving: Path) -> list[str]:
    """The serving versions a process has open (from /proc/<pid>/fd), deleted ones marked so by Linux."""
    folder = str(versions_dir(serving).resolve())
    held = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except FileNotFoundError:
            continue
        if target.startswith(folder):
            held.append(target)
    return sorted(held)


def test_a_publish_while_the_page_is_open_shows_after_a_reload_and_the_server_lets_the_old_file_go(
        browser, demo_data_dir: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(demo_data_dir, data_dir, symlinks=True, ignore=shutil.ignore_patterns("dagster_home"))
    serving, working = data_dir / "serving.duckdb", data_dir / "warehouse.duckdb"
    first = resolve_serving(serving)
    (tmp_path / "inbox").mkdir()
    with _streamlit(data_dir, tmp_path / "inbox") as (server, url):
        page = _open(browser, url)
        try:
            shown_before = _headline_revenue(page)
            assert _serving_files_held(server.pid, serving) == [str(first)]

            with duckdb.connect(str(working)) as conn:  # a later build: more revenue on every measured network-day
                conn.execute("update marts.network_daily set revenue_usd = coalesce(revenue_usd, 0) + 1000000 "
                             f"where network in ({MEASURED_REVENUE})")
            publish(working, serving)
            second = resolve_serving(serving)
            page.reload()
            _settle(page)

            assert _headline_revenue(page) == _published_revenue(serving) != shown_before
            assert _serving_files_held(server.pid, serving) == [str(second)]

            publish(working, serving)  # keeps this version and the one before: the first goes, nobody holds it
            assert not first.exists()
            assert not [f for f in _serving_files_held(server.pid, serving) if f.endswith("(deleted)")]
        finally:
            page.close()
