"""Ground truth (``data/truth/``): identity, channel incrementality, response curves, customer futures, experiments,
mess ledger and a README explaining every column. Read only by evaluation tests and benchmarks."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .markets import MARKETS
from .media import hill
from .scenario import CHANNELS, PAID_MEDIA_CHANNELS
from .simulate import CounterfactualResult, RealWorldResult
from .store_writer import write_json
from .world import CH, World

BUDGET_BOUND = 0.30  # bounded oracle: each channel x market may move +-30% around the plan


def _write_parquet(df: pd.DataFrame, path: Path) -> None:
    table = pa.Table.from_pandas(df, preserve_index=False)
    table = table.replace_schema_metadata(None)
    pq.write_table(table, path, compression="zstd")


def write_identity(identity, path: Path) -> pd.DataFrame:
    df = identity.frame()
    _write_parquet(df, path)
    return df


def touchpoints_by_channel_market(world: World, rec) -> np.ndarray:
    """Touchpoints of the real world in the simulated period (navigational purchase sessions excluded)."""
    out = np.zeros((len(CHANNELS), len(MARKETS)))
    s = rec.tables.get("sessions") or {}
    if s:
        causal = ~s["navigational"]
        np.add.at(out, (s["channel"][causal].astype(np.int64), world.pop.market[s["person"][causal]].astype(np.int64)), 1)
    a = rec.tables.get("amazon_clicks") or {}
    if a:
        np.add.at(out, (np.full(len(a["person"]), CH["amazon_ads"]), world.pop.market[a["person"]].astype(np.int64)), 1)
    return out


def write_incrementality(world: World, cf: CounterfactualResult, touches: np.ndarray, folder: Path) -> pd.DataFrame:
    scale = 1.0 / cf.people_share
    actual = 0
    rows, by_market = [], []
    for ci, c in enumerate(CHANNELS):
        r = cf.labels.index(f"no_{c}")
        inc_o = (cf.orders_by_market[actual] - cf.orders_by_market[r]) * scale
        inc_r = (cf.revenue_by_market[actual] - cf.revenue_by_market[r]) * scale
        exp_o = (cf.expected_orders_by_market[actual] - cf.expected_orders_by_market[r]) * scale
        rows.append({"channel": c, "incremental_orders": round(float(inc_o.sum()), 3),
                     "incremental_revenue": round(float(inc_r.sum()), 2),
                     "expected_incremental_orders": round(float(exp_o.sum()), 3),
                     "touchpoints": int(touches[ci].sum())})
        for m, market in enumerate(MARKETS):
            by_market.append({"channel": c, "market": market.code, "incremental_orders": round(float(inc_o[m]), 3),
                              "incremental_revenue": round(float(inc_r[m]), 2),
                              "expected_incremental_orders": round(float(exp_o[m]), 3),
                              "touchpoints": int(touches[ci, m])})
    base = cf.labels.index("no_touchpoints")
    rows.append({"channel": "baseline", "incremental_orders": round(float(cf.orders_by_market[base].sum() * scale), 3),
                 "incremental_revenue": round(float(cf.revenue_by_market[base].sum() * scale), 2),
                 "expected_incremental_orders": round(float(cf.expected_orders_by_market[base].sum() * scale), 3),
                 "touchpoints": 0})
    rows.append({"channel": "total", "incremental_orders": round(float(cf.orders_by_market[actual].sum() * scale), 3),
                 "incremental_revenue": round(float(cf.revenue_by_market[actual].sum() * scale), 2),
                 "expected_incremental_orders": round(float(cf.expected_orders_by_market[actual].sum() * scale), 3),
                 "touchpoints": int(touches.sum())})
    df = pd.DataFrame(rows)
    df.to_csv(folder / "channel_incrementality.csv", index=False, lineterminator="\n")
    pd.DataFrame(by_market).to_csv(folder / "channel_incrementality_by_market.csv", index=False, lineterminator="\n")
    return df


def expected_daily_revenue(curve: dict, spend) -> np.ndarray:
    """The documented response formula (see response_curves.json ``formula``)."""
    s = np.asarray(spend, dtype=float)
    a = s / (1.0 - curve["adstock_decay"])
    return curve["value_per_click_usd"] * hill(a, curve["half_saturation_usd"], curve["hill_shape"], curve["max_clicks"])


def _curve_arrays(curves: list[dict]) -> tuple[np.ndarray, ...]:
    return tuple(np.array([c[k] for c in curves], dtype=float) for k in
                 ("value_per_click_usd", "max_clicks", "adstock_decay", "half_saturation_usd", "hill_shape"))


def _revenue_vector(params, spend: np.ndarray) -> np.ndarray:
    v, cmax, decay, half, shape = params
    a = np.maximum(spend, 0.0) / (1.0 - decay)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.where(a > 0, a ** shape, 0.0)
        return np.nan_to_num(v * cmax * x / (x + half ** shape))


def _revenue_gradient(params, spend: np.ndarray) -> np.ndarray:
    v, cmax, decay, half, shape = params
    a = np.maximum(spend, 1e-12) / (1.0 - decay)
    hs = half ** shape
    x = a ** shape
    return v * cmax * shape * x * hs / (a * (x + hs) ** 2) / (1.0 - decay)


def optimise(curves: list[dict], budget: float, lower=None, upper=None, steps: int = 2000) -> np.ndarray:
    """Maximise total expected revenue for a daily budget.

    Greedy increments of budget/steps (with an 8-step look-ahead so S-shaped curves are not starved at zero), then
    an exchange phase that moves money from the curve losing least to the curve gaining most, with shrinking
    amounts, until no move helps (equal marginal returns)."""
    params = _curve_arrays(curves)
    n = len(curves)
    lo = np.zeros(n) if lower is None else np.asarray(lower, dtype=float)
    hi = np.full(n, budget) if upper is None else np.asarray(upper, dtype=float)
    alloc = lo.copy()
    step = max(budget - alloc.sum(), 0.0) / steps
    current = _revenue_vector(params, alloc)
    for _ in range(steps):
        room = alloc < hi - 1e-12
        gain = _revenue_vector(params, np.minimum(alloc + step, hi)) - current
        ahead = (_revenue_vector(params, np.minimum(alloc + 8 * step, hi)) - current) / 8
        score = np.where(room, np.maximum(gain, ahead), -np.inf)
        j = int(np.argmax(score))
        if not np.isfinite(score[j]):
            break
        alloc[j] = min(alloc[j] + step, hi[j])
        current = _revenue_vector(params, alloc)
    leftover = budget - alloc.sum()  # steps truncated at upper bounds: hand out what is left where there is room
    while leftover > budget * 1e-12:
        room = hi - alloc
        if room.sum() <= 0:
            break
        give = np.minimum(room, leftover * room / room.sum())
        alloc += give
        leftover -= give.sum()
    current = _revenue_vector(params, alloc)
    for delta in (budget / 200, budget / 2000, budget / 20000):
        for _ in range(2000):
            up = np.minimum(alloc + delta, hi)
            down = np.maximum(alloc - delta, lo)
            gain = np.where(up - alloc >= delta * 0.999, _revenue_vector(params, up) - current, -np.inf)
            loss = np.where(alloc - down >= delta * 0.999, current - _revenue_vector(params, down), np.inf)
            j, k = int(np.argmax(gain)), int(np.argmin(loss))
            if j == k or gain[j] - loss[k] <= 1e-12:
                break
            alloc[j] += delta
            alloc[k] -= delta
            current = _revenue_vector(params, alloc)
    return alloc


def write_response_curves(world: World, cf: CounterfactualResult, real: RealWorldResult, touches: np.ndarray,
                          folder: Path) -> dict:
    media = world.media
    actual = 0
    orders = real.orders_by_market
    revenue = real.revenue_by_market
    aov_all = revenue.sum() / max(orders.sum(), 1)
    aov = np.where(orders > 0, revenue / np.maximum(orders, 1), aov_all)
    curves = []
    as_of = world.as_of_day
    for pi, c in enumerate(PAID_MEDIA_CHANNELS):
        r = cf.labels.index(f"no_{c}")
        exp_inc = (cf.expected_orders_by_market[actual] - cf.expected_orders_by_market[r]) / cf.people_share
        clicks = touches[CH[c]]
        conv_per_click = float(exp_inc.sum() / clicks.sum()) if clicks.sum() > 0 else 0.0
        for m, market in enumerate(MARKETS):
            if media.plan_spend[pi, m] <= 0 and media.max_clicks[pi, m] <= 0:
                continue
            curves.append({
                "channel": c, "market": market.code, "adstock_decay": float(media.adstock_decay[pi]),
                "hill_shape": float(media.hill_shape[pi]), "half_saturation_usd": round(float(media.half_saturation[pi, m]), 6),
                "max_clicks": round(float(media.max_clicks[pi, m]), 6),
                "current_daily_spend_usd": round(float(media.plan_spend[pi, m]), 6),
                "mean_actual_daily_spend_usd": round(float(media.spend[pi, m, :as_of + 1].mean()), 4),
                "clicks_in_period": int(clicks[m]),
                "incremental_orders_per_click": round(conv_per_click, 6),
                "average_order_net_revenue_usd": round(float(aov[m]), 4),
                "value_per_click_usd": round(conv_per_click * float(aov[m]), 6),
            })
    for cv in curves:
        cv["expected_daily_revenue_at_current_usd"] = round(float(expected_daily_revenue(cv, cv["current_daily_spend_usd"])), 6)
    plan = np.array([cv["current_daily_spend_usd"] for cv in curves])
    budget = float(plan.sum())
    current_rev = float(sum(cv["expected_daily_revenue_at_current_usd"] for cv in curves))
    oracle = optimise(curves, budget)
    bounded = optimise(curves, budget, lower=plan * (1 - BUDGET_BOUND), upper=plan * (1 + BUDGET_BOUND))
    oracle_rev = float(sum(expected_daily_revenue(cv, s) for cv, s in zip(curves, oracle)))
    bounded_rev = float(sum(expected_daily_revenue(cv, s) for cv, s in zip(curves, bounded)))
    for cv, s, b in zip(curves, oracle, bounded):
        cv["oracle_daily_spend_usd"] = round(float(s), 6)
        cv["oracle_bounded_daily_spend_usd"] = round(float(b), 6)
    out = {
        "description": "True spend -> clicks response curves of the paid channels, per market, and the value of a click.",
        "formula": ("expected_daily_incremental_revenue_usd(spend) = value_per_click_usd * max_clicks * A^hill_shape / "
                    "(A^hill_shape + half_saturation_usd^hill_shape), with A = spend / (1 - adstock_decay) the "
                    "steady-state adstocked daily spend (USD) of a constant daily spend. Day by day the simulator uses "
                    "A_d = spend_d + adstock_decay * A_(d-1) and clicks_d = max_clicks * A_d^hill_shape / "
                    "(A_d^hill_shape + half_saturation_usd^hill_shape)."),
        "value_per_click_note": ("value_per_click_usd = incremental_orders_per_click (channel-level: expected incremental "
                                 "orders from removing the channel's clicks with common random numbers, divided by its "
                                 "clicks) x the market's average net revenue per order (USD). Revenue is linear in clicks "
                                 "because a person rarely gets more than one click of a channel within its adstock."),
        "units": {"spend": "USD per day", "revenue": "USD per day (net of discounts, refunds visible at as_of, excl. tax)"},
        "scale_factor": media.scale_factor,
        "as_of_date": world.cal.as_of_date.isoformat(),
        "current_total_daily_spend_usd": round(budget, 4),
        "current_expected_daily_revenue_usd": round(current_rev, 4),
        "oracle_expected_daily_revenue_usd": round(oracle_rev, 4),
        "oracle_bounded_expected_daily_revenue_usd": round(bounded_rev, 4),
        "oracle_bound": BUDGET_BOUND,
        "current_over_oracle": round(current_rev / oracle_rev, 6) if oracle_rev else None,
        "curves": curves,
    }
    write_json(folder / "response_curves.json", out)
    return out


def write_customer_future(world: World, real: RealWorldResult, expected: dict, folder: Path) -> pd.DataFrame:
    n = world.pop.n
    from .identity import person_labels
    df = pd.DataFrame({
        "true_person_id": person_labels(np.arange(n)),
        "market": [MARKETS[m].code for m in world.pop.market],
        "is_customer": real.stage_at_as_of >= 1,
        "is_alive": real.stage_at_as_of < 2,
        "orders_to_date": real.orders_to_date.astype(np.int64),
        "expected_orders_90d": np.round(expected["orders_90"], 4),
        "expected_revenue_90d": np.round(expected["revenue_90"], 4),
        "realised_orders_90d": real.realised["orders_90"].astype(np.int64),
        "realised_revenue_90d": np.round(real.realised["revenue_90"], 4),
        "expected_orders_180d": np.round(expected["orders_180"], 4),
        "expected_revenue_180d": np.round(expected["revenue_180"], 4),
        "realised_orders_180d": real.realised["orders_180"].astype(np.int64),
        "realised_revenue_180d": np.round(real.realised["revenue_180"], 4),
    })
    _write_parquet(df, folder / "customer_future.parquet")
    return df


def write_experiments(world: World, cf: CounterfactualResult, folder: Path) -> pd.DataFrame:
    ex = world.experiments
    rows = []
    actual = 0
    for e, spec in enumerate(ex.specs):
        r = cf.labels.index(f"no_{spec['id']}")
        is_aa = all(v["true_relative_lift"] == 0 for v in spec["variants"])
        for j, v in enumerate(spec["variants"]):
            assigned = float(cf.experiment_assigned[actual, e, j])
            conv = float(cf.experiment_converted[actual, e, j])
            assigned_cf = float(cf.experiment_assigned[r, e, j])
            conv_cf = float(cf.experiment_converted[r, e, j])
            rate = conv / assigned if assigned else 0.0
            rate_cf = conv_cf / assigned_cf if assigned_cf else 0.0
            rows.append({
                "experiment_id": spec["id"], "variant_id": f"{spec['id']}__{v['name']}", "variant_name": v["name"],
                "is_control": j == 0, "declared_share": v["declared_share"], "actual_share": v["actual_share"],
                "has_planted_srm": ex.srm_planted(e), "is_aa": is_aa,
                "true_relative_lift": v["true_relative_lift"],
                "start_date": spec["start_date"].isoformat(), "end_date": spec["end_date"].isoformat(),
                "assigned_units": int(assigned), "converted_units": int(conv), "conversion_rate": round(rate, 6),
                "conversion_rate_without_effect": round(rate_cf, 6),
                # controls get no treatment; their tiny difference (treated buyers' referrals reaching control
                # users) is spillover, not an effect of the variant
                "true_effect_conversion_rate": 0.0 if j == 0 else round(rate - rate_cf, 6),
            })
    df = pd.DataFrame(rows)
    df.to_csv(folder / "experiments.csv", index=False, lineterminator="\n")
    return df


def write_mess(ledger: dict, folder: Path) -> None:
    write_json(folder / "mess.json", ledger)


README = """# Ground truth of the simulated market

