"""`ml.budget_suggestions_by_market`: the budget plan at the grain the brand's rules act on, channel x market; summed
per channel (`channel_rollup`) it is also `ml.budget_suggestions`.

A plan fitted per channel (`builders.build_budget_suggestions(by_market=False)`, the fallback) moves a channel's
whole spend and spreads it over the channel's markets in proportion to current spend; a rule on one market (CAC over
target for meta in IT, a logistics pause in a region) can only shrink that channel's bounds. Here every channel x
market gets its own curve and its own place in the allocation:

- revenue per channel x market and day: `builders.attributed_daily(by_market=True)` (incremental attributed
  revenue, the conversion's market; Amazon Ads from its calibrated platform claims);
- curves: `analytics.budget.pooled` over all channel x market series - one adstock decay, Hill shape and
  half-saturation relative to each series' mean spend, each series its own scale. A market's days alone rarely
  identify a bend, but they identify how much revenue a dollar earns there, which is what ranks markets;
- rules: a rule that names a channel and a market fixes that cell; a market or region rule fixes that market in
  every channel; a whole-channel rule fixes all of its markets (pause 0, cut to 1 - max_change, hold current), the
  levels of `builders.rule_level`;
- allocation: the same optimiser as the channel plan over the fitted cells (default total: their current spend),
  every other cell within +-max_change. Cells without a curve (too few days, no credited revenue) keep their spend
  and say why; `total_budget` is the optimised total plus that kept spend.
"""
from __future__ import annotations

import json

import pandas as pd

from analytics.clv.errors import InsufficientDataError
from orchestration.defs.ml import builders as b

KEY_NAMES = ("channel", "market")


def cell_rules(con, cells, extra_rules: list | None = None) -> list[dict]:
    """One hold/cut/pause rule per channel x market a brand rule fixes (`builders.rules_by_cell`: the brand's rules +
    `extra_rules`, strongest per cell), in the list form of `optimise_allocation`."""
    by_cell = b.rules_by_cell(con, sorted({c for c, _ in cells}), extra_rules)
    out = []
    for channel, market in sorted(cells):
        rule = by_cell.get((channel, market)) or by_cell.get((channel, "*"))
        if rule is None:
            continue
        named = rule.get("market")
        where = f" (rule on {named})" if b._present(named) and named != market else ""
        out.append({"channel": channel, "market": market, "action": rule["action"],
                    "reason": f"{rule['reason']}{where}"})
    return out


def build_budget_suggestions_by_market(con, as_of_date, *, total_budget: float | None = None,
                                       max_change: float = 0.30, objective: str = "revenue",
                                       holds: list | None = None, apply_rules: bool = True,
                                       **_) -> pd.DataFrame:
    """One row per paid channel x market: current and suggested daily spend, expected revenue at both, marginal ROAS,
    the rule that fixes the cell (if any) and the reason (see the module doc). `apply_rules=False` ignores the
    brand's rules and `holds` (what the curves alone suggest; the evaluation scores it against an unruled oracle)."""
    from analytics.budget import optimise_allocation
    from analytics.budget.pooled import fit_pooled_response_curves

    as_of = b._as_of(as_of_date)
    daily, source = b.attributed_daily(con, as_of, by_market=True)
    daily = daily.loc[daily["market"].notna()]
    curves = fit_pooled_response_curves(daily, by=KEY_NAMES, current_window_days=30)
    if not curves:
        raise InsufficientDataError(f"budget by market: no channel x market could be fitted ({curves.skipped})")
    rules = cell_rules(con, set(curves), holds) if apply_rules else []
    alloc = optimise_allocation(curves, total_budget, None, holds=rules or None, max_change=max_change,
                                objective=objective, key_names=KEY_NAMES)
    out = alloc.reset_index(drop=True)
    ruled = {(r["channel"], r["market"]): r["action"] for r in rules}
    out["rule"] = [ruled.get((c, m)) for c, m in zip(out["channel"], out["market"])]
    unfitted = _unfitted_rows(daily, curves.skipped)
    out = pd.concat([out, unfitted], ignore_index=True)
    channel_sources = daily.attrs.get("channel_sources", {})
    out["revenue_source"] = [channel_sources.get(ch, source) for ch in out["channel"]]
    # the brand's budget: what the optimiser placed plus the spend the cells without a curve keep
    kept = float(unfitted["suggested_daily_spend"].sum()) if len(unfitted) else 0.0
    out["total_budget"] = float(alloc.attrs["total_budget"]) + kept
    out.attrs.update(alloc.attrs)
    out.attrs["skipped"] = json.dumps({"/".join(map(str, k)): v for k, v in curves.skipped.items()})
    return b._select(b._stamp(out, as_of), "budget_suggestions_by_market")


