"""ml builders on the built small market: shapes, invariants, empty and tiny input, and what the truth lets us check
on 60 days (the SRM counts, the budget plans against their oracles). Issue 6's accuracy bars need a longer history:
test_accuracy_eval_market.py asserts them on the ML evaluation market (8,000 people, 180 days), and `make accuracy` on
the demo-scale bench markets (`python -m tests.ml_assets.run_accuracy` measures them on any built warehouse).

Dev shortcut (never set in CI): the `wh` fixture normally copies the session fixture `small_built_warehouse`, a
full Dagster build of the small market that takes many minutes. To iterate on the builders against a warehouse
built the same way (seed 42, PII_SALT=pytest-salt-not-secret), point these at it:

    XBORDER_ML_TEST_WAREHOUSE=/path/to/warehouse.duckdb   # a built warehouse (copied, never written)
    XBORDER_ML_TEST_TRUTH=/path/to/truth                  # its simulator truth folder
    XBORDER_ML_TEST_AS_OF=2025-10-30                      # its as_of date (the manifest's as_of_date)

With XBORDER_ML_TEST_WAREHOUSE set, the build is not requested at all; the other two are then required.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from analytics.clv.errors import InsufficientDataError
from orchestration.defs.ml.builders import (
    BUILDERS,
    COLUMNS,
    rule_levels,
    run_builder,
    write_table,
)

from . import truth_eval


@dataclass(frozen=True)
class _DevMarket:
    """What the tests read of `conftest.Market`, for the XBORDER_ML_TEST_* shortcut."""
    truth: Path
    as_of_date: str


@pytest.fixture(scope="module")
def wh(request, tmp_path_factory):
    """(private copy of the built warehouse, its market); see the module docstring for the dev shortcut."""
    # the copy keeps the file name: dbt views refer to the catalog by file name
    dest = tmp_path_factory.mktemp("ml_assets") / "warehouse.duckdb"
    prebuilt = os.environ.get("XBORDER_ML_TEST_WAREHOUSE")
    if prebuilt:
        truth, as_of = os.environ.get("XBORDER_ML_TEST_TRUTH"), os.environ.get("XBORDER_ML_TEST_AS_OF")
        if not (truth and as_of):
            pytest.fail("XBORDER_ML_TEST_WAREHOUSE needs XBORDER_ML_TEST_TRUTH and XBORDER_ML_TEST_AS_OF",
                        pytrace=False)
        if Path(prebuilt).name != dest.name:
            pytest.fail(f"XBORDER_ML_TEST_WAREHOUSE must be named {dest.name} (dbt views use the file name)",
                        pytrace=False)
        shutil.copy(prebuilt, dest)
        return dest, _DevMarket(truth=Path(truth), as_of_date=as_of)
    built = request.getfixturevalue("small_built_warehouse")  # only here: requesting it triggers the build
    shutil.copy(built.path, dest)
    return dest, built.market


@pytest.fixture(scope="module")
def con(wh):
    c = duckdb.connect(str(wh[0]))
    yield c
    c.close()


@pytest.fixture(scope="module")
def tables(con, wh):
    as_of = wh[1].as_of_date
    out = {}
    for name in BUILDERS:
        cfg = {"top_markets": 2} if name == "forecasts" else {}
        out[name] = BUILDERS[name](con, as_of, **cfg)
        write_table(con, name, out[name])
    return out


def test_every_table_has_its_columns_and_is_written(tables, con):
    for name, df in tables.items():
        assert list(df.columns) == COLUMNS[name], name
        n = con.execute(f"select count(*) from ml.{name}").fetchone()[0]
        assert n == len(df) > 0, name


def test_customer_scores_invariants(tables):
    s = tables["customer_scores"]
    assert s["person_id"].is_unique
    assert s["p_alive"].between(0, 1).all()
    assert (s["expected_orders_180d"] >= s["expected_orders_90d"] - 1e-9).all()
    assert (s["expected_revenue_180d"] >= s["expected_revenue_90d"] - 1e-9).all()
    assert s["churn_score"].between(0, 1).all()


def test_segments_labels(tables):
    seg = tables["segments"]
    assert seg["person_id"].is_unique
    assert seg["segment_label"].notna().all() and seg["rfm_segment"].notna().all()
    assert seg["r_score"].between(1, 5).all()


def test_budget_respects_total_and_bounds(tables):
    """The whole budget (default: the last 30 days' mean daily spend) is placed within the bounds; budget freed by
    the brand's holds goes to the other channels. Only when their upper bounds cannot take it all is the rest left
    unallocated, and then every row says how much (docs/ml.md, "Budget")."""
    b = tables["budget_suggestions"]
    total = float(b["total_budget"].iloc[0])
    assert (b["total_budget"] == total).all()
    assert total == pytest.approx(b["current_daily_spend"].sum(), rel=1e-4)
    assert (b["suggested_daily_spend"] >= b["lower_bound"] - 1e-6).all()
    assert (b["suggested_daily_spend"] <= b["upper_bound"] + 1e-6).all()
    assert b["reason"].notna().all()
    unallocated = total - b["suggested_daily_spend"].sum()
    print(f"budget small: total {total:.2f}/day, suggested {b['suggested_daily_spend'].sum():.2f}, "
          f"unallocated {unallocated:.2f}; actions {dict(zip(b['channel'], b['action']))}")
    assert unallocated >= -1e-6 * total
    if unallocated <= 1e-4 * total:
        assert not b["reason"].str.contains("unallocated").any()
        return
    free = ~b["action"].isin(["hold", "cut", "pause"])
    assert (b.loc[free, "suggested_daily_spend"] >= b.loc[free, "upper_bound"] - 1e-6).all(), \
        "budget left unallocated while a free channel is below its upper bound"
    stated = b["reason"].str.extract(r"([0-9,.]+) of the ([0-9,.]+) daily budget is left unallocated")
    assert stated.notna().all().all(), "every row must state the unallocated budget"
    assert stated[0].str.replace(",", "").astype(float).sub(unallocated).abs().max() <= 0.01
    assert stated[1].str.replace(",", "").astype(float).sub(total).abs().max() <= 0.01


def test_forecasts_start_after_as_of(tables, wh):
    f = tables["forecasts"]
    dated = f.dropna(subset=["date_day"])
    assert (pd.to_datetime(dated["date_day"]) > pd.Timestamp(wh[1].as_of_date)).all()
    assert (dated["lower_bound"] <= dated["upper_bound"]).all()


def test_kpi_anomalies_bands(tables):
    a = tables["kpi_anomalies"].dropna(subset=["expected_value"])
    assert len(a) > 0
    assert (a["lower_bound"] <= a["upper_bound"]).all()


def test_srm_flagged_on_planted_experiment(tables, wh):
    """Every SRM the data can show is flagged (all rows `unhealthy`), and nothing else is.

    The simulator plants an SRM by drawing variants with `actual_share` (e.g. 53/47 against a declared 50/50); the
    data hold the realised draw, truth `assigned_units`. On the 60-day small market (about 1,800 units per
    experiment) even a perfect 53/47 gives chi-square p ~ 0.01, and seed 42 realised 906/867 (51.1/48.9, p ~ 0.35):
    no test at the issue's alpha 0.001 can flag that, so a plant the realised counts do not show is printed. What
    must hold: the builder counts the units the simulator assigned, flags every experiment whose realised counts
    show an SRM, and flags no experiment without a plant. On the evaluation market the plant must be flagged
    (test_accuracy_eval_market.py).
    """
    from scipy.stats import chisquare

    truth = pd.read_csv(Path(wh[1].truth) / "experiments.csv")
    planted = set(truth.loc[truth["has_planted_srm"], "experiment_id"])
    res = tables["experiment_results"]
    flagged = set(res.loc[res["is_srm"].astype(bool), "experiment_id"])
    assert planted, "the simulator planted no SRM"
    assert not (flagged - planted), f"false SRM flags: {flagged - planted}"
    assert (res.loc[res["experiment_id"].isin(flagged), "verdict"] == "unhealthy").all()

    seen = truth.loc[truth.groupby("experiment_id")["assigned_units"].transform("sum") > 0]
    both = seen.merge(res, on=["experiment_id", "variant_name"], how="left")
    assert both["users"].notna().all(), "an assigned experiment/variant is missing from ml.experiment_results"
    off = (both["users"] - both["assigned_units"]).abs()
    assert (off <= np.maximum(0.01 * both["assigned_units"], 5)).all(), \
        both.loc[:, ["experiment_id", "variant_name", "users", "assigned_units"]].to_string()

    realised = {}
    for exp, g in seen.groupby("experiment_id"):
        n = g["assigned_units"].to_numpy(dtype=float)
        share = g["declared_share"].to_numpy(dtype=float)
        realised[exp] = (chisquare(n, share / share.sum() * n.sum()).pvalue, "/".join(str(int(v)) for v in n))
    detectable = {e for e in planted if e in realised and realised[e][0] < 0.001}
    assert detectable <= flagged, f"SRM in the realised counts but not flagged: {detectable - flagged}"
    missed = planted - flagged
    print("SRM small: " + "; ".join(f"{e} units {realised[e][1]} realised p={realised[e][0]:.3g}"
                                    f"{' (planted, not visible at alpha 0.001)' if e in missed else ''}"
                                    for e in sorted(realised)))


def test_empty_warehouse_gives_clear_message(tmp_path):
    c = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    for name in BUILDERS:
        with pytest.raises(InsufficientDataError):
            BUILDERS[name](c, "2025-10-30")
        df, note = run_builder(c, name, "2025-10-30")
        assert df.empty and note
        write_table(c, name, df)
    c.close()


def test_tiny_input_gives_clear_message(con, wh, tmp_path):
    """Only the first 3 days of orders: every builder either works or raises InsufficientDataError."""
    first = con.execute("select min(order_date) from marts.fct_orders").fetchone()[0]
    as_of = (pd.Timestamp(first) + pd.Timedelta(days=2)).date().isoformat()
    for name in BUILDERS:
        df, note = run_builder(con, name, as_of)
        assert list(df.columns) == COLUMNS[name]


# ----------------------------------------------------------------------------------- against the truth
def test_budget_by_channel_is_the_plan_by_market_summed(tables):
    """ml.budget_suggestions is ml.budget_suggestions_by_market summed per channel (one allocation, two views)."""
    by_channel = tables["budget_suggestions"].set_index("channel").sort_index()
    cells = tables["budget_suggestions_by_market"]
    sums = cells.groupby("channel")[["current_daily_spend", "suggested_daily_spend", "lower_bound", "upper_bound",
                                     "expected_revenue_suggested"]].sum().sort_index()
    assert list(by_channel.index) == list(sums.index)
    for column in sums.columns:
        assert by_channel[column].to_numpy() == pytest.approx(sums[column].to_numpy(), rel=1e-9, abs=1e-9), column
    assert (by_channel["total_budget"] == cells["total_budget"].iloc[0]).all()
    ruled = cells.loc[cells["rule"].notna()]
    for channel, market, action in zip(ruled["channel"], ruled["market"], ruled["action"]):
        assert f"{action} in {market}" in by_channel.loc[channel, "reason"]


def test_budget_vs_oracle_under_true_curves(tables, wh, con):
    """Skill of the channel table as the curves alone give it (rules ignored on both sides): against the best
    channel-level plan (its own decision space) and against the channel x market oracle with each channel's change
    spread over its markets in proportion; printed (issue 6's bars: test_accuracy_eval_market.py). The oracles must
    bound the plan and the current plan must be clearly sub-optimal."""
    unruled = BUILDERS["budget_suggestions"](con, wh[1].as_of_date, apply_rules=False)
    assert not unruled["reason"].str.contains("fixed by the brand's rules").any()
    c = truth_eval.budget_vs_channel_oracle(unruled, wh[1].truth)
    m = truth_eval.budget_vs_oracle(unruled, wh[1].truth)
    pct, closed = c["channel_grain_suggestion_over_oracle"], c["channel_grain_gap_closed"]
    print(f"budget small, by channel: current/best channel plan {c['channel_grain_current_over_oracle']:.4f}, "
          f"suggestion {pct:.4f}, gap closed {closed:.3f}; against the channel x market oracle: current "
          f"{m['current_over_oracle']:.4f}, suggestion {m['suggestion_over_oracle']:.4f}, gap {m['gap_closed']:.3f}")
    assert m["current_over_oracle"] <= 0.90 + 1e-9
    assert pct <= 1 + 1e-6 and m["suggestion_over_oracle"] <= 1 + 1e-6


def test_budget_by_market_follows_the_rules_cell_by_cell(tables, con):
    """Each channel x market a brand rule covers (`rule_levels`, what the evaluation holds the oracle to) is fixed at
    its level in the plan; every other fitted cell moves within +-30%."""
    plan = tables["budget_suggestions_by_market"].set_index(["channel", "market"])
    levels = rule_levels(con, sorted(plan.index.get_level_values("channel").unique()))
    cur, sug = plan["current_daily_spend"], plan["suggested_daily_spend"]
    for key in plan.index:
        level = levels.get(key, levels.get((key[0], "*")))
        if plan.loc[key, "confidence"] == "none":      # no curve: kept
            assert sug[key] == pytest.approx(cur[key])
        elif level is not None:
            assert plan.loc[key, "rule"] is not None and sug[key] == pytest.approx(level * cur[key], abs=1e-6), key
        else:
            assert pd.isna(plan.loc[key, "rule"]) and 0.7 * cur[key] - 1e-6 <= sug[key] <= 1.3 * cur[key] + 1e-6, key
    total = plan["total_budget"].iloc[0]
    assert sug.sum() <= total * (1 + 1e-6)
    if sug.sum() < total * (1 - 1e-6):  # budget left unallocated: only when every free fitted cell is at +30%
        free = plan["rule"].isna() & (plan["confidence"] != "none")
        assert (sug[free] >= plan.loc[free, "upper_bound"] - 1e-6).all()
        assert plan["reason"].str.contains("left unallocated").any()


def test_budget_by_market_vs_oracle_under_true_curves(tables, wh, con):
    """The plan the curves give without the rules against the unruled oracle, and the written plan against the
    oracle held to the same rules with its room to choose (with none, every free cell sits at its upper bound);
    printed (issue 6's bars: test_accuracy_eval_market.py). The oracles must bound the plans."""
    plan = tables["budget_suggestions_by_market"]
    levels = rule_levels(con, sorted(plan["channel"].unique()))
    r = truth_eval.budget_by_market_vs_oracle(plan, wh[1].truth, levels)
    unruled = BUILDERS["budget_suggestions_by_market"](con, wh[1].as_of_date, apply_rules=False)
    assert unruled["rule"].isna().all()
    m = truth_eval.budget_by_market_vs_oracle(unruled, wh[1].truth)
    print(f"budget by market small: without rules current/oracle {m['current_over_oracle']:.4f}, suggestion "
          f"{m['suggestion_over_oracle']:.4f}, gap closed {m['gap_closed']:.3f}; same rules: current "
          f"{r['current_over_oracle']:.4f}, suggestion {r['suggestion_over_oracle']:.4f}, gap {r['gap_closed']:.3f}, "
          f"room to choose {r['room_to_choose']:.3f}")
    assert r["suggestion_over_oracle"] <= 1 + 1e-6 and m["suggestion_over_oracle"] <= 1 + 1e-6
