"""Plain builders of the `ml` tables: `build_<table>(con, as_of_date, **config) -> pandas.DataFrame`.

Each reads the marts through a DuckDB connection (read-only is enough), calls the algorithm library
(`analytics/`, see docs/ml.md) and returns the table to write; nothing here writes, and nothing reads the
simulator's truth. Bad or tiny input raises `analytics.clv.errors.InsufficientDataError` with a message saying
what was needed and what was found; the Dagster assets (assets.py) catch it, log it, write an empty table with
the documented columns and surface the message as metadata. `write_table` does the writing.
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import numpy as np
import pandas as pd

from analytics.budget.storefront import revenue_per_dollar
from analytics.clv.errors import InsufficientDataError

ML_SCHEMA = "ml"

# Documented columns per table (also the columns of the empty table written on InsufficientDataError).
COLUMNS: dict[str, list[str]] = {
    "customer_scores": [
        "person_id", "frequency", "recency", "T", "monetary", "p_alive", "expected_orders_90d",
        "expected_revenue_90d", "expected_orders_180d", "expected_revenue_180d", "expected_order_value",
        "p_alive_orders_only", "clv_model", "churn_score", "churn_horizon_days", "as_of_date", "fit_date",
    ],
    "clv_model_params": ["model", "parameter", "value", "std_error", "log_likelihood", "n_customers",
                         "converged", "note", "as_of_date", "fit_date"],
    "churn_model_quality": ["section", "name", "bin", "n", "value", "value_2", "model_type", "horizon_days",
                            "as_of_date", "fit_date"],
    "segments": ["person_id", "recency_days", "frequency", "monetary", "r_score", "f_score", "m_score",
                 "rfm_cell", "rfm_segment", "cluster_id", "segment_label", "segment_size", "as_of_date",
                 "fit_date"],
    "experiment_results": [
        "experiment_id", "experiment_name", "variant_name", "is_control", "users", "conversions",
        "conversion_rate", "declared_share", "observed_share", "absolute_lift", "relative_lift", "ci_lower",
        "ci_upper", "p_value", "srm_chi2", "srm_p_value", "is_srm", "cuped_abs_lift", "cuped_rel_lift",
        "cuped_ci_low", "cuped_ci_high", "cuped_p_value", "cuped_theta", "cuped_variance_reduction", "verdict",
        "note", "as_of_date", "fit_date",
    ],
    "kpi_anomalies": ["date_day", "kpi", "market", "actual_value", "expected_value", "lower_bound",
                      "upper_bound", "robust_z", "is_anomaly", "direction", "largest_contributor",
                      "largest_contributor_share", "note", "as_of_date", "fit_date"],
    "forecasts": ["date_day", "market", "metric", "forecast_value", "lower_bound", "upper_bound", "model",
                  "note", "as_of_date", "fit_date"],
    "budget_suggestions": [
        "channel", "current_daily_spend", "suggested_daily_spend", "change_pct", "lower_bound", "upper_bound",
        "expected_revenue_current", "expected_revenue_suggested", "marginal_roas", "action", "reason",
        "confidence", "revenue_source", "total_budget", "as_of_date", "fit_date",
    ],
    "budget_suggestions_by_market": [
        "channel", "market", "current_daily_spend", "suggested_daily_spend", "change_pct", "lower_bound",
        "upper_bound", "expected_revenue_current", "expected_revenue_suggested", "marginal_roas", "action", "rule",
        "reason", "confidence", "revenue_source", "total_budget", "as_of_date", "fit_date",
    ],
}


# --------------------------------------------------------------------------------------------- helpers
def table_exists(con, schema: str, table: str) -> bool:
    return bool(con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()[0])


def require_tables(con, what: str, tables, *, nonempty: bool = True) -> None:
    """Raise `InsufficientDataError` naming the first input table (``schema.table``) that is missing, or (with
    `nonempty`) has no rows. Every builder calls this before reading, so an unbuilt or empty warehouse gives a
    clear message rather than a DuckDB catalog error."""
    for qualified in tables:
        schema, table = qualified.split(".", 1)
        if not table_exists(con, schema, table):
            raise InsufficientDataError(f"{what}: {qualified} is missing: build the warehouse (dbt build) first")
        if nonempty and con.execute(f'select count(*) from {schema}."{table}"').fetchone()[0] == 0:
            raise InsufficientDataError(f"{what}: {qualified} has no rows")


def _as_of(as_of_date) -> pd.Timestamp:
    if as_of_date in (None, ""):
        raise InsufficientDataError("as_of_date is required (env AS_OF_DATE or the simulator manifest)")
    return pd.Timestamp(as_of_date).normalize()


def _stamp(df: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    df = df.copy()
    df["as_of_date"] = as_of.date()
    df["fit_date"] = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    return df


def _select(df: pd.DataFrame, table: str) -> pd.DataFrame:
    cols = COLUMNS[table]
    for c in cols:
        if c not in df.columns:
            df[c] = None
    return df[cols]


def empty_table(table: str, note: str = "") -> pd.DataFrame:
    df = pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS[table]})
    df.attrs["note"] = note
    return df


def read_orders(con, as_of: pd.Timestamp) -> pd.DataFrame:
    """Orders of unified customers up to as_of: customer_id (person_id), date, value (net revenue, reporting)."""
    require_tables(con, "orders", ["marts.fct_orders"])
    df = con.execute(
        """
        select o.person_id as customer_id, o.order_date as date, coalesce(o.net_revenue, 0)::double as value,
               o.sales_channel as channel, o.shipping_country_code as market, o.is_cancelled
        from marts.fct_orders o
        where o.person_id is not null and o.order_date <= ?
        """,
        [as_of.date()],
    ).df()
    if df.empty:
        raise InsufficientDataError(
            f"orders: marts.fct_orders has no orders of unified customers (person_id) on or before {as_of.date()}")
    df["date"] = pd.to_datetime(df["date"])
    return df


# Churn features per kind. Visits are split by what brought the person: organic visits (own initiative) show
# whether a customer is still active; paid visits follow the brand's ad spend and reach lapsed and active customers
# alike. Sessions with a purchase are left out (the orders are already features). Measured on the three bench
# markets: total sessions -> this split raised churn AUC by 0.014-0.016 (docs/ml.md).
ENGAGEMENT_KINDS = ("organic_visits", "paid_visits", "emails_received", "email_opens", "email_clicks")


def read_engagement(con, as_of: pd.Timestamp) -> pd.DataFrame | None:
    """Per person, day and kind (sessions, e-mails received / opened / clicked) up to as_of, long format for
    `analytics.churn` (customer_id, date, kind, count); None when the mart is not built (orders-only features)."""
    if not table_exists(con, "marts", "fct_customer_engagement_daily"):
        return None
    wide = con.execute(
        f"""select person_id as customer_id, activity_date as date, {", ".join(ENGAGEMENT_KINDS)}
            from marts.fct_customer_engagement_daily where activity_date <= ?""", [as_of.date()]).df()
    long = wide.melt(id_vars=["customer_id", "date"], value_vars=list(ENGAGEMENT_KINDS), var_name="kind",
                     value_name="count")
    return long[long["count"] > 0].reset_index(drop=True)


def write_table(con, table: str, df: pd.DataFrame) -> int:
    """Replace ml.<table> with `df` (an empty frame still creates the table with its columns)."""
    con.execute(f"create schema if not exists {ML_SCHEMA}")
    frame = df.copy()
    if frame.empty:
        # typed empty table: object columns become varchar
        frame = frame.astype({c: "object" for c in frame.columns})
    con.register("_ml_frame", frame)
    try:
        con.execute(f'create or replace table {ML_SCHEMA}."{table}" as select * from _ml_frame')
    finally:
        con.unregister("_ml_frame")
    return len(frame)


# --------------------------------------------------------------------------------------------- CLV + churn
def _clv_fit(orders: pd.DataFrame, as_of: pd.Timestamp, engagement: pd.DataFrame | None = None):
    """BG/NBD + Gamma-Gamma on the orders, and the MBG/NBD with engagement evidence when the engagement mart is there
    (`analytics.clv.engaged`). Returns (scores, bg, gg, engaged fit or None, note): the scores come from the engaged
    model when it could be fitted, else from BG/NBD; `p_alive_orders_only` is BG/NBD's P(alive) either way."""
    from analytics.clv import fit_bgnbd, fit_gamma_gamma, predict, summarise_transactions
    from analytics.clv.engaged import engaged_data, fit_engaged_mbgnbd, predict_engaged

    tx = orders.loc[~orders["is_cancelled"].fillna(False).astype(bool), ["customer_id", "date", "value"]]
    if tx.empty:
        raise InsufficientDataError("CLV: no non-cancelled orders of unified customers on or before as_of")
    summary = summarise_transactions(tx, as_of)
    bg = fit_bgnbd(summary)
    gg = fit_gamma_gamma(summary)
    scores = predict(summary, bg, gg, horizons=(90, 180)).assign(clv_model="bgnbd")
    scores["p_alive_orders_only"] = scores["p_alive"]
    if engagement is None:
        return scores, bg, gg, None, "no engagement mart: BG/NBD on orders only"
    data = engaged_data(tx, engagement, as_of, summary=summary)
    try:
        engaged = fit_engaged_mbgnbd(data)
    except InsufficientDataError as exc:
        return scores, bg, gg, None, f"engaged MBG/NBD not fitted ({exc}): BG/NBD on orders only"
    out = predict_engaged(data, engaged, gg, horizons=(90, 180)).assign(clv_model="mbgnbd_engagement")
    out["p_alive_orders_only"] = scores["p_alive"].to_numpy()
    return out, bg, gg, engaged, ""


