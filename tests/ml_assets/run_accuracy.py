"""One command for issue 6's accuracy numbers on built warehouses (e.g. the demo one `make run` leaves behind):
CLV aggregate error and rank correlation, churn AUC against the true future, each beside what perfect identity
plus order history reach (the ceiling), and the budget plan scored under the true response curves.

    .venv/bin/python -m tests.ml_assets.run_accuracy data/warehouse.duckdb [--truth data/truth] [--as-of DATE]
        [--salt SALT] [--label demo] [--json bench/results/ml_accuracy.json]

Reads the ml tables the warehouse already has (a private read-only connection; nothing is written there).
--as-of defaults to the ml tables' as_of_date, --salt to PII_SALT or the dev default of `make run`.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.defs.ml.budget_by_market import channel_rollup
from orchestration.defs.ml.builders import BUILDERS, rule_levels, table_exists

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests.ml_assets import truth_eval
else:
    from . import truth_eval

DEV_SALT = "xborder-dev-only-not-a-secret"  # orchestration's default when PII_SALT is unset
BARS = {"clv_ratio_180d": (0.85, 1.15), "clv_spearman_180d": (0.5, None), "churn_auc_90d": (0.75, None),
        "channel_grain_suggestion_over_oracle": (0.95, None), "channel_grain_gap_closed": (0.70, None),
        "by_market_suggestion_over_oracle": (0.95, None), "by_market_gap_closed": (0.70, None),
        "by_market_suggestion_over_oracle_same_rules": (0.95, None), "by_market_gap_closed_same_rules": (0.70, None),
        "by_market_suggestion_over_oracle_savings_kept": (0.95, None),
        "by_market_gap_closed_savings_kept": (0.70, None)}

# the bars the accuracy tests assert (test_accuracy_eval_market in `make test`, test_accuracy_demo in
# `make accuracy`): issue 6's CLV and churn bars, and its budget bars for the plan by market and the channel table
ASSERTED_BARS = ("clv_ratio_180d", "clv_spearman_180d", "churn_auc_90d", "by_market_suggestion_over_oracle",
                 "by_market_gap_closed", "channel_grain_suggestion_over_oracle", "channel_grain_gap_closed")


def evaluate(warehouse: Path, truth: Path, as_of=None, salt: str = DEV_SALT) -> dict:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        scores = con.execute("select * from ml.customer_scores").df()
        if scores.empty:
            raise SystemExit(f"{warehouse}: ml.customer_scores is empty - build the warehouse first (make run)")
        as_of = pd.Timestamp(as_of or scores["as_of_date"].iloc[0])
        mapping = truth_eval.person_truth(con, truth, salt)
        if mapping.empty:
            raise SystemExit(f"no warehouse identifier matches {truth}: wrong truth folder or PII salt (--salt)")
        out = {"warehouse": str(warehouse), "as_of_date": str(as_of.date()),
               "churn_horizon_days": int(scores["churn_horizon_days"].dropna().iloc[0])
               if scores["churn_horizon_days"].notna().any() else None}
        out.update(truth_eval.clv_metrics(truth_eval.clv_population(scores, mapping, truth)))
        out.update(truth_eval.order_history_ceiling(con, mapping, truth, as_of))
        # the plan the curves alone give (built here without the rules, nothing written): by market against the
        # unruled channel x market oracle; summed per channel (what ml.budget_suggestions is) against the same oracle,
        # each channel's change spread over its markets in proportion, and against the best channel-level plan
        unruled = BUILDERS["budget_suggestions_by_market"](con, as_of, apply_rules=False)
        unruled_channels = channel_rollup(unruled)
        out.update(truth_eval.budget_vs_oracle(unruled_channels, truth))
        out.update(truth_eval.budget_vs_channel_oracle(unruled_channels, truth))
        out.update({f"by_market_{k}": v for k, v in truth_eval.budget_by_market_vs_oracle(unruled, truth).items()
                    if k != "truth_current_over_oracle"})
        if table_exists(con, "ml", "budget_suggestions_by_market"):
            # the written plan (rules applied) against the oracle held to the same rules
            plan = con.execute("select * from ml.budget_suggestions_by_market").df()
            levels = rule_levels(con, sorted(plan["channel"].unique()))
            out["rule_fixed_channel_markets"] = len(levels)
            out.update({f"by_market_{k}_same_rules": v
                        for k, v in truth_eval.budget_by_market_vs_oracle(plan, truth, levels).items()
                        if k != "truth_current_over_oracle"})
            # held to the rules with room to choose: the budget the rules free is kept, not re-spent, so the free
            # cells are re-allocated among themselves (their current total) on both sides
            fitted = plan["confidence"] != "none"
            kept_total = float(plan.loc[fitted & plan["rule"].notna(), "suggested_daily_spend"].sum()
                               + plan.loc[fitted & plan["rule"].isna(), "current_daily_spend"].sum())
            kept = BUILDERS["budget_suggestions_by_market"](con, as_of, total_budget=kept_total)
            out.update({f"by_market_{k}_savings_kept": v
                        for k, v in truth_eval.budget_by_market_vs_oracle(kept, truth, levels, savings_kept=True).items()
                        if k != "truth_current_over_oracle"})
    finally:
        con.close()
    out["bars"] = {k: _verdict(out[k], *BARS[k]) for k in BARS if k in out}
    for prefix in ("by_market_",):  # a plan held to rules that leave no room cannot show skill
        if out.get(f"{prefix}room_to_choose_same_rules", 1.0) < MIN_ROOM:
            for k in (f"{prefix}suggestion_over_oracle_same_rules", f"{prefix}gap_closed_same_rules"):
                out["bars"][k] = (f"n/a ({out[k]:.3f}: the rules leave no room, every free cell must sit at its "
                                  f"upper bound; room {out[f'{prefix}room_to_choose_same_rules']:.3f})")
    return out


MIN_ROOM = 0.01  # upper bounds must exceed the budget by 1% for a held-to-rules comparison to mean anything


def _verdict(value: float, low, high) -> str:
    ok = (low is None or value >= low) and (high is None or value <= high)
    bar = f">= {low}" if high is None else f"in [{low}, {high}]"
    return f"{'PASS' if ok else 'FAIL'} ({value:.3f}, bar {bar})"


def markdown(results: dict[str, dict]) -> str:
    rows = [("customers (true people)", "customers", "d"), ("people split over 2+ unified customers",
             "fragmented_people", "d"),
            ("CLV predicted / realised 180-day revenue", "clv_ratio_180d", ".3f"),
            ("  ceiling: perfect identity + order history", "ceiling_clv_ratio_180d", ".3f"),
            ("CLV Spearman per person (180 d)", "clv_spearman_180d", ".3f"),
            ("  ceiling", "ceiling_clv_spearman_180d", ".3f"),
            ("churn AUC vs no order in the true next 90 days", "churn_auc_90d", ".3f"),
            ("  ceiling (BG/NBD expected orders)", "ceiling_churn_auc_90d", ".3f"),
            ("churn base rate", "churn_base_rate_90d", ".3f"),
            ("budget, true curves, rules ignored: current / channel x market oracle", "current_over_oracle", ".3f"),
            ("budget by market (ml.budget_suggestions_by_market), planned and scored without the rules: "
             "suggestion / oracle",
             "by_market_suggestion_over_oracle", ".3f"),
            ("  gap closed", "by_market_gap_closed", ".3f"),
            ("  oracle held to the brand's rules: current / oracle", "by_market_current_over_oracle_same_rules",
             ".3f"),
            ("  suggestion / oracle", "by_market_suggestion_over_oracle_same_rules", ".3f"),
            ("  gap closed", "by_market_gap_closed_same_rules", ".3f"),
            ("  room to choose", "by_market_room_to_choose_same_rules", ".3f"),
            ("  held to the rules, their savings kept (free cells re-allocated): rules only / oracle",
             "by_market_current_over_oracle_savings_kept", ".3f"),
            ("  suggestion / oracle", "by_market_suggestion_over_oracle_savings_kept", ".3f"),
            ("  gap closed", "by_market_gap_closed_savings_kept", ".3f"),
            ("budget by channel (ml.budget_suggestions: the plan by market summed per channel), rules ignored: "
             "current / best channel-level plan", "channel_grain_current_over_oracle", ".3f"),
            ("  suggestion / best channel-level plan", "channel_grain_suggestion_over_oracle", ".3f"),
            ("  gap closed", "channel_grain_gap_closed", ".3f"),
            ("  suggestion / channel x market oracle (each channel's change spread in proportion)",
             "suggestion_over_oracle", ".3f"),
            ("  gap closed", "gap_closed", ".3f"),
            ("channel x market cells fixed by a brand rule", "rule_fixed_channel_markets", "d")]
    labels = list(results)
    lines = ["# ML accuracy against the simulator truth", "",
             "Written by `python -m tests.ml_assets.run_accuracy` (`make bench BENCH_ARGS=\"--only ml\"`). "
             "Population and ceilings: see `tests/ml_assets/truth_eval.py`.", "",
             "| metric | " + " | ".join(labels) + " |", "|---|" + "--:|" * len(labels)]
    for title, key, fmt in rows:
        lines.append(f"| {title} | " + " | ".join(format(results[lab].get(key, float("nan")), fmt)
                                                  for lab in labels) + " |")
    lines += ["", "Bars (issue 6):", ""]
    for lab in labels:
        lines.append(f"- {lab}: " + "; ".join(f"{k} {v}" for k, v in results[lab]["bars"].items()))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--truth", type=Path, default=None, help="default: data/truth beside the warehouse")
    parser.add_argument("--as-of", default=None)
    parser.add_argument("--salt", default=os.environ.get("PII_SALT") or DEV_SALT)
    parser.add_argument("--label", default="demo")
    parser.add_argument("--json", type=Path, default=None, help="merge the result under --label into this file")
    args = parser.parse_args(argv)
    truth = args.truth or args.warehouse.parent / "truth"
    if not args.warehouse.exists() or not (truth / "customer_future.parquet").exists():
        print(f"need a built warehouse and its truth: {args.warehouse}, {truth} (run `make run` first)",
              file=sys.stderr)
        return 2
    res = evaluate(args.warehouse, truth, args.as_of, args.salt)
    res["measured_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    results = {args.label: res}
    if args.json:
        old = json.loads(args.json.read_text()) if args.json.exists() else {}
        results = {**old, **results}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
        args.json.with_suffix(".md").write_text(markdown(results))
    print(markdown({args.label: res}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
