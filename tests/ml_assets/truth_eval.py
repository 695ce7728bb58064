"""Score the ml tables of a built warehouse against the simulator's truth (tests and `make bench` only).

Population (issue 6): unified customers with >= 1 order on or before as_of, each linked to its true person by the
majority of **all** its identifiers. Shared identifiers (a household tablet) and bots are left out because they
point at several people; identifiers that have no bridge in the data (`is_linkable` false, e.g. most Amazon buyer
ids) are kept: they cannot be stitched to the person's web identity, but each still tells whose orders those are.
Predictions of the fragments of one true person (a Shopify customer and an unlinkable Amazon buyer) are summed
(churn: the lowest score), so an order we could not stitch is neither lost nor double counted.

The ceilings say what order history alone can reach on this market: BG/NBD fitted on every order grouped by the
*true* person (perfect identity), scored the same way. They read the truth, so they are evaluation only.
"""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

_IDENTITY_EVAL = Path(__file__).resolve().parents[1] / "warehouse" / "identity_eval.py"
REALISED = ["realised_orders_90d", "realised_revenue_90d", "realised_orders_180d", "realised_revenue_180d"]


def identity_eval():
    name = "identity_eval_for_ml"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, _IDENTITY_EVAL)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # before exec: @dataclass looks its module up in sys.modules
    try:
        spec.loader.exec_module(mod)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return mod


def person_truth(con, truth_dir, salt: str) -> pd.DataFrame:
    """warehouse person_id -> true_person_id by the majority of its (non-shared, non-bot) identifiers."""
    truth = identity_eval().truth_identifiers(truth_dir, salt, linkable_only=False)
    ids = con.execute("select identifier_type, identifier, person_id from marts.dim_customer_identifiers").df()
    j = ids.merge(truth[["identifier_type", "identifier", "true_person_id"]], on=["identifier_type", "identifier"])
    top = (j.groupby(["person_id", "true_person_id"]).size().rename("n").reset_index()
           .sort_values(["person_id", "n", "true_person_id"], ascending=[True, False, True])
           .drop_duplicates("person_id"))
    return top[["person_id", "true_person_id"]]


def clv_population(scores: pd.DataFrame, mapping: pd.DataFrame, truth_dir) -> pd.DataFrame:
    """Per true person: summed predictions of its fragments, lowest churn score, and the realised future."""
    fut = pd.read_parquet(Path(truth_dir) / "customer_future.parquet")
    s = scores.merge(mapping, on="person_id")
    per_true = s.groupby("true_person_id").agg(
        expected_orders_90d=("expected_orders_90d", "sum"), expected_revenue_180d=("expected_revenue_180d", "sum"),
        churn_score=("churn_score", "min"), fragments=("person_id", "size"))
    # only the realised future: the truth also has Monte Carlo expected_* columns with our names
    return per_true.join(fut.set_index("true_person_id")[REALISED], how="inner")


def clv_metrics(pop: pd.DataFrame) -> dict:
    from scipy.stats import spearmanr
    from sklearn.metrics import roc_auc_score

    churned = (pop["realised_orders_90d"] == 0).astype(int)
    return {
        "customers": int(len(pop)),
        "fragmented_people": int((pop["fragments"] > 1).sum()) if "fragments" in pop else 0,
        "clv_ratio_180d": float(pop["expected_revenue_180d"].sum() / pop["realised_revenue_180d"].sum()),
        "clv_spearman_180d": float(spearmanr(pop["expected_revenue_180d"], pop["realised_revenue_180d"]).statistic),
        "orders_ratio_90d": float(pop["expected_orders_90d"].sum() / pop["realised_orders_90d"].sum()),
        "churn_auc_90d": float(roc_auc_score(churned, pop["churn_score"])) if churned.nunique() == 2 else float("nan"),
        "churn_base_rate_90d": float(churned.mean()),
    }