def churn_horizon(orders: pd.DataFrame, as_of: pd.Timestamp, horizon_days: int = 90) -> int:
    """The label window: `horizon_days`, shortened to a third of the history so the out-of-time split fits."""
    history = (as_of - orders["date"].min()).days + 1
    n = min(int(horizon_days), history // 3)
    if n < 7:
        raise InsufficientDataError(
            f"churn: {history} days of order history; the out-of-time split needs at least 21 (3 x a 7-day window)"
        )
    return n


def _churn(orders: pd.DataFrame, as_of: pd.Timestamp, horizon_days: int, model_type: str,
           engagement: pd.DataFrame | None = None):
    """Quality from the out-of-time model (train at as_of - 2N, hold out as_of - N); scores from the same
    specification refit on the latest fully observed window (features at as_of - N, labels up to as_of).
    With the engagement mart, the engaged MBG/NBD fitted at each cutoff adds two features (P(alive), expected
    orders in N days); where it cannot be fitted at some cutoff, the model goes without them."""
    from analytics.clv.engaged import engaged_cutoff_features

    n = churn_horizon(orders, as_of, horizon_days)
    if engagement is not None:
        tx = orders.loc[~orders["is_cancelled"].fillna(False).astype(bool), ["customer_id", "date", "value"]]
        try:
            return _churn_fit(orders, as_of, n, model_type, engagement, engaged_cutoff_features(tx, engagement, n))
        except InsufficientDataError:
            pass
    return _churn_fit(orders, as_of, n, model_type, engagement, None)


def _churn_fit(orders, as_of, n, model_type, engagement, cutoff_features):
    from analytics.churn import (
        build_features,
        churn_quality,
        fit_churn_model,
        latest_training_frame,
        score_churn,
        time_based_split,
    )

    kinds = list(ENGAGEMENT_KINDS) if engagement is not None else None
    train, holdout = time_based_split(orders, as_of, n, channel_col="channel", activity=engagement,
                                      activity_kinds=kinds, cutoff_features=cutoff_features)
    quality = churn_quality(fit_churn_model(train, model_type=model_type), holdout)
    channels = [c.removeprefix("channel_share_") for c in train.columns if c.startswith("channel_share_")]
    same = dict(channel_col="channel", channels=channels, activity=engagement, activity_kinds=kinds,
                cutoff_features=cutoff_features)
    model = fit_churn_model(latest_training_frame(orders, as_of, n, **same), model_type=model_type)
    features = build_features(orders, as_of, **same)
    return score_churn(model, features), quality, n


def build_customer_scores(con, as_of_date, *, churn_horizon_days: int = 90, churn_model_type: str = "logistic",
                          **_) -> pd.DataFrame:
    """Per person: P(alive), expected orders and revenue (90/180 d) from the MBG/NBD with engagement evidence
    (BG/NBD when the engagement mart is missing), BG/NBD's order-only P(alive), and the churn model's score."""
    as_of = _as_of(as_of_date)
    orders = read_orders(con, as_of)
    engagement = read_engagement(con, as_of)
    scores, _bg, _gg, _engaged, note = _clv_fit(orders, as_of, engagement)
    scores = scores.rename(columns={"customer_id": "person_id"})
    notes = [note] if note else []
    try:
        churn, _quality, n = _churn(orders, as_of, churn_horizon_days, churn_model_type, engagement)
        scores = scores.merge(churn.rename(columns={"customer_id": "person_id"}), on="person_id", how="left")
        scores["churn_horizon_days"] = n
    except InsufficientDataError as exc:
        scores["churn_score"] = np.nan
        scores["churn_horizon_days"] = None
        notes.append(f"churn not scored: {exc}")
    if notes:
        scores.attrs["note"] = "; ".join(notes)
    return _select(_stamp(scores, as_of), "customer_scores")


def build_clv_model_params(con, as_of_date, **_) -> pd.DataFrame:
    """BG/NBD, Gamma-Gamma and (when fitted) the engaged MBG/NBD's parameters with standard errors,
    log-likelihoods and the fit date."""
    as_of = _as_of(as_of_date)
    _scores, bg, gg, engaged, _note = _clv_fit(read_orders(con, as_of), as_of, read_engagement(con, as_of))
    rows = []
    fits = (("bgnbd", bg), ("gamma_gamma", gg)) + ((("mbgnbd_engagement", engaged),) if engaged else ())
    for name, fit in fits:
        d = fit.as_dict() if hasattr(fit, "as_dict") else {}
        ses = getattr(fit, "std_errors", None) or d.get("std_errors") or {}
        for p, v in fit.params.items():
            rows.append({
                "model": name, "parameter": p, "value": float(v),
                "std_error": float(ses.get(p)) if isinstance(ses, dict) and ses.get(p) is not None else None,
                "log_likelihood": float(getattr(fit, "log_likelihood", np.nan)),
                "n_customers": int(fit.n_customers),
                "converged": bool(getattr(fit, "converged", True)),
                "note": str(getattr(fit, "message", "") or ""),
            })
    return _select(_stamp(pd.DataFrame(rows), as_of), "clv_model_params")


def build_churn_model_quality(con, as_of_date, *, churn_horizon_days: int = 90, churn_model_type: str = "logistic",
                              **_) -> pd.DataFrame:
    """Long table: metrics (AUC, base rate, Brier, log loss), calibration bins, permutation importances."""
    as_of = _as_of(as_of_date)
    _scores, q, n = _churn(read_orders(con, as_of), as_of, churn_horizon_days, churn_model_type,
                           read_engagement(con, as_of))
    rows = [{"section": "metric", "name": r.metric, "value": float(r.value)} for r in q.metrics.itertuples()]
    rows += [{"section": "calibration", "name": "bin", "bin": int(r.bin), "n": int(r.n),
              "value": float(r.mean_predicted), "value_2": float(r.observed_rate)} for r in q.calibration.itertuples()]
    rows += [{"section": "feature_importance", "name": r.feature, "value": float(r.importance_mean),
              "value_2": float(r.importance_std)} for r in q.feature_importance.itertuples()]
    df = pd.DataFrame(rows)
    df["model_type"] = churn_model_type
    df["horizon_days"] = n
    return _select(_stamp(df, as_of), "churn_model_quality")


# --------------------------------------------------------------------------------------------- segments
def build_segments(con, as_of_date, *, k: int = 5, **_) -> pd.DataFrame:
    """RFM scores and named RFM segment, plus K-means (standardised RFM + channel mix + market) labels."""
    from analytics.segments import kmeans_segments, rfm_from_orders, rfm_scores

    as_of = _as_of(as_of_date)
    orders = read_orders(con, as_of)
    orders = orders.loc[~orders["is_cancelled"].fillna(False).astype(bool)]
    if orders.empty:
        raise InsufficientDataError("segments: no orders of unified customers on or before as_of")
    rfm = rfm_scores(rfm_from_orders(orders, as_of))
    share = pd.crosstab(orders["customer_id"], orders["channel"], normalize="index").add_prefix("channel_share_")
    market = orders.groupby("customer_id")["market"].agg(lambda s: s.mode().iat[0] if s.notna().any() else "unknown")
    top_markets = market.value_counts().index[:5]
    mk = pd.get_dummies(market.where(market.isin(top_markets), "other"), prefix="market").astype(float)
    feats = rfm.set_index("customer_id").join(share).join(mk).reset_index()
    k_eff = min(k, max(1, len(feats) // 10))
    if k_eff < 2:
        raise InsufficientDataError(f"segments: {len(feats)} customers; K-means needs at least 20")
    clusters = kmeans_segments(feats, k=k_eff)
    out = rfm.merge(clusters.assignments, on="customer_id", how="left")
    out["segment_size"] = out.groupby("cluster_id")["customer_id"].transform("size")
    out = out.rename(columns={"customer_id": "person_id", "segment": "rfm_segment"})
    return _select(_stamp(out, as_of), "segments")


# --------------------------------------------------------------------------------------------- experiments
def experiment_units(con, as_of: pd.Timestamp) -> pd.DataFrame:
    """One row per assigned unit: experiment, variant, converted (Shopify order from assignment to end/as_of),
    pre-period revenue (orders before the experiment start) via the identity map's person_id."""
    require_tables(con, "experiments", ["staging.stg_experiments__assignments", "staging.stg_experiments__experiments",
                                        "staging.stg_experiments__variants"])
    # conversions and the CUPED covariate come from the orders of the identity map's persons (may be empty)
    require_tables(con, "experiments", ["marts.dim_customer_identifiers", "marts.fct_orders"], nonempty=False)
    return con.execute(
        """
        with asg as (
            select a.experiment_id, v.variant_name as variant,
                   coalesce(a.anonymous_id, a.login_user_id) as unit_id,
                   min(a.assigned_at) as assigned_at,
                   any_value(a.anonymous_id) as anonymous_id, any_value(a.login_user_id) as login_user_id
            from staging.stg_experiments__assignments a
            join staging.stg_experiments__variants v using (variant_id)
            where a.assigned_at::date <= ?
            group by all
        ),
        ids as (
            select identifier_type, identifier, person_id from marts.dim_customer_identifiers
            where identifier_type in ('cookie', 'app_instance', 'login_user_id')
        ),
        unit as (
            select asg.*, e.started_at, least(coalesce(e.ended_at, ?::timestamp), ?::timestamp) as window_end,
                   coalesce(l.person_id, c.person_id) as person_id
            from asg
            join staging.stg_experiments__experiments e using (experiment_id)
            left join ids l on l.identifier_type = 'login_user_id' and l.identifier = asg.login_user_id
            left join ids c on c.identifier_type in ('cookie', 'app_instance') and c.identifier = asg.anonymous_id
            qualify row_number() over (partition by asg.experiment_id, asg.unit_id order by l.person_id nulls last,
                                       c.person_id nulls last) = 1
        )
        select u.experiment_id, u.variant, u.unit_id,
               coalesce(bool_or(o.sales_channel = 'shopify' and o.ordered_at >= u.assigned_at
                                and o.ordered_at <= u.window_end), false)::int as converted,
               coalesce(sum(case when o.order_date < u.started_at::date then o.net_revenue end), 0)::double
                   as pre_revenue
        from unit u
        left join marts.fct_orders o on o.person_id = u.person_id
        group by all
        """,
        [as_of.date(), as_of + pd.Timedelta(days=1), as_of + pd.Timedelta(days=1)],
    ).df()


def build_experiment_results(con, as_of_date, *, alpha: float = 0.05, **_) -> pd.DataFrame:
    """Per experiment x variant: rates, lift, Newcombe CI, z-test p, SRM chi-square, CUPED, verdict."""
    from analytics.experiments import analyse_experiments

    as_of = _as_of(as_of_date)
    units = experiment_units(con, as_of)
    if units.empty:
        raise InsufficientDataError("experiments: no assignments on or before as_of")
    variants = con.execute(
        "select experiment_id, variant_name as variant, is_control, traffic_share from staging.stg_experiments__variants"
    ).df()
    res = analyse_experiments(units, variants, covariate_col="pre_revenue", alpha=alpha)
    names = con.execute("select experiment_id, experiment_name from staging.stg_experiments__experiments").df()
    res = res.merge(names, on="experiment_id", how="left").rename(columns={
        "variant": "variant_name", "abs_lift": "absolute_lift", "rel_lift": "relative_lift",
        "ci_low": "ci_lower", "ci_high": "ci_upper",
    })
    return _select(_stamp(res, as_of), "experiment_results")


# --------------------------------------------------------------------------------------------- KPIs
def kpi_components(con, as_of: pd.Timestamp) -> pd.DataFrame:
    """Daily KPI per market x channel: net_revenue and orders (sales channel) from fct_orders, spend (ad channel)
    from fct_ad_performance_daily. Columns date, kpi, market, channel, value."""
    require_tables(con, "KPIs", ["marts.fct_orders"], nonempty=False)
    parts = [con.execute(
        """
        select order_date as date, 'net_revenue' as kpi, shipping_country_code as market, sales_channel as channel,
               sum(net_revenue)::double as value
        from marts.fct_orders where order_date <= ? group by all
        union all
        select order_date, 'orders', shipping_country_code, sales_channel, count(*)::double
        from marts.fct_orders where order_date <= ? and not coalesce(is_cancelled, false) group by all
        """, [as_of.date(), as_of.date()]).df()]
    if table_exists(con, "marts", "fct_ad_performance_daily"):
        parts.append(con.execute(
            """
            select date_day as date, 'spend' as kpi, country_code as market, channel, sum(spend)::double as value
            from marts.fct_ad_performance_daily where date_day <= ? group by all
            """, [as_of.date()]).df())
    parts = [p for p in parts if not p.empty]
    if not parts:
        raise InsufficientDataError(
            f"KPIs: no orders (marts.fct_orders) or ad spend (marts.fct_ad_performance_daily) on or before "
            f"{as_of.date()}")
    df = pd.concat(parts, ignore_index=True)
    df["market"] = df["market"].fillna("unknown")
    df["channel"] = df["channel"].fillna("unknown")
    df["date"] = pd.to_datetime(df["date"])
    return df


def _zero_filled(daily: pd.DataFrame, series_cols: list[str], as_of: pd.Timestamp) -> pd.DataFrame:
    """Every series on the full calendar up to as_of, missing days = 0 (no orders / no spend that day)."""
    start = daily["date"].min()
    cal = pd.DataFrame({"date": pd.date_range(start, as_of, freq="D")})
    keys = daily[series_cols].drop_duplicates()
    grid = keys.merge(cal, how="cross")
    out = grid.merge(daily, on=[*series_cols, "date"], how="left")
    out["value"] = out["value"].fillna(0.0)
    return out


def build_kpi_anomalies(con, as_of_date, *, threshold: float = 3.5, **_) -> pd.DataFrame:
    """Per day x KPI x market (and market = 'ALL' for the total): actual, expected, band, flag; on flagged
    total days the market/channel that moved most."""
    from analytics.anomalies import detect_anomalies, largest_contributors

    as_of = _as_of(as_of_date)
    comp = kpi_components(con, as_of)
    if comp.empty:
        raise InsufficientDataError("kpi_anomalies: no orders or spend on or before as_of")
    by_market = comp.groupby(["kpi", "market", "date"], as_index=False)["value"].sum()
    total = comp.groupby(["kpi", "date"], as_index=False)["value"].sum().assign(market="ALL")
    daily = _zero_filled(pd.concat([total, by_market], ignore_index=True), ["kpi", "market"], as_of)
    flagged = detect_anomalies(daily, series_cols=["kpi", "market"], threshold=threshold)
    flagged["largest_contributor"] = None
    flagged["largest_contributor_share"] = np.nan
    for kpi, comp_k in comp.groupby("kpi"):
        dates = flagged.loc[(flagged["kpi"] == kpi) & (flagged["market"] == "ALL") & flagged["is_anomaly"].fillna(False)
                            .astype(bool), "date"]
        if dates.empty:
            continue
        contrib = largest_contributors(comp_k.drop(columns="kpi"), ["market", "channel"], dates=list(dates),
                                       threshold=threshold)
        top = contrib.loc[contrib["is_largest_contributor"].astype(bool)]
        for r in top.itertuples():
            m = (flagged["kpi"] == kpi) & (flagged["market"] == "ALL") & (flagged["date"] == r.date)
            flagged.loc[m, "largest_contributor"] = f"{r.market} / {r.channel}"
            flagged.loc[m, "largest_contributor_share"] = float(getattr(r, "share", np.nan))
    out = flagged.rename(columns={"date": "date_day", "value": "actual_value", "expected": "expected_value",
                                  "lower": "lower_bound", "upper": "upper_bound"})
    out["date_day"] = pd.to_datetime(out["date_day"]).dt.date
    return _select(_stamp(out, as_of), "kpi_anomalies")


def build_forecasts(con, as_of_date, *, horizon_days: int = 30, top_markets: int = 5, **_) -> pd.DataFrame:
    """30-day Holt-Winters forecast with 95% interval of net revenue and spend, in total ('ALL') and for the
    `top_markets` largest markets by net revenue."""
    from analytics.anomalies import forecast_by_series

    as_of = _as_of(as_of_date)
    comp = kpi_components(con, as_of)
    comp = comp.loc[comp["kpi"].isin(["net_revenue", "spend"])]
    if comp.empty:
        raise InsufficientDataError("forecasts: no net revenue or spend on or before as_of")
    # the largest markets by net revenue get their own forecast (each Holt-Winters fit + simulation costs ~1-2 s)
    rev = comp.loc[comp["kpi"] == "net_revenue"].groupby("market")["value"].sum().sort_values(ascending=False)
    markets = list(rev.index[:top_markets])
    by_market = (comp.loc[comp["market"].isin(markets)]
                 .groupby(["kpi", "market", "date"], as_index=False)["value"].sum())
    total = comp.groupby(["kpi", "date"], as_index=False)["value"].sum().assign(market="ALL")
    # every series runs to as_of (missing days are zero, not unknown)
    daily = _zero_filled(pd.concat([total, by_market], ignore_index=True), ["kpi", "market"], as_of)
    fc = forecast_by_series(daily, ["kpi", "market"], horizon_days=horizon_days)
    out = fc.rename(columns={"date": "date_day", "kpi": "metric", "forecast": "forecast_value",
                             "lower": "lower_bound", "upper": "upper_bound"})
    out["date_day"] = pd.to_datetime(out["date_day"]).dt.date
    return _select(_stamp(out, as_of), "forecasts")


# --------------------------------------------------------------------------------------------- budget
ATTRIBUTION_MODELS = ("shapley", "markov", "last_non_direct", "last_touch")  # revenue source, first available


def attributed_daily(con, as_of: pd.Timestamp, lookback_days: int | None = None, *,
                     by_market: bool = False) -> tuple[pd.DataFrame, str]:
    """Daily spend (fct_ad_performance_daily) and attributed revenue per paid channel.

    Revenue source, first available: fct_attribution model shapley, markov, then last_non_direct (rule-based,
    platform-independent: the warehouse's own touchpoints, not platform-reported conversions); its
    incremental_attributed_revenue once the data-driven asset has written baseline shares (what the customer would
    have bought anyway is not revenue a channel's spend can buy), else attributed_revenue. A paid channel
    without user-level touchpoints gets its platform claims calibrated by its own storefront's sales where it has one
    (`storefront_calibration`), else by the other platforms' over-count (`_add_calibrated_platform_revenue`);
    ``daily.attrs["channel_sources"]`` says which source each channel's revenue came from. `by_market`: one series
    per channel x market (column ``market``: the ad's country, the conversion's market)."""
    require_tables(con, "budget", ["marts.fct_ad_performance_daily", "marts.fct_attribution"])
    market_spend, market_rev = ("country_code as market, ", "market_code as market, ") if by_market else ("", "")
    spend = con.execute(
        f"select channel, {market_spend}date_day as date, sum(spend)::double as spend, "
        "sum(platform_conversion_value)::double as claimed from marts.fct_ad_performance_daily "
        "where date_day <= ? group by all", [as_of.date()]).df()
    if spend.empty:
        raise InsufficientDataError(f"budget: no ad spend on or before {as_of.date()}")
    models = {r[0] for r in con.execute("select distinct model from marts.fct_attribution").fetchall()}
    model = next((m for m in ATTRIBUTION_MODELS if m in models), None)
    if model is None:
        raise InsufficientDataError(
            f"budget: marts.fct_attribution has none of the models {list(ATTRIBUTION_MODELS)} (found {sorted(models)})")
    incremental = _has_incremental_revenue(con, model)
    source = f"fct_attribution:{model}" + (" incremental" if incremental else "")
    measure = "coalesce(incremental_attributed_revenue, attributed_revenue)" if incremental else "attributed_revenue"
    rev = con.execute(
        f"select channel, {market_rev}conversion_date as date, sum({measure})::double as revenue "
        "from marts.fct_attribution where model = ? and conversion_date <= ? group by all",
        [model, as_of.date()]).df()
    keys = ["channel", "market", "date"] if by_market else ["channel", "date"]
    own = {ch: storefront_calibration(con, ch, store, as_of) for ch, store in STOREFRONT_OF_CHANNEL.items()
           if ch in set(spend["channel"]) and ch not in set(rev.loc[rev["revenue"] > 0, "channel"])}
    rev, channel_sources = _add_calibrated_platform_revenue(spend, rev, source, keys, own)
    daily = spend.drop(columns="claimed").merge(rev, on=keys, how="left").fillna({"revenue": 0.0})
    daily["date"] = pd.to_datetime(daily["date"])
    if lookback_days:
        daily = daily.loc[daily["date"] > as_of - pd.Timedelta(days=lookback_days)]
    daily.attrs["channel_sources"] = channel_sources
    return daily, source


def _has_incremental_revenue(con, model: str) -> bool:
    """fct_attribution has incremental_attributed_revenue for `model` (the baseline shares exist)."""
    columns = {r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = 'marts' "
        "and table_name = 'fct_attribution'").fetchall()}
    if "incremental_attributed_revenue" not in columns:
        return False
    return bool(con.execute("select count(*) from marts.fct_attribution where model = ? "
                            "and incremental_attributed_revenue is not null", [model]).fetchone()[0])


STOREFRONT_OF_CHANNEL = {"amazon_ads": "amazon"}
"""Paid channels without user-level touchpoints whose sales land on a storefront of their own (the
fct_orders.sales_channel their orders carry): their revenue per dollar is read from that storefront's sales."""


def storefront_calibration(con, channel: str, storefront: str, as_of: pd.Timestamp) -> tuple[float | None, str]:
    """(incremental revenue / platform claims, how it was found) for `channel` from its storefront's own daily sales
    (analytics/budget/storefront.py: the two-way fixed-effects slope of the storefront's daily net revenue on the
    channel's daily spend, per market and day), times total spend over total claims; (None, why) when the slope is
    not usable or the platform claims nothing."""
    if not table_exists(con, "marts", "fct_orders"):
        return None, f"its {storefront} sales: marts.fct_orders is not built"
    daily = con.execute("""
        with spend as (
            select country_code as market, date_day as day, sum(spend)::double as spend,
                   sum(platform_conversion_value)::double as claimed
            from marts.fct_ad_performance_daily
            where channel = ? and date_day <= ?
            group by all
        ),
        sales as (
            select shipping_country_code as market, order_date as day, sum(net_revenue)::double as revenue
            from marts.fct_orders
            where not is_cancelled and sales_channel = ? and order_date <= ?
            group by all
        )
        select spend.market, spend.day, spend.spend, spend.claimed, coalesce(sales.revenue, 0.0) as revenue
        from spend
        left join sales on spend.market = sales.market and spend.day = sales.day
    """, [channel, as_of.date(), storefront, as_of.date()]).df()
    estimate = revenue_per_dollar(daily)
    claimed = float(daily["claimed"].sum()) if len(daily) else 0.0
    if not estimate.usable:
        return None, f"its {storefront} sales: {estimate.reason}"
    if claimed <= 0:
        return None, f"its {storefront} sales: {estimate.reason}, but the platform claims no revenue to scale"
    ratio = estimate.revenue_per_dollar * float(daily["spend"].sum()) / claimed
    return ratio, f"its {storefront} sales, same day: {estimate.reason}"


def _add_calibrated_platform_revenue(spend: pd.DataFrame, rev: pd.DataFrame, source: str,
                                     keys=("channel", "date"),
                                     own: dict[str, tuple[float | None, str]] | None = None,
                                     ) -> tuple[pd.DataFrame, dict[str, str]]:
    """Revenue for paid channels that have spend but no user-level touchpoints (Amazon Ads: its clicks happen on
    Amazon, so no path holds them and fct_attribution gives them nothing — a curve on zero revenue would pause the
    channel). Their platform-claimed conversion value is scaled by `own[channel]` (incremental revenue / claims from
    the channel's own storefront, `storefront_calibration`) when usable, else deflated by the ratio of our attributed
    revenue to the platforms' claims, pooled over the channels that have both (platforms over-count: the marts show
    each channel's over-count ratio). ``spend``: channel, date, spend, claimed (platform conversion value, null when
    the platform reports none); `keys`: the series' key columns (channel, [market,] date). Returns (revenue with those
    channels added, {channel: revenue source})."""
    own = own or {}
    attributed = set(rev.loc[rev["revenue"] > 0, "channel"])
    missing = sorted(set(spend.loc[spend["spend"] > 0, "channel"]) - attributed)
    sources = {ch: source for ch in attributed}
    if not missing:
        return rev, sources
    keys = list(keys)
    claimed = spend.loc[spend["claimed"].notna(), [*keys, "claimed"]]
    by_channel = claimed.groupby("channel")["claimed"].sum()
    ours = rev.groupby("channel")["revenue"].sum()
    both = sorted(c for c in by_channel.index if c in attributed and by_channel[c] > 0)
    pooled = float(ours.reindex(both).sum() / by_channel.reindex(both).sum()) if both else None
    ratios = {}
    for ch in missing:
        ratio, how = own.get(ch, (None, ""))
        fallback = f"; {how}" if how else ""
        if ratio is not None:
            ratios[ch], sources[ch] = ratio, f"platform-claimed x {ratio:.3f} ({how})"
        elif pooled is not None:
            ratios[ch] = pooled
            sources[ch] = f"platform-claimed x {pooled:.3f} ({source} / claimed on {', '.join(both)}{fallback})"
        else:
            sources[ch] = f"none: no user-level touchpoints and no channel to calibrate platform claims on{fallback}"
    extra = claimed.loc[claimed["channel"].isin(list(ratios))]
    extra = extra.assign(revenue=extra["claimed"] * extra["channel"].map(ratios).astype(float))
    for ch in ratios:
        if ch not in set(extra["channel"]):
            sources[ch] = "none: no user-level touchpoints, no platform claims"
    return pd.concat([rev, extra[[*keys, "revenue"]]], ignore_index=True), sources


_STRENGTH = {"hold": 0, "cut": 1, "pause": 2}


def _present(value) -> bool:
    return value is not None and not (isinstance(value, float) and np.isnan(value)) and str(value) != ""


def _budget_action(suggested_action) -> str | None:
    """The budget action a breach's `suggested_action` asks for (None: not a budget action, e.g. refresh creative)."""
    text = str(suggested_action or "").lower()
    for action in ("pause", "cut", "hold"):
        if action in text:
            return action
    return None


def _breach_text(r: dict) -> str:
    where = f" in {r['market']}" if _present(r.get("market")) else ""
    value = r.get("metric_value")
    value = f"{value:,.2f}" if _present(value) else "?"
    window = f" over {int(r['window_days'])} days" if _present(r.get("window_days")) else ""
    return (f"{r.get('metric', 'metric')}{where} {value} {r.get('comparator') or 'vs'} threshold "
            f"{r.get('threshold')}{window} ({r.get('rule_id', 'rule')}: {r.get('suggested_action') or 'review'})")


def brand_rules(con) -> tuple[list[dict], list[dict], dict[str, list[str]]]:
    """The brand's rules from marts.fct_threshold_breaches (if built), for a channel-level plan.

    Returns (channel holds, market rules, channel notes):
    - a breach with a channel and no market whose suggested action is a budget action (``cut spend`` -> cut,
      ``pause`` -> pause, ``hold`` -> hold) holds that whole channel; several breaches on one channel: the strictest
      action, all reasons;
    - a breach with a channel and a market (CAC over target for meta in IT) is a market rule of that channel only:
      it acts on the channel's share of spend in that market (see `market_bounds`), not on the whole channel;
    - a breach without a channel (a market or region, e.g. a logistics disruption: ``pause ads in region``) is a
      market rule, applied to each channel's share of spend there (see `market_bounds`);
    - any other breach (audit tracking, refresh creative) changes no spend and is only noted on its channel.
    """
    if not table_exists(con, "marts", "fct_threshold_breaches"):
        return [], [], {}
    holds: dict[str, dict] = {}
    markets: dict[str, dict] = {}
    notes: dict[str, list[str]] = {}
    for r in con.execute("select * from marts.fct_threshold_breaches").df().to_dict("records"):
        action, text = _budget_action(r.get("suggested_action")), _breach_text(r)
        channel, market = r.get("channel"), r.get("market")
        if _present(channel) and _present(market) and action is not None:
            # a channel x market breach (CAC too high for meta in IT) acts on that channel's spend there only
            key = (channel, market)
            m = markets.setdefault(key, {"market": market, "channel": channel, "action": action, "reasons": []})
            if _STRENGTH[action] > _STRENGTH[m["action"]]:
                m["action"] = action
            m["reasons"].append(text)
        elif _present(channel):
            if action is None:
                notes.setdefault(channel, []).append(f"note, no budget change: {text}")
                continue
            h = holds.setdefault(channel, {"channel": channel, "action": action, "reasons": []})
            if _STRENGTH[action] > _STRENGTH[h["action"]]:
                h["action"] = action
            h["reasons"].append(text)
        elif _present(market) and action is not None:
            m = markets.setdefault(market, {"market": market, "action": action, "reasons": []})
            if _STRENGTH[action] > _STRENGTH[m["action"]]:
                m["action"] = action
            m["reasons"].append(text)
    channel_holds = [{"channel": h["channel"], "action": h["action"], "reason": "; ".join(h["reasons"])}
                     for h in holds.values()]
    market_rules = [{"market": m["market"], "channel": m.get("channel"), "action": m["action"],
                     "reason": "; ".join(m["reasons"])} for m in markets.values()]
    return channel_holds, market_rules, notes


def _regions(con) -> dict[str, list[str]]:
    if not table_exists(con, "marts", "dim_markets"):
        return {}
    return (con.execute("select region, country_code from marts.dim_markets").df()
            .groupby("region")["country_code"].agg(list).to_dict())


def rules_by_country(market_rules: list[dict], channel: str, regions: dict[str, list[str]]) -> dict[str, dict]:
    """The market rules that apply to `channel` (its own and the channel-less ones), the strongest per country
    (a rule's market is a country code or a region of marts.dim_markets)."""
    out: dict[str, dict] = {}
    for rule in market_rules:
        if _present(rule.get("channel")) and rule["channel"] != channel:
            continue
        for country in regions.get(rule["market"], [rule["market"]]):
            old = out.get(country)
            if old is None or _STRENGTH[rule["action"]] > _STRENGTH[old["action"]]:
                out[country] = rule
    return out


def rule_level(action: str, max_change: float) -> float:
    """The fraction of current spend a market rule leaves: pause 0, cut 1 - max_change, hold 1."""
    return {"pause": 0.0, "cut": 1 - max_change, "hold": 1.0}[action]


def market_bounds(con, as_of: pd.Timestamp, curves, market_rules: list[dict], max_change: float,
                  window_days: int = 30) -> tuple[dict, dict[str, list[str]]]:
    """Per-channel spend bounds that apply market rules to a channel-level plan.

    Each channel's current daily spend is split by its share s in the rule's countries (`rules_by_country`) over
    the last `window_days` days: that part is paused (0), cut (to 1 - max_change of it) or held (kept), and only
    the rest moves within +-max_change. Approximation: the channel's one response curve is used for its remaining
    spend. Returns ({channel: (lower, upper)}, {channel: notes})."""
    if not market_rules:
        return {}, {}
    regions = _regions(con)
    spend = con.execute(
        "select channel, country_code, sum(spend)::double as spend from marts.fct_ad_performance_daily "
        "where date_day <= ? and date_day > ? group by all",
        [as_of.date(), (as_of - pd.Timedelta(days=window_days)).date()]).df()
    bounds, notes = {}, {}
    for key, curve in curves.items():
        channel = key[0] if isinstance(key, tuple) else key
        sp = spend.loc[spend["channel"] == channel]
        total = float(sp["spend"].sum())
        if total <= 0:
            continue
        current = float(curve.current_daily_spend)
        fixed, free = 0.0, 1.0
        country_rule = rules_by_country(market_rules, channel, regions)
        for rule in market_rules:
            countries = [c for c, r in country_rule.items() if r is rule]
            share = float(sp.loc[sp["country_code"].isin(countries), "spend"].sum()) / total
            if share <= 0:
                continue
            free -= share
            fixed += rule_level(rule["action"], max_change) * share * current
            notes.setdefault(channel, []).append(
                f"{rule['action']} in {rule['market']} ({rule['reason']}): its {share:.1%} of this channel's spend "
                + {"pause": "is paused", "cut": f"is cut by {max_change:.0%}", "hold": "is held"}[rule["action"]])
        if free < 1.0:
            free = max(free, 0.0)
            bounds[key] = (fixed + (1 - max_change) * free * current, fixed + (1 + max_change) * free * current)
    return bounds, notes


def add_extra_rules(channel_holds: list[dict], market_rules: list[dict], extra: list | None) -> None:
    """Sort configured rules ({channel|market, action, reason} dicts) into `brand_rules`' two lists, in place: a rule
    with a channel and no market holds the whole channel, any other is a market rule."""
    for rule in extra or []:
        is_channel_hold = _present(rule.get("channel")) and not _present(rule.get("market"))
        (channel_holds if is_channel_hold else market_rules).append(dict(rule))


def rules_by_cell(con, channels, extra_rules: list | None = None) -> dict[tuple[str, str], dict]:
    """{(channel, country): rule} for every channel x country a brand rule fixes (`brand_rules` + `extra_rules`),
    plus {(channel, "*"): rule} for a whole-channel rule, which also covers every country the map names for that
    channel; the strongest rule wins per cell (pause > cut > hold)."""
    holds, market_rules, _ = brand_rules(con)
    add_extra_rules(holds, market_rules, extra_rules)
    out: dict[tuple[str, str], dict] = {}

    def put(key, rule):
        if key not in out or _STRENGTH[rule["action"]] > _STRENGTH[out[key]["action"]]:
            out[key] = rule

    for h in holds:
        put((h["channel"], "*"), h)
    regions = _regions(con)
    for channel in channels:
        for country, rule in rules_by_country(market_rules, channel, regions).items():
            put((channel, country), rule)
            if (channel, "*") in out:
                put((channel, country), out[(channel, "*")])
    return out


def rule_levels(con, channels, max_change: float = 0.30) -> dict[tuple[str, str], float]:
    """{(channel, country): fraction of current spend left} for every channel x country a brand rule fixes
    (`rules_by_country`), whole-channel rules as (channel, "*"). What an evaluation needs to hold an oracle to the
    same rules as the plan."""
    return {key: rule_level(rule["action"], max_change) for key, rule in rules_by_cell(con, channels).items()}


def build_budget_suggestions(con, as_of_date, *, total_budget: float | None = None, max_change: float = 0.30,
                             objective: str = "revenue", holds: list | None = None, apply_rules: bool = True,
                             by_market: bool = True, written_plan: bool = False, **_) -> pd.DataFrame:
    """One row per paid channel.

    By default the channel x market plan (`build_budget_suggestions_by_market`, the same arguments) summed per
    channel (`budget_by_market.channel_rollup`): one allocation, so the two tables always agree, and each rule acts
    on exactly its cells. Measured against the simulator's true curves, that plan summed per channel beats a plan
    fitted per channel even when both are scored as channel plans (docs/ml.md, section 6).

    When the plan by market cannot be built (`by_market=False`, or too little data per market), the channel-level
    fit: adstock + Hill curve on daily spend vs attributed revenue (its own where its data identify it, else the
    shape pooled over all channels: `analytics.budget.pooled`); allocation of the total budget (default: the sum
    of each channel's mean daily spend over the last 30 days) within +-max_change and the brand's rules
    (`brand_rules`, plus `holds`: {channel|market, action, reason} dicts).

    The total is preserved: budget freed by holds/cuts/market pauses goes to the other channels within their
    bounds. When their upper bounds cannot take it all, the rest is left unallocated: `total_budget` stays the
    budget, sum(suggested_daily_spend) is lower, and every row's reason states the unallocated amount.
    `apply_rules=False` ignores the brand's rules and `holds` (what the curves alone suggest; the evaluation scores
    it against an unruled oracle). `written_plan=True` (the Dagster asset, which runs after the plan by market's)
    sums the plan already written to ml.budget_suggestions_by_market instead of building it again; the other
    arguments then do not apply."""
    from analytics.budget import fit_response_curves, optimise_allocation
    from analytics.budget.pooled import combine_curves, fit_pooled_response_curves

    as_of = _as_of(as_of_date)
    fallback = "by_market=False"
    if by_market:
        from orchestration.defs.ml.budget_by_market import channel_rollup

        plan = (con.execute(f"select * from {ML_SCHEMA}.budget_suggestions_by_market").df()
                if written_plan and table_exists(con, ML_SCHEMA, "budget_suggestions_by_market") else None)
        if plan is None or plan.empty:
            try:
                plan = build_budget_suggestions_by_market(
                    con, as_of, total_budget=total_budget, max_change=max_change, objective=objective, holds=holds,
                    apply_rules=apply_rules)
            except InsufficientDataError as exc:
                plan, fallback = None, f"no plan by market: {exc}"
        if plan is not None and len(plan):
            out = channel_rollup(plan)
            notes = brand_rules(con)[2] if apply_rules else {}
            out["reason"] = [r + "".join(f"; {n}" for n in notes.get(ch, [])) for r, ch in
                             zip(out["reason"], out["channel"])]
            return _select(_stamp(out, as_of), "budget_suggestions")
    daily, source = attributed_daily(con, as_of)
    curves = fit_response_curves(daily, by=("channel",), current_window_days=30)
    if len(curves) >= 2:  # a channel whose own days do not identify its curve gets the pooled shape
        curves = combine_curves(curves, fit_pooled_response_curves(daily, by=("channel",), current_window_days=30))
    if not curves:
        raise InsufficientDataError(f"budget: no channel could be fitted ({getattr(curves, 'skipped', {})})")
    channel_holds, market_rules, notes = brand_rules(con) if apply_rules else ([], [], {})
    add_extra_rules(channel_holds, market_rules, holds if apply_rules else None)
    bounds, market_notes = market_bounds(con, as_of, curves, market_rules, max_change)
    alloc = optimise_allocation(curves, total_budget, bounds or None, holds=channel_holds or None,
                                max_change=max_change, objective=objective, key_names=("channel",))
    out = alloc.reset_index() if "channel" not in alloc.columns else alloc.copy()
    if "channel" not in out.columns:
        out = out.rename(columns={out.columns[0]: "channel"})
    extra = {ch: market_notes.get(ch, []) + notes.get(ch, []) + [f"channel-level fit ({fallback})"]
             for ch in out["channel"]}
    out["reason"] = [r + "".join(f"; {n}" for n in extra[ch]) for r, ch in zip(out["reason"], out["channel"])]
    channel_sources = daily.attrs.get("channel_sources", {})
    out["revenue_source"] = [channel_sources.get(ch, source) for ch in out["channel"]]
    out["total_budget"] = float(alloc.attrs["total_budget"])
    out.attrs.update(alloc.attrs)
    out.attrs["curves"] = curves
    out.attrs["skipped"] = json.dumps(getattr(curves, "skipped", {}), default=str)
    return _select(_stamp(out, as_of), "budget_suggestions")


def build_budget_suggestions_by_market(con, as_of_date, **config) -> pd.DataFrame:
    """The plan per channel x market (orchestration/defs/ml/budget_by_market.py)."""
    from orchestration.defs.ml.budget_by_market import build_budget_suggestions_by_market as build

    return build(con, as_of_date, **config)


BUILDERS = {
    "customer_scores": build_customer_scores,
    "clv_model_params": build_clv_model_params,
    "churn_model_quality": build_churn_model_quality,
    "segments": build_segments,
    "experiment_results": build_experiment_results,
    "kpi_anomalies": build_kpi_anomalies,
    "forecasts": build_forecasts,
    "budget_suggestions": build_budget_suggestions,
    "budget_suggestions_by_market": build_budget_suggestions_by_market,
}


def run_builder(con, table: str, as_of_date, **config) -> tuple[pd.DataFrame, str]:
    """Build one table; on InsufficientDataError return the empty table and the message (never raises it)."""
    try:
        df = BUILDERS[table](con, as_of_date, **config)
        return df, str(df.attrs.get("note", ""))
    except InsufficientDataError as exc:
        return empty_table(table, str(exc)), str(exc)


__all__ = ["BUILDERS", "COLUMNS", "ML_SCHEMA", "empty_table", "run_builder", "table_exists", "write_table"]