def _unfitted_rows(daily: pd.DataFrame, skipped: dict, window_days: int = 30) -> pd.DataFrame:
    """Cells the curves skipped keep their current spend (mean of the last `window_days` days) and say why."""
    rows = []
    end = daily["date"].max()
    for (channel, market), why in skipped.items():
        d = daily.loc[(daily["channel"] == channel) & (daily["market"] == market)]
        spend = float(d.loc[d["date"] > end - pd.Timedelta(days=window_days), "spend"].sum()) / window_days
        rows.append({"channel": channel, "market": market, "current_daily_spend": spend,
                     "suggested_daily_spend": spend, "change_pct": 0.0, "lower_bound": spend, "upper_bound": spend,
                     "action": "keep", "reason": f"keep: no response curve ({why})", "confidence": "none"})
    return pd.DataFrame(rows)


def channel_rollup(plan: pd.DataFrame) -> pd.DataFrame:
    """The channel x market plan summed per channel: the rows of `ml.budget_suggestions` when the plan by market could
    be built (one allocation, two views that always agree). Spends, bounds and expected revenues are sums over the
    channel's markets; marginal ROAS is the cells' marginal ROAS at the suggested spend weighted by that spend; a
    channel whose every cell a rule fixes takes the rule's action, any other increase / decrease / keep by its total
    change (1% as in the optimiser); the reason counts the markets moved and names the rules, and keeps the plan's
    note on budget left unallocated."""
    rows = []
    total = float(plan["total_budget"].iloc[0]) if len(plan) else 0.0
    unallocated = total - float(plan["suggested_daily_spend"].sum())
    note = (f"{unallocated:,.2f} of the {total:,.2f} daily budget is left unallocated: the rules and bounds leave no "
            f"market room to take it (every free market is at its upper bound)") if unallocated > 1e-4 * total else ""
    for channel, cells in plan.groupby("channel", sort=True):
        current, suggested = float(cells["current_daily_spend"].sum()), float(cells["suggested_daily_spend"].sum())
        change = suggested / current - 1 if current > 0 else 0.0
        ruled = cells.loc[cells["rule"].notna()]
        free = cells.loc[cells["rule"].isna() & (cells["confidence"] != "none")]
        weights = cells["suggested_daily_spend"].where(cells["suggested_daily_spend"] > 0, cells["current_daily_spend"])
        roas = cells["marginal_roas"]
        known = roas.notna() & (weights > 0)
        mroas = float((roas[known] * weights[known]).sum() / weights[known].sum()) if known.any() else float("nan")
        actions = set(ruled["action"])
        if len(ruled) == len(cells) and len(actions) == 1:
            action = actions.pop()
        else:
            action = "keep" if abs(change) < 0.01 else ("increase" if change > 0 else "decrease")
        up = int((free["suggested_daily_spend"] > free["current_daily_spend"] * 1.01).sum())
        down = int((free["suggested_daily_spend"] < free["current_daily_spend"] * 0.99).sum())
        parts = [f"{action}: {change:+.1%} over {len(cells)} market(s) - {up} up and {down} down on their curves' "
                 f"marginal ROAS (spend-weighted {mroas:.2f} at the suggested spend)"]
        if len(ruled):
            parts.append("fixed by the brand's rules: " + ", ".join(
                f"{a} in {m}" for a, m in zip(ruled["action"], ruled["market"])))
        unfitted = cells.loc[cells["confidence"] == "none"]
        if len(unfitted):
            parts.append(f"{len(unfitted)} market(s) without a curve keep their spend")
        if note:
            parts.append(note)
        confidence = cells.loc[cells["current_daily_spend"].idxmax(), "confidence"]
        rows.append({
            "channel": channel, "current_daily_spend": current, "suggested_daily_spend": suggested,
            "change_pct": 100 * change if current > 0 else float("nan"),
            "lower_bound": float(cells["lower_bound"].sum()), "upper_bound": float(cells["upper_bound"].sum()),
            "expected_revenue_current": float(cells["expected_revenue_current"].sum()),
            "expected_revenue_suggested": float(cells["expected_revenue_suggested"].sum()),
            "marginal_roas": mroas, "action": action, "reason": "; ".join(parts),
            "confidence": f"{confidence} (largest of {len(cells)} markets)",
            "revenue_source": cells["revenue_source"].iloc[0], "total_budget": total,
        })
    return pd.DataFrame(rows)


__all__ = ["build_budget_suggestions_by_market", "cell_rules", "channel_rollup"]
