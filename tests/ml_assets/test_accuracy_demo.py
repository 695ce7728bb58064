"""Issue 6's bars at demo scale, hard (`make accuracy` / `pytest -m accuracy`; not part of `make test`).

Each bench market (seed 42, 20k people, 180 days) is the one `make bench BENCH_ARGS="--only ml"` builds in
data/bench/ml-<scenario>/; a market that is not there is built first (the `make run` pipeline, ~8 min each).
XBORDER_ML_ACCURACY_REBUILD=1 rebuilds them even when present (a warehouse from older dbt code would otherwise be
scored). The `ml` tables are re-scored with this checkout's code on a private copy, then compared with the truth:

- CLV: predicted / realised 180-day revenue within +-15%, Spearman per person >= 0.5 (every market);
- churn: AUC >= 0.75 against no order in the true next 90 days (every market);
- budget: the plan by market and the channel table, each against its oracle under the true curves, reach >= 95% of
  it and close >= 70% of the gap (issue 6 asks this of the default scenario and two others; all four are held to it).
"""
from __future__ import annotations

import os
import shutil

import duckdb
import pytest

from bench.ml_accuracy import DEFAULT_SCENARIOS, SALT, build_market
from orchestration.defs.ml.builders import BUILDERS, write_table

from .run_accuracy import ASSERTED_BARS, evaluate


@pytest.mark.accuracy
@pytest.mark.parametrize("scenario", DEFAULT_SCENARIOS)
def test_issue_6_bars_at_demo_scale(scenario, tmp_path):
    rebuild = os.environ.get("XBORDER_ML_ACCURACY_REBUILD") == "1"
    warehouse, truth, _ = build_market(scenario, scale="demo", seed=42, reuse=not rebuild)
    copy = tmp_path / warehouse.name  # same file name: dbt views refer to the catalog by it
    shutil.copy(warehouse, copy)
    con = duckdb.connect(str(copy))
    try:
        as_of = con.execute("select max(as_of_date) from ml.customer_scores").fetchone()[0]
        for name in ("customer_scores", "budget_suggestions_by_market"):
            write_table(con, name, BUILDERS[name](con, as_of))
    finally:
        con.close()
    result = evaluate(copy, truth, salt=SALT)
    failed = {k: result["bars"][k] for k in ASSERTED_BARS if not result["bars"][k].startswith("PASS")}
    print(f"{scenario}: " + "; ".join(f"{k} {result['bars'][k]}" for k in ASSERTED_BARS))
    assert not failed, failed