def order_history_ceiling(con, mapping: pd.DataFrame, truth_dir, as_of) -> dict:
    """BG/NBD + Gamma-Gamma on every non-cancelled order grouped by the true person: what perfect identity and
    order history give (churn score = -expected orders in 90 days)."""
    from analytics.clv import fit_bgnbd, fit_gamma_gamma, predict, summarise_transactions

    orders = con.execute(
        """select person_id, order_date as date, coalesce(net_revenue, 0)::double as value
           from marts.fct_orders where person_id is not null and not coalesce(is_cancelled, false)
             and order_date <= ?""", [pd.Timestamp(as_of).date()]).df()
    tx = orders.merge(mapping, on="person_id").rename(columns={"true_person_id": "customer_id"})
    summary = summarise_transactions(tx[["customer_id", "date", "value"]], as_of)
    pred = predict(summary, fit_bgnbd(summary), fit_gamma_gamma(summary), horizons=(90, 180))
    pop = pred.set_index("customer_id")[["expected_orders_90d", "expected_revenue_180d"]].assign(
        churn_score=lambda d: -d["expected_orders_90d"])
    fut = pd.read_parquet(Path(truth_dir) / "customer_future.parquet").set_index("true_person_id")
    m = clv_metrics(pop.join(fut[REALISED], how="inner"))
    return {f"ceiling_{k}": v for k, v in m.items() if k not in ("fragmented_people", "churn_base_rate_90d")}


def _true_curves(truth_dir) -> tuple[dict, dict, dict]:
    rc = json.loads((Path(truth_dir) / "response_curves.json").read_text())
    true, current = {}, {}
    for c in rc["curves"]:
        key = (c["channel"], c["market"])
        # hill(spend / (1-d), K) == hill(spend, K (1-d)): the steady-state formula of response_curves.json
        true[key] = {"beta": c["value_per_click_usd"] * c["max_clicks"], "half_saturation": c["half_saturation_usd"]
                     * (1 - c["adstock_decay"]), "shape": c["hill_shape"], "adstock_decay": 0.0, "baseline": 0.0}
        current[key] = c["current_daily_spend_usd"]
    return true, current, rc


def _versus_oracle(true, current, suggested, rc, total, bounds, max_change, status_quo=None) -> dict:
    """Current and suggested {(channel, market): spend} scored under the true curves against the best channel x market
    allocation of `total` within `bounds` (None: +-max_change of current). `status_quo`: the allocation the gap is
    measured from (default: current)."""
    from analytics.budget import oracle_allocation, score_allocation

    oracle = oracle_allocation(true, current, total_budget=total, bounds=bounds, max_change=max_change,
                               key_names=("channel", "market"))
    oracle_spend = {(r["channel"], r["market"]): r["suggested_daily_spend"] for _, r in oracle.reset_index().iterrows()}
    r_cur, r_sug, r_or = (score_allocation(true, a) for a in (status_quo or current, suggested, oracle_spend))
    # room to choose: how far the upper bounds exceed the budget. At 0 every free cell must sit at its upper bound,
    # so any plan that obeys the bounds equals the oracle and "gap closed" says nothing about the curves.
    upper = sum(hi for _, hi in bounds.values()) if bounds else (1 + max_change) * sum(current.values())
    spend = total if total is not None else sum(current.values())
    return {"current_over_oracle": float(r_cur / r_or), "suggestion_over_oracle": float(r_sug / r_or),
            "gap_closed": float((r_sug - r_cur) / (r_or - r_cur)),
            "room_to_choose": float((upper - spend) / spend) if spend else 0.0,
            "truth_current_over_oracle": float(rc.get("current_over_oracle", float("nan")))}


def budget_vs_oracle(budget: pd.DataFrame, truth_dir, max_change: float = 0.30) -> dict:
    """A channel plan scored under the true curves (response_curves.json) against the best channel x market
    allocation of the same total within the same +-max_change bounds, the brand's rules ignored on both sides: each
    channel's planned change is spread over its markets in proportion to current spend and rescaled to the current
    total."""
    true, current, rc = _true_curves(truth_dir)
    b = budget.set_index("channel")
    ratio = {ch: float(b.loc[ch, "suggested_daily_spend"] / b.loc[ch, "current_daily_spend"]) for ch in b.index}
    suggested = {k: v * ratio.get(k[0], 1.0) for k, v in current.items()}
    scale = sum(current.values()) / sum(suggested.values())  # the same total as the plan
    suggested = {k: v * scale for k, v in suggested.items()}
    return _versus_oracle(true, current, suggested, rc, None, None, max_change)