Written by `python -m pipelines.simulator generate` next to the store. **Evaluation only**: no pipeline, model, mart
or asset may read these files. Everything here is a property of the same seeded world that produced the store
(`data/sim/`); the store shows what the platforms hold at the end of `as_of_date`, the truth may look further.

People are `true_person_id` = `P` + 7 digits (index in the simulated population); bots are `BOT` + 9 digits.
Money is USD. "Net revenue" of an order = items after discounts, excluding tax and shipping, minus refunded items,
zero if cancelled, converted at the order day's FX rate (the rates published in `data/sim/fx/eurofxref-hist.csv`).

## identity.parquet — one row per (identifier, person using it)
| column | meaning |
|---|---|
| identifier_type | `seeds/identifier_types.csv` vocabulary: cookie, app_instance, login_user_id, shopify_customer_id, amazon_buyer_id, email, phone |
| identifier | exactly as it appears in the raw data (e-mails keep their case: some people type capitals at Shopify checkout; some phones appear formatted with spaces in the e-mail tool; Shopify ids are decimal strings; login ids are `u_<shopify customer id>`; Amazon buyer ids are the `BuyerEmail` proxy) |
| true_person_id | the owner |
| is_shared | the identifier is used by more than one person: household devices (one cookie used by 2-4 people, one row per person) and the placeholder e-mail `noemail@marketplace.invalid` used by Shopify guest checkouts of many unrelated people (**a trap**: linking through it merges strangers) |
| is_linkable | the raw data holds a bridge from this identifier to another identifier of the same person: a login (cookie -> user id), a purchase event whose `transaction_id` is a Shopify order (cookie -> customer, e-mail, phone), a tracked e-mail link (`_kx` = Klaviyo profile id in the landing URL: cookie -> e-mail), a record holding several identifiers (Shopify customer/order, Klaviyo profile with phone, loyalty member with Amazon proxy e-mail, referral, consent event). A cookie that never logs in, buys or clicks a tracked link is not linkable; the placeholder e-mail never is |
| is_bot | a bot cookie (not a person) |

