"""The dbt docs site in a real (headless) browser: a model page and its lineage graph.

Generates the docs the way `make docs` (scripts/docs.sh) does -- `dbt docs generate` with the repo's
profile, WAREHOUSE_PATH and AS_OF_DATE -- on a private copy of the session's small built warehouse
(dbt opens it read-write to read the catalog), into a temporary target folder; serves that folder on
a free loopback port and opens `fct_orders` in Debian's Chromium with Playwright. The lineage graph
is drawn by cytoscape on a canvas, so node labels are read from the graph the page renders and
checked to lie inside the visible graph area. Screenshot: tests/artifacts/dbt_docs_lineage.png
(git-ignored).

Chromium comes from Debian (`make browser-deps`); this test never downloads a browser.
"""

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from chromium import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, REPO_ROOT, needs_chromium  # tests/browser/chromium.py

pytestmark = [pytest.mark.browser, needs_chromium]
TIMEOUT_MS = 60_000
MODEL = "fct_orders"
# two levels up, one down: the staging models fct_orders is built from stay readable on screen
LINEAGE_SELECTION = f"2+{MODEL}+1"

# The graph's visible nodes with their on-screen position, read from the page's cytoscape instance.
VISIBLE_NODES_JS = """() => {
  const el = document.getElementById('cy');
  const cy = el && el._cyreg && el._cyreg.cy;
  if (!cy) return null;
  const box = el.getBoundingClientRect();
  return {
    width: box.width, height: box.height,
    nodes: cy.nodes().filter(n => n.visible()).map(n => {
      const p = n.renderedPosition();
      return {label: n.data('label'), x: p.x, y: p.y};
    }),
  };
}"""


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def docs_target(small_built_warehouse, tmp_path_factory) -> Path:
    """`dbt docs generate` as scripts/docs.sh runs it, on a copy of the built warehouse."""
    work = tmp_path_factory.mktemp("dbt_docs")
    warehouse = work / small_built_warehouse.path.name  # same file name: dbt's views name their catalog after it
    shutil.copy(small_built_warehouse.path, warehouse)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DBT_")}
    env.update({
        "WAREHOUSE_PATH": str(warehouse),
        "DBT_PROFILES_DIR": str(REPO_ROOT),
        "AS_OF_DATE": small_built_warehouse.market.as_of_date,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    })
    dbt = Path(sys.executable).parent / "dbt"
    target = work / "target"
    result = subprocess.run(
        [str(dbt), "docs", "generate", "--project-dir", str(REPO_ROOT),
         "--target-path", str(target), "--log-path", str(work / "logs")],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, f"dbt docs generate failed:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}"
    for name in ("index.html", "manifest.json", "catalog.json"):
        assert (target / name).is_file(), f"dbt docs generate wrote no {name}"
    return target


@pytest.fixture(scope="module")
def docs_url(docs_target):
    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(docs_target)))
    thread = threading.Thread(target=server.serve_forever, name="dbt-docs-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def _visible_nodes(page) -> dict[str, tuple[float, float]]:
    graph = page.evaluate(VISIBLE_NODES_JS)
    assert graph is not None, "no cytoscape graph in #cy"
    assert graph["width"] > 100 and graph["height"] > 100, graph
    inside = {
        n["label"]: (n["x"], n["y"]) for n in graph["nodes"]
        if 0 <= n["x"] <= graph["width"] and 0 <= n["y"] <= graph["height"]
    }
    return inside


def test_model_page_opens_its_lineage_graph(chromium, docs_url):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport={"width": 1600, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    outside = []
    page.on("request", lambda request: None if request.url.startswith(docs_url) or request.url.startswith("data:")
            else outside.append(request.url))
    try:
        page.goto(f"{docs_url}/#!/model/model.xborder.{MODEL}", wait_until="domcontentloaded")

        # the model page: its name, its relation and its documented columns
        page.get_by_role("heading", name=MODEL).first.wait_for()
        page.get_by_text(f"warehouse.marts.{MODEL}", exact=True).wait_for()
        page.get_by_text("order_id", exact=True).first.wait_for()

        # the lineage launcher opens the graph beside the page: the model and its direct parents
        page.locator('a[title="View Lineage Graph"]').click()
        page.get_by_text("Lineage Graph", exact=True).wait_for()
        page.locator("#cy canvas").first.wait_for(state="visible")
        page.wait_for_function(f"() => {{ const g = ({VISIBLE_NODES_JS})(); return !!g && g.nodes.length > 1; }}")
        sidebar = _visible_nodes(page)
        assert MODEL in sidebar and "int_orders__enriched" in sidebar, sorted(sidebar)

        # fullscreen, two levels upstream: the staging models fct_orders is built from
        page.locator('a[title="View Fullscreen"]:visible').click()
        selection = page.locator("input[ng-model='selectorService.selection.dirty.include']")
        assert selection.input_value() == f"+{MODEL}+"
        selection.fill(LINEAGE_SELECTION)
        page.locator("#submit-graph-selection").click()
        page.wait_for_function(
            f"() => {{ const g = ({VISIBLE_NODES_JS})(); return !!g && g.nodes.some(n => n.label === 'stg_shopify__orders'); }}"
        )
        page.wait_for_timeout(1_000)  # let the layout animation settle before the screenshot
        page.mouse.move(5, 5)  # no tooltip over the graph
        nodes = _visible_nodes(page)
        for label in (MODEL, "int_orders__enriched", "stg_shopify__orders", "stg_amazon_sp__orders", "dim_customers"):
            assert label in nodes, f"{label} is not drawn in the lineage graph: {sorted(nodes)}"
        # upstream is drawn left of the model, downstream right of it
        assert nodes["stg_shopify__orders"][0] < nodes["int_orders__enriched"][0] < nodes[MODEL][0]
        assert nodes[MODEL][0] < nodes["dim_customers"][0]
        assert page.locator("#cy canvas").first.is_visible()
        page.screenshot(path=str(ARTIFACTS / "dbt_docs_lineage.png"))
        assert outside == [], f"the docs site requested outside resources: {outside[:5]}"
    finally:
        context.close()
