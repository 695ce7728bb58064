"""The shared output grain: conversion × touchpoint × model → credit and attributed revenue."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .paths import CONVERSION_COLUMNS, _as_pandas, _require, per_conversion

ATTRIBUTION_COLUMNS = ("conversion_id", "touchpoint_id", "channel", "model", "credit", "attributed_revenue")
MODEL_NAMES = ("first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based",
               "markov", "shapley")
MODEL_DTYPE = pd.CategoricalDtype(MODEL_NAMES)
"""``model`` is categorical over all eight names, so frames of different models concatenate compactly."""


def split_channel_weights(tp: pd.DataFrame, weight: np.ndarray) -> np.ndarray:
    """Touchpoint credits from a channel weight per (conversion, channel); ``tp`` from
    :func:`~.paths.ordered_touchpoints`.

    ``weight[row]`` is the weight of the row's channel *within its conversion* (equal on every row of
    the same conversion and channel). The conversion's channel credit is its weight divided by the sum
    of weights over the distinct channels of that conversion; it is then split equally over the
    conversion's touchpoints of that channel (DESIGN §7), so credits per conversion sum to 1.
    Negative weights count as 0; a conversion whose channels all weigh 0 is split equally over its
    distinct channels (then equally over touchpoints) rather than dropped.
    """
    weight = np.clip(np.nan_to_num(np.asarray(weight, dtype=np.float64)), 0.0, None)
    group = tp["conversion_index"].to_numpy()
    channel, names = pd.factorize(tp["channel"])
    n_groups = int(group.max()) + 1 if len(group) else 0
    pair = group.astype(np.int64) * max(len(names), 1) + channel  # (conversion, channel) as one integer
    n_same = np.bincount(pair, minlength=n_groups * len(names)).astype(np.float64)[pair]
    denominator = np.bincount(group, weights=weight / n_same, minlength=n_groups)[group]
    n_channels = np.bincount(group, weights=1.0 / n_same, minlength=n_groups)[group]
    positive = denominator > 0
    channel_credit = np.where(positive, weight / np.where(positive, denominator, 1.0), 1.0 / n_channels)
    return channel_credit / n_same


def credit_frame(tp: pd.DataFrame, credit: np.ndarray, model: str, conversions=None) -> pd.DataFrame:
    """Assemble the output grain from ordered touchpoints; ``attributed_revenue`` = credit × conversion
    value (NaN without ``conversions``)."""
    out = tp[["conversion_id", "touchpoint_id", "channel"]].copy()
    out["model"] = pd.Categorical.from_codes(np.full(len(out), MODEL_NAMES.index(model), dtype=np.int8),
                                             dtype=MODEL_DTYPE)
    out["credit"] = np.asarray(credit, dtype=np.float64)
    if conversions is None:
        out["attributed_revenue"] = np.nan
        return out
    conv = _as_pandas(conversions)
    _require(conv, CONVERSION_COLUMNS, "conversions")
    value = np.asarray(per_conversion(tp, "conversion_value", conv), dtype=np.float64)
    out["attributed_revenue"] = out["credit"].to_numpy() * value
    return out
