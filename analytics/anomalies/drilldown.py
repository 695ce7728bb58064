"""Which component (market, channel, ...) explains a KPI's deviation from its expected value."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.anomalies.detect import FLAT_NOTE, detect_anomalies
from analytics.clv.errors import InsufficientDataError, require_columns


def largest_contributors(
    components: pd.DataFrame,
    component_cols: list[str] | tuple[str, ...],
    *,
    dates=None,
    value_col: str = "value",
    date_col: str = "date",
    **detector_kwargs,
) -> pd.DataFrame:
    """Decompose the total KPI's deviation on given dates into its components' deviations.

    `components` holds the KPI split by `component_cols` (e.g. market, channel) per day;
    the total is their sum. Each component series gets its own expected value from
    `detect_anomalies` (same settings), and

        deviation_c = value_c - expected_c,  total_deviation = sum_c deviation_c,
        share_of_deviation_c = deviation_c / total_deviation.

    The components are ranked by their deviation in the direction of the total
    deviation; the first is ``is_largest_contributor``. `dates` defaults to the days on
    which the total series itself is flagged. (The sum of component expectations is
    used, not the total's own expectation: medians do not add up, and shares must.)
    Returns an empty frame with ``attrs["note"]`` when there is nothing to explain.
    """
    component_cols = list(component_cols)
    require_columns(components, [date_col, value_col, *component_cols], "largest_contributors")
    if components.empty:
        raise InsufficientDataError("largest_contributors: the input has no rows")
    scored = detect_anomalies(
        components, value_col=value_col, date_col=date_col, series_cols=component_cols, **detector_kwargs
    )
    if dates is None:
        total = components.groupby(date_col, as_index=False)[value_col].sum()
        flagged = detect_anomalies(total, value_col=value_col, date_col=date_col, **detector_kwargs)
        target = flagged.loc[flagged["is_anomaly"], "date"]
    else:
        target = pd.to_datetime(pd.Series(np.atleast_1d(dates))).dt.normalize()
    rows = scored[scored["date"].isin(set(target))].copy()
    cols = ["date", *component_cols, "value", "expected", "deviation", "share_of_deviation", "rank", "is_largest_contributor"]
    if rows.empty:
        out = pd.DataFrame(columns=cols)
        out.attrs["note"] = "no anomalous dates to explain" if dates is None else "no component data on the requested dates"
        return out
    # a component flat at zero expected zero (it has no band, but its whole value is a deviation)
    rows.loc[rows["note"] == FLAT_NOTE, "expected"] = 0.0
    rows["expected"] = rows["expected"].fillna(rows["value"])  # components without a baseline explain nothing
    rows["value"] = rows["value"].fillna(0.0)
    rows["deviation"] = rows["value"] - rows["expected"]
    total_dev = rows.groupby("date")["deviation"].transform("sum")
    rows["share_of_deviation"] = rows["deviation"] / total_dev.where(total_dev != 0)
    direction = np.sign(total_dev).replace(0, 1)
    rows["_signed"] = rows["deviation"] * direction
    rows = rows.sort_values(["date", "_signed"], ascending=[True, False])
    rows["rank"] = rows.groupby("date").cumcount() + 1
    rows["is_largest_contributor"] = rows["rank"] == 1
    return rows[cols].reset_index(drop=True)
