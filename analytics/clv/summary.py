"""Turn any transaction table into the per-customer RFM summary the BG/NBD and Gamma-Gamma models need."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.clv.errors import InsufficientDataError, require_columns

SUMMARY_COLUMNS = ["frequency", "recency", "T", "monetary"]


def _as_timestamp(value, name: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise InsufficientDataError(f"{name}={value!r} is not a date") from exc
    if ts is pd.NaT:
        raise InsufficientDataError(f"{name} is missing")
    return ts.tz_localize(None) if ts.tzinfo is not None else ts


def _daily_transactions(
    df: pd.DataFrame, customer_col: str, date_col: str, value_col: str | None
) -> pd.DataFrame:
    """One row per customer and calendar day, value summed (same-day orders are one transaction)."""
    dates = pd.to_datetime(df[date_col], errors="coerce")
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_convert("UTC").dt.tz_localize(None)
    out = pd.DataFrame(
        {
            "customer_id": df[customer_col].to_numpy(),
            "day": dates.dt.normalize().to_numpy(),
            "value": (
                pd.to_numeric(df[value_col], errors="coerce").fillna(0.0).to_numpy(dtype=float)
                if value_col is not None
                else np.zeros(len(df))
            ),
        }
    )
    out = out.dropna(subset=["customer_id", "day"])
    return out.groupby(["customer_id", "day"], sort=True, observed=True)["value"].sum().reset_index()


def summarise_transactions(
    transactions: pd.DataFrame,
    as_of,
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    value_col: str | None = "value",
    time_unit_days: float = 1.0,
) -> pd.DataFrame:
    """Per-customer frequency / recency / T / monetary at `as_of` from a transaction table.

    One row per customer with at least one transaction on or before `as_of`
    (later rows are ignored, so the same table can feed a calibration/holdout split).

    - Transactions on the same calendar day are one transaction (their values summed),
      the convention of Fader, Hardie & Lee (2005) and of `lifetimes`.
    - ``frequency`` = number of *repeat* transaction days (days with a transaction minus one).
    - ``recency`` = time from first to last transaction; ``T`` = time from first transaction
      to `as_of`; both in units of `time_unit_days` days (1 = days, 7 = weeks).
    - ``monetary`` = mean value of the repeat transactions only (0 when frequency is 0),
      the input the Gamma-Gamma model expects.

    Works on any table with a customer id, a date/timestamp and a value column, e.g. the
    public CDNOW sample (see docs/ml.md). Timezone-aware timestamps are compared in UTC.
    Raises `InsufficientDataError` when no transaction falls on or before `as_of`.
    """
    cols = [customer_col, date_col] + ([value_col] if value_col is not None else [])
    require_columns(transactions, cols, "summarise_transactions")
    if time_unit_days <= 0:
        raise ValueError("time_unit_days must be positive")
    as_of_ts = _as_timestamp(as_of, "as_of").normalize()

    daily = _daily_transactions(transactions, customer_col, date_col, value_col)
    daily = daily[daily["day"] <= as_of_ts]
    if daily.empty:
        raise InsufficientDataError(
            f"summarise_transactions: no transactions with a valid date on or before {as_of_ts.date()}"
        )

    # daily is sorted by (customer_id, day): the first row of each block is the first purchase.
    codes, uniques = pd.factorize(daily["customer_id"], sort=False)
    n_days = np.bincount(codes)
    starts = np.r_[0, np.cumsum(n_days)[:-1]]
    ends = starts + n_days - 1
    day_ns = daily["day"].to_numpy(dtype="datetime64[ns]").astype(np.int64)
    values = daily["value"].to_numpy(dtype=float)
    total_value = np.bincount(codes, weights=values)

    ns_per_unit = 86_400e9 * time_unit_days
    first = day_ns[starts]
    frequency = n_days - 1
    recency = (day_ns[ends] - first) / ns_per_unit
    age = (as_of_ts.value - first) / ns_per_unit
    with np.errstate(invalid="ignore", divide="ignore"):
        monetary = np.where(frequency > 0, (total_value - values[starts]) / np.maximum(frequency, 1), 0.0)

    return pd.DataFrame(
        {
            customer_col: uniques,
            "frequency": frequency.astype(np.int64),
            "recency": recency,
            "T": age,
            "monetary": monetary,
            "first_purchase_date": pd.to_datetime(first),
            "total_value": total_value,
        }
    )


def holdout_actuals(
    transactions: pd.DataFrame,
    as_of,
    horizons_days=(90, 180),
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    value_col: str = "value",
) -> pd.DataFrame:
    """Realised orders (transaction days) and value per customer in (as_of, as_of + H] for each H.

    Used to evaluate predictions on a holdout period. Customers without holdout
    transactions do not appear (join with fill 0).
    """
    require_columns(transactions, [customer_col, date_col, value_col], "holdout_actuals")
    as_of_ts = _as_timestamp(as_of, "as_of").normalize()
    daily = _daily_transactions(transactions, customer_col, date_col, value_col)
    daily = daily[daily["day"] > as_of_ts]
    out = pd.DataFrame({customer_col: pd.unique(daily["customer_id"])})
    for h in horizons_days:
        win = daily[daily["day"] <= as_of_ts + pd.Timedelta(days=int(h))]
        agg = win.groupby("customer_id")["value"].agg(["size", "sum"])
        out[f"realised_orders_{h}d"] = out[customer_col].map(agg["size"]).fillna(0).astype(int).to_numpy()
        out[f"realised_revenue_{h}d"] = out[customer_col].map(agg["sum"]).fillna(0.0).to_numpy()
    return out
