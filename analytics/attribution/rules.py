"""Reference implementations of the six rule-based models — the oracle for the SQL versions.

All work on eligible touchpoints ordered by ``touched_at`` then ``touchpoint_id`` within a conversion
(``n`` = touchpoints of the conversion, positions ``0 … n-1``); credits per conversion sum to 1.

- ``first_touch``: position 0 gets 1.
- ``last_touch``: position ``n-1`` gets 1.
- ``last_non_direct``: the last touchpoint whose channel is not ``direct`` gets 1; a conversion whose
  touchpoints are all ``direct`` credits its last touchpoint (it stays attributable).
- ``linear``: ``1/n`` each.
- ``time_decay``: weight ``2^(-age/half_life)``, ``age`` = days from ``touched_at`` to the conversion's
  ``converted_at`` (to its last touchpoint when ``converted_at`` is not given), normalised per conversion.
- ``position_based`` (40/20/40): ``n=1`` → 1; ``n=2`` → 0.5/0.5; ``n≥3`` → 0.4 first, 0.4 last,
  0.2/(n-2) to each middle touchpoint.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .credits import credit_frame
from .paths import _as_pandas, group_starts, ordered_touchpoints, per_conversion

RULE_MODELS = ("first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based")
DIRECT = "direct"


def _first(tp):
    return (tp["position"].to_numpy() == 0).astype(np.float64)


def _last(tp):
    return (tp["position"].to_numpy() == tp["n_touchpoints"].to_numpy() - 1).astype(np.float64)


def _last_non_direct(tp):
    position = tp["position"].to_numpy()
    candidate = np.where((tp["channel"] != DIRECT).to_numpy(dtype=bool), position, -1)
    chosen = np.maximum.reduceat(candidate, group_starts(tp))[tp["conversion_index"].to_numpy()]
    chosen = np.where(chosen < 0, tp["n_touchpoints"].to_numpy() - 1, chosen)
    return (position == chosen).astype(np.float64)


def _linear(tp):
    return 1.0 / tp["n_touchpoints"].to_numpy(dtype=np.float64)


def _time_decay(tp, conversions, half_life_days: float):
    if half_life_days <= 0:
        raise ValueError("half_life_days must be positive")
    group = tp["conversion_index"].to_numpy()
    last_row = group_starts(tp)[group] + tp["n_touchpoints"].to_numpy() - 1
    reference = pd.Series(tp["touched_at"].array.take(last_row), index=tp.index)
    conv = _as_pandas(conversions) if conversions is not None else None
    if conv is not None and "converted_at" in conv.columns:
        reference = pd.Series(per_conversion(tp, "converted_at", conv), index=tp.index).fillna(reference)
    age_days = ((reference - tp["touched_at"]) / pd.Timedelta(days=1)).to_numpy(dtype=np.float64)
    weight = np.exp2(-age_days / half_life_days)
    return weight / np.bincount(group, weights=weight)[group]


def _position_based(tp):
    n = tp["n_touchpoints"].to_numpy(dtype=np.float64)
    pos = tp["position"].to_numpy()
    ends = (pos == 0) | (pos == n - 1)
    middle = np.where(n > 2, 0.2 / np.maximum(n - 2, 1), 0.0)
    return np.select([n == 1, n == 2, ends], [1.0, 0.5, 0.4], default=middle)


def rule_credit(touchpoints, model: str, conversions=None, half_life_days: float = 7.0) -> pd.DataFrame:
    """Conversion × touchpoint credits for one rule-based model (see module doc)."""
    tp = ordered_touchpoints(touchpoints)
    if model == "first_touch":
        credit = _first(tp)
    elif model == "last_touch":
        credit = _last(tp)
    elif model == "last_non_direct":
        credit = _last_non_direct(tp)
    elif model == "linear":
        credit = _linear(tp)
    elif model == "time_decay":
        credit = _time_decay(tp, conversions, half_life_days)
    elif model == "position_based":
        credit = _position_based(tp)
    else:
        raise ValueError(f"unknown rule-based model {model!r}; expected one of {RULE_MODELS}")
    return credit_frame(tp, credit, model, conversions)


def first_touch(touchpoints, conversions=None):
    return rule_credit(touchpoints, "first_touch", conversions)


def last_touch(touchpoints, conversions=None):
    return rule_credit(touchpoints, "last_touch", conversions)


def last_non_direct(touchpoints, conversions=None):
    return rule_credit(touchpoints, "last_non_direct", conversions)


def linear(touchpoints, conversions=None):
    return rule_credit(touchpoints, "linear", conversions)


def time_decay(touchpoints, conversions=None, half_life_days: float = 7.0):
    return rule_credit(touchpoints, "time_decay", conversions, half_life_days)


def position_based(touchpoints, conversions=None):
    return rule_credit(touchpoints, "position_based", conversions)
