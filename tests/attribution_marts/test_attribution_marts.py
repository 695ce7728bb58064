"""The attribution marts on the small market: invariants, the Python oracles, the data-driven step, contracts."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.attribution import eligible_touchpoints, rule_credit

from .helpers import MART_FOLDERS, MODELS, RULE_MODELS

LOOKBACK_DAYS = 30
DEDUPE_MINUTES = 30
HALF_LIFE_DAYS = 7


def test_dbt_build_of_the_marts_passes(attribution_warehouse):
    for run in attribution_warehouse.runs:
        assert run.returncode == 0, f"dbt {' '.join(run.args)} failed:\n{run.output[-6000:]}"


def test_plain_dbt_build_works_before_the_python_tables_exist(attribution_warehouse):
    if not attribution_warehouse.runs:
        pytest.skip("prebuilt warehouse: the pre-Python state was not observed")
    assert attribution_warehouse.models_before_python == sorted(RULE_MODELS)


def test_every_model_is_present(attribution):
    assert sorted(attribution["model"].unique()) == sorted(MODELS)


def test_credits_per_conversion_sum_to_one_for_every_model(attribution, eligible):
    sums = attribution.groupby(["model", "conversion_id"])["credit"].sum()
    assert np.abs(sums - 1.0).max() <= 1e-9
    assert (attribution["credit"] >= -1e-12).all()
    expected = eligible["conversion_id"].nunique()
    assert attribution.groupby("model")["conversion_id"].nunique().eq(expected).all()


def test_attributed_revenue_per_model_equals_attributable_revenue(attribution, eligible):
    attributable = eligible.drop_duplicates("conversion_id")["conversion_value"].astype(float).sum()
    per_model = attribution.groupby("model")["attributed_revenue"].sum().astype(float)
    rows = attribution.groupby("model").size()
    assert (per_model - attributable).abs().le(1e-6 * rows + 1e-6).all(), per_model - attributable


def test_incremental_revenue_is_the_conversion_less_its_baseline_part(attribution_warehouse, attribution):
    """Every conversion finds its baseline share (channel set x returning customer, ml.attribution_baseline_shares);
    it is one value per conversion across models and touchpoints; per conversion and model the incremental revenue
    plus the baseline part is the conversion value, and no touchpoint gets more than its attributed revenue."""
    assert attribution["baseline_share"].notna().all()
    assert attribution["baseline_share"].between(0, 1).all()
    assert attribution.groupby("conversion_id")["baseline_share"].nunique().eq(1).all()
    per = attribution.groupby(["conversion_id", "model"]).agg(
        incremental=("incremental_attributed_revenue", "sum"), value=("conversion_value", "first"),
        share=("baseline_share", "first"), rows=("credit", "size")).astype(float)
    assert (per["incremental"] + per["value"] * per["share"] - per["value"]).abs().le(1e-6 * per["rows"] + 1e-6).all()
    # (net revenue can be negative: a refunded order's credit stays negative, only smaller)
    assert (attribution["incremental_attributed_revenue"].astype(float).abs()
            <= attribution["attributed_revenue"].astype(float).abs() + 1e-6).all()
    # the baseline hazard adds the returning-customer effect (>= 0): for every channel set a returning customer's
    # conversion owes at least as much to their own baseline as a new customer's
    table = attribution_warehouse.query("select * from ml.attribution_baseline_shares")
    wide = table.pivot(index="channel_set", columns="is_returning_customer", values="baseline_share")
    assert (wide[True] >= wide[False] - 1e-12).all()


def test_repeat_revenue_is_carried_back_to_the_acquisition(attribution_warehouse, attribution, eligible):
    """Recomputed here from fct_journey_paths, the eligible touchpoints and ml.attribution_baseline_shares: a
    person's later conversions owe value x returning_share (looked up by the channels touched within the exposure
    window, "" when none); each touchpoint of the person's first conversion carries credit x (1 - baseline_share) of
    that sum, and touchpoints of later conversions carry nothing."""
    from analytics.attribution.exposure_model import exposure_touchpoints

    shares = attribution_warehouse.query("select * from ml.attribution_baseline_shares")
    window = int(shares["exposure_window_days"].iloc[0])
    journeys = attribution_warehouse.query("""
        select conversion_id, person_id, cast(conversion_value as double) as conversion_value, is_returning_customer
        from marts.fct_journey_paths where journey_type = 'conversion'
    """)
    conversions = eligible.drop_duplicates("conversion_id")[["conversion_id", "converted_at"]]
    counted = exposure_touchpoints(eligible[["conversion_id", "touchpoint_id", "channel", "touched_at"]],
                                   conversions, window)
    recent = counted.loc[counted["in_exposure_window"]]
    sets = recent.groupby("conversion_id")["channel"].agg(lambda c: ",".join(sorted(set(c))))
    journeys["channel_set"] = journeys["conversion_id"].map(sets).fillna("")
    journeys = journeys.merge(shares[["channel_set", "is_returning_customer", "returning_share"]],
                              on=["channel_set", "is_returning_customer"], how="left")
    assert journeys["returning_share"].notna().all()
    later = journeys[journeys["is_returning_customer"]]
    owed = (later["conversion_value"] * later["returning_share"]).groupby(later["person_id"]).sum()

    first = attribution["conversion_id"].isin(journeys.loc[~journeys["is_returning_customer"], "conversion_id"])
    carried = attribution["acquisition_repeat_revenue"].astype(float)
    assert (carried[~first] == 0).all()
    expected = (attribution.loc[first, "credit"] * (1 - attribution.loc[first, "baseline_share"])
                * attribution.loc[first, "person_id"].map(owed).fillna(0.0))
    assert np.abs(carried[first] - expected).max() <= 1e-6
    assert carried[first].sum() > 0


def test_no_credit_outside_the_lookback_window(attribution):
    credited = attribution[attribution["credit"] > 0]
    age = credited["converted_at"] - credited["touched_at"]
    assert (age >= pd.Timedelta(0)).all()
    assert (age <= pd.Timedelta(days=LOOKBACK_DAYS)).all()


def _conversions(warehouse) -> pd.DataFrame:
    return warehouse.query("""
        select order_id as conversion_id, person_id, cast(net_revenue as double) as conversion_value,
               ordered_at as converted_at
        from marts.fct_orders
        where not is_cancelled
    """)


def test_eligibility_equals_the_reference_rule(attribution_warehouse, eligible):
    conversions = _conversions(attribution_warehouse)
    touchpoints = attribution_warehouse.query("""
        select touchpoint_id, person_id, channel, touchpoint_at as touched_at
        from intermediate.int_attribution__touchpoints
        where not is_navigational
    """)
    candidates = conversions[["conversion_id", "person_id"]].merge(touchpoints, on="person_id")
    reference = eligible_touchpoints(candidates, conversions, lookback_days=LOOKBACK_DAYS,
                                     dedupe_minutes=DEDUPE_MINUTES)
    ours = set(zip(eligible["conversion_id"], eligible["touchpoint_id"]))
    theirs = set(zip(reference["conversion_id"], reference["touchpoint_id"]))
    assert ours == theirs, f"only SQL: {sorted(ours - theirs)[:5]}, only reference: {sorted(theirs - ours)[:5]}"


@pytest.mark.parametrize("model", RULE_MODELS)
def test_sql_rule_credits_equal_the_python_oracle(model, attribution, eligible):
    touchpoints = eligible[["conversion_id", "touchpoint_id", "channel", "touched_at"]]
    conversions = eligible.drop_duplicates("conversion_id")[["conversion_id", "conversion_value", "converted_at"]]
    conversions = conversions.assign(conversion_value=conversions["conversion_value"].astype(float))
    oracle = rule_credit(touchpoints, model, conversions, half_life_days=HALF_LIFE_DAYS)
    ours = attribution[attribution["model"] == model][["conversion_id", "touchpoint_id", "credit"]]
    joined = oracle.merge(ours, on=["conversion_id", "touchpoint_id"], how="outer", suffixes=("_oracle", "_sql"),
                          indicator=True)
    assert (joined["_merge"] == "both").all(), joined[joined["_merge"] != "both"].head()
    assert np.abs(joined["credit_oracle"] - joined["credit_sql"]).max() <= 1e-9


def test_sql_data_driven_credits_equal_the_engine(attribution_warehouse, attribution):
    python = attribution_warehouse.query("select conversion_id, touchpoint_id, model, credit from ml.attribution_data_driven_credits")
    ours = attribution[attribution["is_data_driven"]][["conversion_id", "touchpoint_id", "model", "credit"]]
    joined = ours.merge(python, on=["conversion_id", "touchpoint_id", "model"], how="outer",
                        suffixes=("_sql", "_python"), indicator=True)
    assert (joined["_merge"] == "both").all(), joined[joined["_merge"] != "both"].head()
    assert np.abs(joined["credit_sql"] - joined["credit_python"]).max() <= 1e-9
    assert not attribution["is_fallback_credit"].any()


def _exact_markov_shares(paths: pd.DataFrame) -> pd.Series:
    """An independent first-order absorbing-chain solve (dense, written here, not the engine's code)."""
    channels = sorted({c for path in paths["path"] for c in path.split(" > ")})
    index = {c: i + 1 for i, c in enumerate(channels)}
    n = len(channels) + 3
    conv, null = n - 2, n - 1
    counts = np.zeros((n, n))
    for path, converted in zip(paths["path"], paths["converted"]):
        states = [0] + [index[c] for c in path.split(" > ")] + [conv if converted else null]
        for a, b in zip(states[:-1], states[1:]):
            counts[a, b] += 1

    def conversion_probability(removed: int | None) -> float:
        c = counts.copy()
        if removed is not None:
            c[:, null] += c[:, removed]
            c[:, removed] = 0
            c[removed, :] = 0
        p = np.divide(c, c.sum(axis=1, keepdims=True), out=np.zeros_like(c), where=c.sum(axis=1, keepdims=True) > 0)
        transient = list(range(n - 2))
        q = p[np.ix_(transient, transient)]
        x = np.linalg.solve(np.eye(len(transient)) - q, p[transient, conv])
        return float(x[0])

    base = conversion_probability(None)
    effects = pd.Series({c: 1 - conversion_probability(index[c]) / base for c in channels})
    return effects / effects.sum()


def test_markov_removal_effects_agree_with_an_exact_absorbing_chain(attribution_warehouse):
    paths = attribution_warehouse.query("select path, converted from marts.fct_journey_paths where touchpoints > 0")
    exact = _exact_markov_shares(paths)
    fitted = attribution_warehouse.query(
        "select channel, channel_share from ml.attribution_model_fit where model = 'markov'"
    ).set_index("channel")["channel_share"]
    assert (exact - fitted.reindex(exact.index)).abs().max() <= 0.005


def test_every_conversion_is_one_converting_journey(attribution_warehouse):
    journeys = attribution_warehouse.query("select conversion_id, touchpoints, path from marts.fct_journey_paths where converted")
    conversions = _conversions(attribution_warehouse)
    assert sorted(journeys["conversion_id"]) == sorted(conversions["conversion_id"])
    assert (journeys["touchpoints"] == journeys["path"].map(lambda p: len(p.split(" > ")) if p else 0)).all()


def test_non_converting_journeys_hold_only_touchpoints_no_conversion_claims(attribution_warehouse):
    journeys = attribution_warehouse.query("""
        select journey_type, converted, touchpoints, conversion_value,
               date_diff('day', first_touch_at, last_touch_at) as span_days
        from marts.fct_journey_paths
        where journey_type = 'non_converting'
    """)
    assert len(journeys) > 0
    assert not journeys["converted"].any()
    assert journeys["conversion_value"].isna().all()
    assert (journeys["touchpoints"] >= 1).all()
    assert (journeys["span_days"] <= LOOKBACK_DAYS).all()


def test_unattributed_line_carries_the_conversions_without_touchpoints(attribution_warehouse):
    line, expected = attribution_warehouse.query("""
        select
            (select sum(attributed_revenue) from marts.fct_channel_performance_daily
             where model = 'linear' and channel = 'unattributed') as line,
            (select sum(net_revenue) from marts.fct_orders as orders
             where not is_cancelled
               and order_id not in (select conversion_id from intermediate.int_attribution__eligible_touchpoints)) as expected
    """).iloc[0]
    assert float(line) == pytest.approx(float(expected), abs=0.01)


def test_channel_performance_revenue_reconciles_to_orders_for_every_model(attribution_warehouse):
    totals = attribution_warehouse.query("""
        select model, sum(attributed_revenue) as revenue from marts.fct_channel_performance_daily group by model
    """).set_index("model")["revenue"].astype(float)
    orders = float(attribution_warehouse.query("select sum(net_revenue) as r from marts.fct_orders where not is_cancelled").iloc[0, 0])
    assert sorted(totals.index) == sorted(MODELS)
    assert np.allclose(totals.to_numpy(), orders, atol=0.05)


def test_marts_have_enforced_contracts_and_state_their_grain(attribution_warehouse):
    if not attribution_warehouse.runs:
        pytest.skip("prebuilt warehouse: no manifest of this build")
    manifest = attribution_warehouse.manifest()
    ours = [node for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["original_file_path"].startswith(MART_FOLDERS)]
    assert len(ours) >= 20
    for node in ours:
        assert node["description"].startswith("One row per"), node["name"]
        assert all(col.get("description") for col in node["columns"].values()), node["name"]
        if node["name"].startswith("fct_"):
            assert node["config"]["contract"]["enforced"], node["name"]
            assert set(node["columns"]) and all(col.get("data_type") for col in node["columns"].values()), node["name"]


def test_threshold_breaches_are_the_breaching_evaluations(attribution_warehouse):
    breaches = attribution_warehouse.query("select evaluation_id from marts.fct_threshold_breaches")
    evaluations = attribution_warehouse.query("select evaluation_id, is_breached, is_judged from marts.fct_threshold_evaluations")
    assert set(breaches["evaluation_id"]) == set(evaluations.loc[evaluations["is_breached"], "evaluation_id"])
    assert evaluations.loc[evaluations["is_breached"], "is_judged"].all()
    rules = attribution_warehouse.query("select distinct rule_id from marts.fct_threshold_evaluations")
    assert len(rules) >= 5


def test_referral_tree_depths_are_consistent(attribution_warehouse):
    referrals = attribution_warehouse.query("select * from marts.fct_referrals")
    assert len(referrals) > 0
    known = referrals[referrals["inviter_depth"].notna()]
    assert (known["tree_depth"] == known["inviter_depth"] + 1).all()
    # an invitee's own shares sit one level below the share that brought them in (first invitation)
    edges = referrals[referrals["inviter_person_id"].notna() & referrals["invitee_person_id"].notna()
                      & (referrals["inviter_person_id"] != referrals["invitee_person_id"])]
    edges = edges.assign(first_at=edges["converted_at"].fillna(edges["shared_at"]))
    firsts = edges.sort_values(["first_at", "shared_at", "referral_id"]).drop_duplicates("invitee_person_id")
    depth_of = dict(zip(firsts["invitee_person_id"], firsts["tree_depth"]))
    own = known[known["inviter_person_id"].isin(depth_of)]
    assert (own["inviter_depth"] == own["inviter_person_id"].map(depth_of)).all()


def test_incremental_revenue_in_the_channel_mart_reconciles_and_the_baseline_sits_on_the_unattributed_row(
        attribution_warehouse):
    """Per model, incremental revenue over all rows of fct_channel_performance_daily is total net revenue (what the
    channels did not earn sits on the unattributed row), and each channel's incremental revenue is its
    fct_attribution incremental revenue, and likewise its acquisition repeat revenue."""
    per = attribution_warehouse.query("""
        select model, channel = 'unattributed' as is_unattributed,
               sum(attributed_revenue)::double as attributed, sum(incremental_attributed_revenue)::double as incremental,
               sum(acquisition_repeat_revenue)::double as repeat
        from marts.fct_channel_performance_daily group by all
    """)
    orders = float(attribution_warehouse.query(
        "select sum(net_revenue) as r from marts.fct_orders where not is_cancelled").iloc[0, 0])
    totals = per.groupby("model")["incremental"].sum()
    assert sorted(totals.index) == sorted(MODELS)
    assert np.allclose(totals.to_numpy(), orders, atol=0.05)
    unattributed = per.loc[per["is_unattributed"]].set_index("model")
    assert (unattributed["incremental"] > unattributed["attributed"]).all()  # the baseline parts moved there
    channels = attribution_warehouse.query("""
        select p.channel, p.incremental, a.incremental as from_attribution, p.repeat, a.repeat as repeat_from_attribution
        from (select channel, sum(incremental_attributed_revenue)::double as incremental,
                     sum(acquisition_repeat_revenue)::double as repeat
              from marts.fct_channel_performance_daily where model = 'shapley' and channel <> 'unattributed'
              group by channel) as p
        inner join (select channel, sum(incremental_attributed_revenue)::double as incremental,
                           sum(acquisition_repeat_revenue)::double as repeat
                    from marts.fct_attribution where model = 'shapley' group by channel) as a
            on p.channel = a.channel
    """)
    assert len(channels) > 0
    assert np.allclose(channels["incremental"], channels["from_attribution"], atol=0.05)
    # the repeat business each channel's acquisitions won is carried into the mart, and nowhere on the baseline row
    assert (channels["repeat"] > 0).any()
    assert np.allclose(channels["repeat"], channels["repeat_from_attribution"], atol=0.05)
    assert (per.loc[per["is_unattributed"], "repeat"] == 0).all()
    with_repeat = attribution_warehouse.query("""
        select incremental_return_on_ad_spend_with_repeat::double as ratio,
               ((incremental_attributed_revenue + acquisition_repeat_revenue) / spend)::double as expected
        from marts.fct_channel_performance_monthly where model = 'shapley' and spend > 0
    """)
    assert len(with_repeat) > 0
    assert np.allclose(with_repeat["ratio"], with_repeat["expected"], rtol=1e-9)
