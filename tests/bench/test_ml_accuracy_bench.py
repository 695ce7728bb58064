"""The ML accuracy bench's pure parts (bench/ml_accuracy.py, tests/ml_assets/run_accuracy.py): scenario lookup, the
verdicts against issue 6's bars, the markdown table, and a clear message instead of a traceback on missing input."""
from __future__ import annotations

import pytest

from bench import ml_accuracy
from tests.ml_assets import run_accuracy


def test_scenarios_resolve_by_name_or_path_and_an_unknown_one_is_refused(tmp_path):
    assert ml_accuracy._scenario_path("default") is None
    assert ml_accuracy._scenario_path("search_heavy").name == "search_heavy.yaml"
    own = tmp_path / "mine.yaml"
    own.write_text("name: mine\n")
    assert ml_accuracy._scenario_path(str(own)) == own
    with pytest.raises(SystemExit, match="no scenario 'nope'"):
        ml_accuracy._scenario_path("nope")


def test_verdicts_follow_the_bars():
    assert run_accuracy._verdict(0.92, 0.85, 1.15).startswith("PASS")
    assert run_accuracy._verdict(1.20, 0.85, 1.15).startswith("FAIL")
    assert run_accuracy._verdict(0.749, 0.75, None).startswith("FAIL")
    assert run_accuracy._verdict(0.75, 0.75, None).startswith("PASS")


def test_markdown_has_a_column_per_market_and_the_bars():
    res = {k: 0.5 for k in ("clv_ratio_180d", "clv_spearman_180d", "churn_auc_90d", "suggestion_over_oracle",
                            "gap_closed")}
    res.update(customers=10, fragmented_people=1, rule_fixed_channel_markets=3,
               bars={"churn_auc_90d": run_accuracy._verdict(0.5, 0.75, None)})
    md = run_accuracy.markdown({"demo-default": res, "demo-search_heavy": res})
    assert "| metric | demo-default | demo-search_heavy |" in md
    assert "churn_auc_90d FAIL (0.500, bar >= 0.75)" in md


def test_missing_warehouse_is_a_clear_message(tmp_path, capsys):
    assert run_accuracy.main([str(tmp_path / "warehouse.duckdb")]) == 2
    assert "run `make run` first" in capsys.readouterr().err
