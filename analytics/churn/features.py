"""Churn features and labels at a cutoff date, built only from orders on or before the cutoff."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.clv.errors import InsufficientDataError, require_columns

BASE_FEATURES = [
    "recency_days",
    "tenure_days",
    "frequency",
    "order_days",
    "monetary_total",
    "monetary_mean",
    "orders_last_30d",
    "orders_last_90d",
    "revenue_last_90d",
    "mean_days_between_orders",
    "recency_over_mean_gap",
]


def _prepare(orders: pd.DataFrame, customer_col, date_col, value_col, channel_col) -> pd.DataFrame:
    cols = [customer_col, date_col, value_col] + ([channel_col] if channel_col else [])
    require_columns(orders, cols, "churn features")
    dates = pd.to_datetime(orders[date_col], errors="coerce")
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_convert("UTC").dt.tz_localize(None)
    out = pd.DataFrame(
        {
            "customer_id": orders[customer_col].to_numpy(),
            "day": dates.dt.normalize().to_numpy(),
            "value": pd.to_numeric(orders[value_col], errors="coerce").fillna(0.0).to_numpy(dtype=float),
        }
    )
    if channel_col:
        out["channel"] = orders[channel_col].astype("string").fillna("unknown").to_numpy()
    return out.dropna(subset=["customer_id", "day"])


ACTIVITY_COLUMNS = ["customer_id", "date", "kind", "count"]
NO_ACTIVITY_DAYS = 365.0  # days_since_last_<kind> of a customer with no such activity up to the cutoff


def activity_features(activity: pd.DataFrame, customers, cutoff, kinds: list[str]) -> pd.DataFrame:
    """Per customer and activity kind (e.g. sessions, email_opens): counts in the last 30 / 90 days before the
    cutoff and days since the last one (`NO_ACTIVITY_DAYS` when none). Only activity dated on or before the cutoff
    is read. `activity` has columns customer_id, date, kind, count (one row per customer, day and kind)."""
    require_columns(activity, ACTIVITY_COLUMNS, "activity features")
    cutoff_ts = pd.Timestamp(cutoff).normalize()
    dates = pd.to_datetime(activity["date"], errors="coerce").dt.normalize()
    days_before = (cutoff_ts - dates).dt.days
    a = activity.assign(days_before=days_before)
    a = a[(a["days_before"] >= 0) & a["kind"].isin(kinds)]
    a = a.assign(n30=np.where(a["days_before"] < 30, a["count"], 0), n90=np.where(a["days_before"] < 90, a["count"], 0))
    g = a.groupby(["customer_id", "kind"]).agg(n30=("n30", "sum"), n90=("n90", "sum"), since=("days_before", "min"))
    out = pd.DataFrame(index=pd.Index(customers, name="customer_id"))
    for kind in kinds:
        k = g.xs(kind, level="kind") if kind in g.index.get_level_values("kind") else g.iloc[0:0].droplevel("kind")
        k = k.reindex(out.index)
        out[f"{kind}_last_30d"] = k["n30"].fillna(0).astype(float).to_numpy()
        out[f"{kind}_last_90d"] = k["n90"].fillna(0).astype(float).to_numpy()
        out[f"days_since_last_{kind}"] = k["since"].fillna(NO_ACTIVITY_DAYS).clip(upper=NO_ACTIVITY_DAYS).astype(float).to_numpy()
    return out


def build_features(
    orders: pd.DataFrame,
    cutoff,
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    value_col: str = "value",
    channel_col: str | None = None,
    channels: list[str] | None = None,
    activity: pd.DataFrame | None = None,
    activity_kinds: list[str] | None = None,
    cutoff_features=None,
) -> pd.DataFrame:
    """One row per customer with at least one order on or before `cutoff` (end of that day).

    Only orders dated on or before the cutoff are read, so the features cannot see the
    label window (this is the no-leakage guarantee, tested). Features: recency, tenure,
    order count and order days, total and mean value, activity in the last 30/90 days,
    mean gap between order days and recency relative to it; with `channel_col`, the
    share of the customer's orders per channel (``channel_share_<name>``) over `channels`
    (default: channels seen up to the cutoff); with `activity` (customer_id, date, kind, count: sessions, e-mail
    opens, ...), recent counts and days since the last one per kind (`activity_features`; kinds default to those in
    the table); with `cutoff_features`, a callable `cutoff -> DataFrame` indexed by customer id whose columns are
    joined as more features (0 where a customer has none). The callable is trusted to read nothing after the
    cutoff (e.g. `analytics.clv.engaged.engaged_cutoff_features`, tested for that). Raises `InsufficientDataError`
    when no order falls on or before the cutoff.
    """
    cutoff_ts = pd.Timestamp(cutoff).normalize()
    data = _prepare(orders, customer_col, date_col, value_col, channel_col)
    data = data[data["day"] <= cutoff_ts]
    if data.empty:
        raise InsufficientDataError(f"build_features: no orders on or before the cutoff {cutoff_ts.date()}")

    days_before = (cutoff_ts - data["day"]).dt.days.to_numpy()
    data = data.assign(
        days_before=days_before,
        in_30=(days_before < 30).astype(int),
        in_90=(days_before < 90).astype(int),
        value_90=np.where(days_before < 90, data["value"].to_numpy(), 0.0),
    )
    g = data.groupby("customer_id", sort=True)
    feats = pd.DataFrame(
        {
            "recency_days": g["days_before"].min(),
            "tenure_days": g["days_before"].max(),
            "frequency": g.size(),
            "order_days": g["day"].nunique(),
            "monetary_total": g["value"].sum(),
            "monetary_mean": g["value"].mean(),
            "orders_last_30d": g["in_30"].sum(),
            "orders_last_90d": g["in_90"].sum(),
            "revenue_last_90d": g["value_90"].sum(),
        }
    )
    span = feats["tenure_days"] - feats["recency_days"]
    gaps = span / (feats["order_days"] - 1).where(feats["order_days"] > 1)
    # single-purchase customers: no gap observed; use their tenure (they have waited that long)
    feats["mean_days_between_orders"] = gaps.fillna(feats["tenure_days"]).astype(float)
    feats["recency_over_mean_gap"] = feats["recency_days"] / np.maximum(feats["mean_days_between_orders"], 1.0)

    if channel_col:
        known = sorted(data["channel"].unique()) if channels is None else list(channels)
        counts = pd.crosstab(data["customer_id"], data["channel"])
        shares = counts.div(counts.sum(axis=1), axis=0).reindex(columns=known, fill_value=0.0)
        shares.columns = [f"channel_share_{c}" for c in shares.columns]
        feats = feats.join(shares).fillna({c: 0.0 for c in shares.columns})

    if activity is not None:
        kinds = sorted(activity["kind"].dropna().unique()) if activity_kinds is None else list(activity_kinds)
        feats = feats.join(activity_features(activity, feats.index, cutoff_ts, kinds))

    if cutoff_features is not None:
        extra = cutoff_features(cutoff_ts)
        feats = feats.join(extra).fillna({c: 0.0 for c in extra.columns})

    feats = feats.reset_index().rename(columns={"customer_id": customer_col})
    feats.insert(1, "cutoff_date", cutoff_ts)
    return feats


def build_labels(
    orders: pd.DataFrame,
    customers,
    cutoff,
    horizon_days: int,
    *,
    data_end=None,
    customer_col: str = "customer_id",
    date_col: str = "date",
) -> pd.Series:
    """``churned`` = 1 when the customer has no order in (cutoff, cutoff + horizon_days].

    `data_end` (default: the last order date) must cover the whole label window,
    otherwise `InsufficientDataError` is raised: a half-observed window would mark
    active customers as churned.
    """
    require_columns(orders, [customer_col, date_col], "build_labels")
    cutoff_ts = pd.Timestamp(cutoff).normalize()
    window_end = cutoff_ts + pd.Timedelta(days=int(horizon_days))
    dates = pd.to_datetime(orders[date_col], errors="coerce")
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_convert("UTC").dt.tz_localize(None)
    dates = dates.dt.normalize()
    end = pd.Timestamp(data_end).normalize() if data_end is not None else dates.max()
    if pd.isna(end) or end < window_end:
        raise InsufficientDataError(
            f"build_labels: the label window ends {window_end.date()} but the data end at "
            f"{None if pd.isna(end) else end.date()}; move the cutoff earlier or shorten the horizon"
        )
    in_window = (dates > cutoff_ts) & (dates <= window_end)
    active = pd.Index(pd.unique(orders.loc[in_window.to_numpy(), customer_col]))
    customers = pd.Index(customers)
    return pd.Series((~customers.isin(active)).astype(int), index=customers, name="churned")


def build_training_frame(
    orders: pd.DataFrame,
    cutoff,
    horizon_days: int,
    *,
    data_end=None,
    customer_col: str = "customer_id",
    date_col: str = "date",
    value_col: str = "value",
    channel_col: str | None = None,
    channels: list[str] | None = None,
    activity: pd.DataFrame | None = None,
    activity_kinds: list[str] | None = None,
    cutoff_features=None,
) -> pd.DataFrame:
    """Features at `cutoff` joined with the churn label over the following `horizon_days`."""
    feats = build_features(
        orders, cutoff, customer_col=customer_col, date_col=date_col, value_col=value_col,
        channel_col=channel_col, channels=channels, activity=activity, activity_kinds=activity_kinds,
        cutoff_features=cutoff_features,
    )
    labels = build_labels(
        orders, feats[customer_col], cutoff, horizon_days, data_end=data_end,
        customer_col=customer_col, date_col=date_col,
    )
    feats["churned"] = labels.to_numpy()
    return feats


def time_based_split(
    orders: pd.DataFrame,
    as_of,
    horizon_days: int,
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    value_col: str = "value",
    channel_col: str | None = None,
    activity: pd.DataFrame | None = None,
    activity_kinds: list[str] | None = None,
    cutoff_features=None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Out-of-time split: train at as_of - 2N (labels up to as_of - N), holdout at as_of - N (labels up to as_of).

    Both label windows end on or before `as_of`, so nothing after `as_of` is used.
    The same customer can appear in both frames at different cutoffs; what is held
    out is the later period. Channel columns are fixed from the training cutoff.
    """
    as_of_ts = pd.Timestamp(as_of).normalize()
    n = int(horizon_days)
    train_cutoff = as_of_ts - pd.Timedelta(days=2 * n)
    test_cutoff = as_of_ts - pd.Timedelta(days=n)
    kwargs = dict(customer_col=customer_col, date_col=date_col, value_col=value_col, channel_col=channel_col,
                  activity=activity, activity_kinds=activity_kinds, cutoff_features=cutoff_features)
    train = build_training_frame(orders, train_cutoff, n, data_end=as_of_ts, **kwargs)
    channels = [c.removeprefix("channel_share_") for c in train.columns if c.startswith("channel_share_")]
    holdout = build_training_frame(
        orders, test_cutoff, n, data_end=as_of_ts, channels=channels or None, **kwargs
    )
    return train, holdout


def latest_training_frame(orders: pd.DataFrame, as_of, horizon_days: int, **feature_options) -> pd.DataFrame:
    """The most recent fully observed window: features at as_of - N, labels over (as_of - N, as_of].

    This is what the scoring model is refit on once `time_based_split` has measured the
    approach out of time: its customers' tenure and recency are the closest to those scored
    at `as_of` (a model fitted at as_of - 2N has only seen shorter histories). Nothing after
    `as_of` is read. `feature_options`: the column names, channels and activity of
    `build_training_frame`.
    """
    as_of_ts = pd.Timestamp(as_of).normalize()
    n = int(horizon_days)
    return build_training_frame(orders, as_of_ts - pd.Timedelta(days=n), n, data_end=as_of_ts, **feature_options)