Every identifier that appears in any raw store record is listed (a test checks this).

## channel_incrementality.csv — one row per channel, plus `baseline` and `total`
Counterfactual removal with common random numbers: the simulator re-runs days 0..as_of with the real world's random
numbers but without the channel's touchpoints (their adstock never rises); everything downstream (orders, dropout,
e-mail sign-ups, referral shares) follows.
| column | meaning |
|---|---|
| channel | `seeds/channel_mapping.csv` channel names; `amazon_ads` has no user-level touchpoints in the data |
| incremental_orders | orders(real world) - orders(world without the channel), over the simulated period |
| incremental_revenue | the same for net revenue as known at as_of (refunds/cancellations booked after as_of not yet deducted) |
| expected_incremental_orders | the same difference of summed daily purchase probabilities (less noisy; used for response curves) |
| touchpoints | the channel's touchpoints in the real world (incl. sessions lost to tracking; navigational purchase sessions excluded) |
Row `baseline`: orders / revenue of the world with **no touchpoints at all**. Row `total`: the real world.
At `large` scale the counterfactual worlds are simulated for the first 4 person blocks (200 000 people) and scaled
up by people / simulated people (the real world and everything else use everyone).
Incrementals need not add up to total - baseline (saturation makes them sub-additive; interactions super-additive).
Navigational sessions (the direct / brand-search visit in which an order is placed when the person had no touchpoint
that day) are consequences of the purchase, not causes: they are classified `direct` / `organic_search` by the
mapping but carry no lift. `channel_incrementality_by_market.csv` has the same columns per market.

