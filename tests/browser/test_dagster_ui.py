"""The Dagster UI in a real (headless) browser, on the small warehouse the session built.

Starts `dagster-webserver -m orchestration` on a free loopback port against the session's
instance ($DAGSTER_HOME holds the finished full-build run), opens it in Debian's Chromium with
Playwright, and checks what a platform owner sees: the connected asset lineage and the finished
run. Screenshots go to tests/artifacts/ (git-ignored).

Chromium comes from Debian (`make browser-deps` / `apt-get install chromium`); this test never
downloads a browser (`playwright install` is not used).
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from orchestration.lib.settings import REPO_ROOT

from chromium import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, needs_chromium  # tests/browser/chromium.py

pytestmark = [pytest.mark.browser, needs_chromium]
UI_TIMEOUT_MS = 120_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def browser_context():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        # one context for the module: the "Skip" on the community dialog is remembered across pages
        context = browser.new_context(viewport={"width": 1600, "height": 1000})
        context.set_default_timeout(UI_TIMEOUT_MS)
        yield context
        context.close()
        browser.close()


@pytest.fixture(scope="module")
def built(small_dagster_build):
    return small_dagster_build


@pytest.fixture(scope="module")
def webserver(built, tmp_path_factory):
    port = _free_port()
    bin_dir = Path(sys.executable).parent
    log = (tmp_path_factory.mktemp("webserver") / "webserver.log").open("w")
    env = {**os.environ, **built.env(), "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    process = subprocess.Popen(
        [str(bin_dir / "dagster-webserver"), "-m", "orchestration", "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 180
    while time.time() < deadline:
        if process.poll() is not None:
            pytest.fail(f"dagster-webserver exited early, see {log.name}")
        try:
            with urllib.request.urlopen(f"{base_url}/server_info", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(1)
    else:
        pytest.fail(f"dagster-webserver did not answer within 180 s, see {log.name}")
    yield base_url
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    log.close()


def _new_page(context):
    page = context.new_page()
    dialog = page.get_by_text("Join the Dagster community")
    # the dialog pops up a few seconds after the first data loads, over whatever we look at
    page.add_locator_handler(dialog, lambda _: page.get_by_role("button", name="Skip").click())
    return page


def _dismiss_community_dialog(page, wait_ms: int = 20_000) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    dialog = page.get_by_text("Join the Dagster community")
    try:
        dialog.wait_for(state="visible", timeout=wait_ms)
    except PlaywrightTimeout:
        return  # already skipped in this browser context
    try:
        page.get_by_role("button", name="Skip").click(timeout=10_000)
    except PlaywrightTimeout:
        # the page's locator handler (see _new_page) runs before this click's retry and may have
        # clicked Skip itself; the button is then gone for good, so waiting longer cannot help
        pass
    dialog.wait_for(state="hidden")


def _open(page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")


def test_asset_lineage_connects_platform_tables_to_staging_models(webserver, browser_context):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = _new_page(browser_context)

    # the global lineage: every source is its own group beside the dbt layers
    _open(page, f"{webserver}/asset-groups")
    for group in ("raw_shopify", "raw_meta_ads", "staging", "intermediate", "marts"):
        page.get_by_text(group, exact=True).first.wait_for()
    _dismiss_community_dialog(page)
    page.screenshot(path=str(ARTIFACTS / "dagster_global_lineage.png"))

    # one staging model's upstream lineage reaches the dlt asset it reads
    _open(page, f"{webserver}/assets/staging/stg_shopify__orders?view=lineage&lineageScope=upstream&lineageDepth=3")
    page.get_by_text("stg_shopify__orders").first.wait_for()
    page.get_by_text("orders", exact=True).first.wait_for()  # the dlt asset raw_shopify/orders
    page.get_by_text("raw_shopify", exact=True).first.wait_for()
    body = page.inner_text("body")
    assert "base_shopify__orders" in body
    assert "dlt" in body and "dbt" in body
    page.screenshot(path=str(ARTIFACTS / "dagster_asset_lineage.png"))
    page.close()


def test_the_finished_full_build_run_shows_success(webserver, browser_context, built):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = _new_page(browser_context)
    _open(page, f"{webserver}/runs/{built.run_id}")
    # the run's status tag (event types read STEP_SUCCESS / RUN_SUCCESS, hence exact matching)
    page.get_by_text("Success", exact=True).first.wait_for()
    page.get_by_text("ingest_shopify").first.wait_for()
    # the step list and the log come from the run's event log, loaded after the header: wait for both
    page.wait_for_function("() => !document.body.innerText.includes('Loading run logs')", timeout=UI_TIMEOUT_MS)
    page.get_by_text("warehouse_dbt_attributed").first.wait_for()
    assert page.get_by_text("Failure", exact=True).count() == 0
    body = page.inner_text("body")
    assert "warehouse_full_build" in body
    assert "warehouse_dbt" in body
    _dismiss_community_dialog(page, wait_ms=2_000)
    page.screenshot(path=str(ARTIFACTS / "dagster_finished_run.png"))
    page.close()
