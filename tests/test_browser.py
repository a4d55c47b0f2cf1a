"""A real `streamlit run` server driven by Debian's Chromium (headless, through Playwright):
every page loads without an exception box, and each page's screenshot is kept in artifacts/."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from depinlens.settings import PROJECT_ROOT
from harness.anvil import free_port

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
PAGES = {  # url path -> title shown on the page
    "": "Overview", "revenue": "Revenue and burns", "staking": "Staking and yield", "utilization": "Utilization",
    "gpu_prices": "GPU prices", "benchmarks": "Benchmarks", "claims": "Claims against evidence",
    "token_flows": "Token flows", "submit": "Submit a benchmark", "data_sources": "Data and methodology",
    "report": "Report",
}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Debian's chromium is not installed; scripts/test.sh installs it (as root)")


@pytest.fixture(scope="module")
def dashboard_url(demo_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    env = dict(os.environ, DEPINLENS_DATA_DIR=str(demo_data_dir),
               DEPINLENS_SERVING=str(demo_data_dir / "serving.duckdb"),
               DEPINLENS_BENCH_INBOX=str(tmp_path_factory.mktemp("inbox")))
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
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    page.wait_for_selector("h1", timeout=60_000)
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    page.wait_for_timeout(1500)  # charts draw after the script finishes
    return page


@pytest.mark.parametrize("path", list(PAGES))
def test_each_page_loads_in_chromium_without_an_exception_box(browser, dashboard_url: str, path: str) -> None:
    page = _open(browser, f"{dashboard_url}/{path}")
    try:
        assert page.locator("h1").first.inner_text().strip().startswith(PAGES[path])
        exceptions = page.locator('[data-testid="stException"]')
        assert exceptions.count() == 0, exceptions.first.inner_text()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{path or 'overview'}.png"), full_page=True)
    finally:
        page.close()


def test_an_uploaded_malformed_or_oversized_file_is_refused_with_its_reason(browser, dashboard_url: str,
                                                                           tmp_path: Path) -> None:
    malformed, oversized = tmp_path / "malformed.json", tmp_path / "oversized.json"
    malformed.write_text('{"schema_version": "1", ')
    oversized.write_text(json.dumps({"padding": "x" * (1 << 20)}))
    page = _open(browser, f"{dashboard_url}/submit")
    try:
        page.locator('input[type="file"]').set_input_files(str(malformed))
        page.get_by_text("Rejected (malformed_json)").wait_for(timeout=30_000)
        page.locator('input[type="file"]').set_input_files(str(oversized))
        page.get_by_text("over the 1,048,576-byte limit").wait_for(timeout=30_000)
    finally:
        page.close()