## response_curves.json — paid channels (paid_search, shopping, paid_social_meta, paid_social_tiktok, amazon_ads) x market
Top level: `formula` (expected daily incremental revenue at any constant daily spend), totals at the current plan,
the oracle allocation of the same total budget (unconstrained and within +-30% per curve) and `current_over_oracle`.
Per curve: `adstock_decay`, `hill_shape`, `half_saturation_usd`, `max_clicks` (clicks = max_clicks * A^shape /
(A^shape + half^shape), A = adstocked spend), `current_daily_spend_usd` (the plan; actual spend = plan x flighting x
lognormal noise with mean 1), `value_per_click_usd`, `expected_daily_revenue_at_current_usd`, `oracle_daily_spend_usd`,
`oracle_bounded_daily_spend_usd`. Spend and clicks are scaled with the population (`scale_factor` = people / 20 000).
Creator fees are not a spend curve (posts are scheduled, not bought by the click).

## customer_future.parquet — one row per true person (the whole population, also people never seen)
| column | meaning |
|---|---|
| market | country |
| is_customer | has bought at least once by as_of (incl. before start_date) |
| is_alive | not churned at as_of (BG/NBD "alive"; prospects are alive) |
| orders_to_date | orders placed by as_of (incl. orders before start_date for people who were customers on day 0) |
| expected_orders_90d / _180d | mean over 20 Monte Carlo rollouts of the 90 / 180 days after as_of, from the real state at as_of (same process, same spend plan, fresh random numbers) |
| expected_revenue_90d / _180d | same for net revenue (all refunds of those orders deducted, whenever booked) |
| realised_orders_90d / _180d, realised_revenue_90d / _180d | what actually happens in the continuation of this seeded world (never in the store) |
Repeat buying: after a first purchase a person is "alive" with a daily purchase rate lambda ~ Gamma(rate_shape, mean
1/rate_mean_days) and after each purchase drops out with probability p ~ Beta(dropout_a, dropout_b) (odds x
late_delivery_dropout_multiplier after a delivery over 10 days); touchpoints add their lifts to the hazard of alive
customers too; prospects convert with a baseline hazard plus touchpoint lifts (see the scenario file). A customer
who has dropped out (lapsed) buys no more, visits like a prospect (organic_traffic.lapsed_visit_multiplier instead of
customer_visit_multiplier) and opens e-mail less often (email.lapsed_open_multiplier); nothing else in the data
tells the states apart (post-purchase e-mail flows go by the last order date only).