def budget_vs_channel_oracle(budget: pd.DataFrame, truth_dir, max_change: float = 0.30) -> dict:
    """The channel table scored in its own decision space, rules ignored on both sides: each channel's planned change
    (suggested / current) is applied to every one of its markets, rescaled to the current total, and compared with
    the best such channel-level plan under the true curves (one factor per channel within +-max_change, same total;
    SLSQP from the status quo). `budget_vs_oracle` compares the same plan with the channel x market oracle, which
    has more freedom than any channel plan."""
    from scipy import optimize

    from analytics.budget import score_allocation

    true, current, _ = _true_curves(truth_dir)
    channels = sorted({k[0] for k in current})
    cur = np.array([sum(v for k, v in current.items() if k[0] == ch) for ch in channels])

    def revenue(factors) -> float:
        return score_allocation(true, {k: v * factors[channels.index(k[0])] for k, v in current.items()})

    b = budget.set_index("channel")
    planned = np.array([float(b.loc[ch, "suggested_daily_spend"] / b.loc[ch, "current_daily_spend"])
                        if ch in b.index and b.loc[ch, "current_daily_spend"] > 0 else 1.0 for ch in channels])
    planned = planned * cur.sum() / float((planned * cur).sum())
    bounds = [(1 - max_change, 1 + max_change)] * len(channels)
    same_total = {"type": "eq", "fun": lambda f: float((f * cur).sum() - cur.sum())}
    starts = [np.ones(len(channels)), np.clip(planned, 1 - max_change, 1 + max_change)]
    r_or = max(-optimize.minimize(lambda f: -revenue(f), x0, method="SLSQP", bounds=bounds, constraints=[same_total],
                                  options={"maxiter": 500, "ftol": 1e-12}).fun for x0 in starts)
    r_cur, r_sug = revenue(np.ones(len(channels))), revenue(planned)
    return {"channel_grain_current_over_oracle": r_cur / r_or, "channel_grain_suggestion_over_oracle": r_sug / r_or,
            "channel_grain_gap_closed": (r_sug - r_cur) / (r_or - r_cur) if r_or > r_cur else float("nan")}


def budget_by_market_vs_oracle(plan: pd.DataFrame, truth_dir, levels: dict | None = None,
                               max_change: float = 0.30, savings_kept: bool = False) -> dict:
    """The channel x market plan (ml.budget_suggestions_by_market) scored under the true curves against the best
    channel x market allocation. Each cell's planned change (suggested / current spend, 1 for a cell the plan lacks)
    is applied to its true current spend; the free cells are then scaled to the oracle's total and kept within
    +-max_change, so both sides spend the same. `levels`: {(channel, country) or (channel, "*"): fraction of current
    spend kept} (`builders.rule_levels`), held on both sides; None: rules ignored on both sides. `savings_kept`: what
    the rules' cuts and pauses free is not re-spent (the total is the free cells' current spend plus the ruled cells'
    levels), so the free cells have room to be re-allocated among themselves."""
    true, current, rc = _true_curves(truth_dir)
    p = plan.loc[plan["current_daily_spend"] > 0]
    ratio = {(c, m): s / cur for c, m, s, cur in
             zip(p["channel"], p["market"], p["suggested_daily_spend"], p["current_daily_spend"])}
    levels = levels or {}
    fixed = {k: levels.get(k, levels.get((k[0], "*"))) for k in current}
    fixed = {k: v for k, v in fixed.items() if v is not None}
    bounds = {k: (fixed[k] * v, fixed[k] * v) if k in fixed else ((1 - max_change) * v, (1 + max_change) * v)
              for k, v in current.items()}
    total = min(sum(current.values()), sum(hi for _, hi in bounds.values()))
    status_quo = None
    if savings_kept:  # measured from "apply the rules, change nothing else"
        status_quo = {k: fixed[k] * v if k in fixed else v for k, v in current.items()}
        total = sum(status_quo.values())
    suggested = {k: fixed[k] * v if k in fixed else v * ratio.get(k, 1.0) for k, v in current.items()}
    free = [k for k in current if k not in fixed]
    rest = total - sum(suggested[k] for k in fixed)
    planned_free = sum(suggested[k] for k in free)
    for k in free:
        lo, hi = bounds[k]
        suggested[k] = min(max(suggested[k] * rest / planned_free, lo), hi) if planned_free > 0 else current[k]
    return _versus_oracle(true, current, suggested, rc, total, bounds, max_change, status_quo)
