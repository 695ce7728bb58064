"""The shared output grain: conversion × touchpoint × model → credit and attributed revenue."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .paths import CONVERSION_COLUMNS, _as_pandas, _require

ATTRIBUTION_COLUMNS = ("conversion_id", "touchpoint_id", "channel", "model", "credit", "attributed_revenue")


def split_channel_weights(tp: pd.DataFrame, weight: np.ndarray) -> np.ndarray:
    """Touchpoint credits from a channel weight per (conversion, channel).

    ``weight[row]`` is the weight of the row's channel *within its conversion* (equal on every row of
    the same conversion and channel). The conversion's channel credit is its weight divided by the sum
    of weights over the distinct channels of that conversion; it is then split equally over the
    conversion's touchpoints of that channel (DESIGN §7), so credits per conversion sum to 1.
    Negative weights count as 0; a conversion whose channels all weigh 0 is split equally over its
    distinct channels (then equally over touchpoints) rather than dropped.
    """
    weight = np.clip(np.nan_to_num(np.asarray(weight, dtype=np.float64)), 0.0, None)
    per_channel = tp.groupby(["conversion_id", "channel"], sort=False)["touchpoint_id"].transform("size")
    n_same = per_channel.to_numpy(dtype=np.float64)
    conv = tp["conversion_id"]
    denominator = pd.Series(weight / n_same, index=tp.index).groupby(conv, sort=False).transform("sum")
    n_channels = pd.Series(1.0 / n_same, index=tp.index).groupby(conv, sort=False).transform("sum")
    denominator = denominator.to_numpy()
    equal = 1.0 / n_channels.to_numpy()
    channel_credit = np.where(denominator > 0, weight / np.where(denominator > 0, denominator, 1.0), equal)
    return channel_credit / n_same


def credit_frame(tp: pd.DataFrame, credit: np.ndarray, model: str, conversions=None) -> pd.DataFrame:
    """Assemble the output grain; ``attributed_revenue`` = credit × conversion value (NaN without values)."""
    out = pd.DataFrame({
        "conversion_id": tp["conversion_id"].to_numpy(),
        "touchpoint_id": tp["touchpoint_id"].to_numpy(),
        "channel": tp["channel"].to_numpy(),
        "model": model,
        "credit": np.asarray(credit, dtype=np.float64),
    })
    if conversions is None:
        out["attributed_revenue"] = np.nan
        return out
    conv = _as_pandas(conversions)
    _require(conv, CONVERSION_COLUMNS, "conversions")
    value = conv.drop_duplicates("conversion_id").set_index("conversion_id")["conversion_value"]
    out["attributed_revenue"] = out["credit"] * out["conversion_id"].map(value).to_numpy(dtype=np.float64)
    return out