## experiments.csv — one row per (experiment, variant)
| column | meaning |
|---|---|
| experiment_id, variant_id, variant_name, is_control | as in the experiments source (variant_id = `<experiment>__<variant>`) |
| declared_share | traffic share the experiment platform declares |
| actual_share | probability a unit is really assigned to the variant; differs from declared when `has_planted_srm` |
| has_planted_srm | a sample-ratio mismatch is planted (e.g. 53/47 assigned while 50/50 declared) |
| is_aa | all variants identical (true effect 0) |
| true_relative_lift | multiplies the Shopify purchase hazard of assigned units from assignment until the end |
| start_date, end_date | the experiment window (inclusive, UTC days) |
| assigned_units, converted_units, conversion_rate | units assigned by as_of and those with a Shopify order while in the experiment (from assignment, incl. the assigning session, to the end or as_of) |
| conversion_rate_without_effect | the same units' conversion rate in the world with this experiment's effect switched off (common random numbers) |
| true_effect_conversion_rate | conversion_rate - conversion_rate_without_effect: the realised true effect of the variant (0 for controls and A/A; a control's own rate can move very slightly through spillover, e.g. referrals from treated buyers, visible by comparing the two rate columns) |
Assignment happens at a unit's first session in the window (by cookie / app instance; `user_id` too when logged in).
CUPED: each person's pre-experiment behaviour (orders and revenue before `start_date` of the experiment) is in the
order data (Shopify orders / web events before the experiment start) and correlates with the outcome through the
person's propensity and repeat rate.

## mess.json — the planted data problems, exactly
`malformed.<source>/<resource>`: records with parse/type failures that ingestion must reject (`by_reason` counts and
`keys` = the record keys as written: `id`s, or `date|ad|country` style composite keys, web events by `event_id`);
reasons: `unparseable_date`, `unknown_currency`, `wrong_type`. `business_rule.<source>/<resource>`: records that must
land and be quarantined in staging: `negative_spend`, `delivered_before_shipped`, `zero_quantity`. `schema_drift`:
the new fields and the date they start. `counts.bots`: bot sessions / events in the web files (bot cookies are
listed in identity with `is_bot`). `counts.fx_missing_cells`: FX cells published as `N/A`. `over_counting`: per ad
platform, conversions it claims vs orders with one of its clicks in the window vs the channel's true incremental
orders. `late_updates`: record versions updated after creation (refunds, status changes, creator metrics, fees).
`identity_traps`: placeholder-email orders, shared household cookies, case/format variants. `erasure_subjects`:
people who asked for erasure (their e-mail appears in many raw tables). Server-side mess (duplicates across pages,
429, 5xx) is not here: the server's `/__stats` reports it.
"""


def write_readme(folder: Path) -> None:
    (folder / "README.md").write_text(README, encoding="utf-8")
