"""Response curves: normalised geometric adstock followed by Hill saturation.

One curve is a plain dict (the same form for fitted and for true curves)::

    {"beta": 9000.0,            # revenue per day at full saturation
     "half_saturation": 1500.0, # daily spend giving half of beta (steady state)
     "shape": 1.0,              # Hill exponent s (s <= 1 concave; s > 1 S-shaped)
     "adstock_decay": 0.5,      # geometric carry-over theta in [0, 1)
     "baseline": 0.0}           # revenue per day at zero spend (default 0)

    adstock_t = theta * adstock_{t-1} + (1 - theta) * spend_t      (normalised: constant spend -> adstock = spend)
    revenue_t = baseline + beta * adstock_t^s / (adstock_t^s + half_saturation^s)

Because the adstock is normalised, the steady-state daily revenue at a constant daily
spend x is `baseline + beta * hill(x)`, whatever theta: budget allocation works on it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy.signal import lfilter

PARAM_NAMES = ("beta", "half_saturation", "shape", "adstock_decay", "baseline")


def curve_params(curve) -> dict:
    """The parameter dict of a curve given as a dict or as a `FittedCurve`.

    Values may also be arrays of equal length (one entry per curve) for vectorised use.
    """
    params = curve.params if hasattr(curve, "params") else curve
    if not isinstance(params, Mapping):
        raise TypeError(f"a response curve must be a dict of {PARAM_NAMES}, got {type(params).__name__}")
    missing = [k for k in ("beta", "half_saturation", "shape") if k not in params]
    if missing:
        raise KeyError(f"response curve is missing {missing}")

    def num(v):
        arr = np.asarray(v, dtype=float)
        return float(arr) if arr.ndim == 0 else arr

    out = {
        "beta": num(params["beta"]),
        "half_saturation": num(params["half_saturation"]),
        "shape": num(params["shape"]),
        "adstock_decay": num(params.get("adstock_decay", 0.0)),
        "baseline": num(params.get("baseline", 0.0)),
    }
    if np.any(np.asarray(out["half_saturation"]) <= 0) or np.any(np.asarray(out["shape"]) <= 0):
        raise ValueError("response curve needs half_saturation > 0 and shape > 0")
    if np.any(np.asarray(out["adstock_decay"]) < 0) or np.any(np.asarray(out["adstock_decay"]) >= 1):
        raise ValueError("response curve needs 0 <= adstock_decay < 1")
    return out


def geometric_adstock(spend, decay: float) -> np.ndarray:
    """Normalised geometric adstock, started at its steady state for the first day's spend."""
    x = np.asarray(spend, dtype=float)
    if x.size == 0 or decay <= 0:
        return x.copy()
    zi = np.array([decay * x[0]])  # as if the first day's spend had run forever
    out, _ = lfilter([1 - decay], [1, -decay], x, zi=zi)
    return out


def hill(x, half_saturation: float, shape: float) -> np.ndarray:
    x = np.maximum(np.asarray(x, dtype=float), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.power(x / half_saturation, shape)
    return ratio / (1.0 + ratio)


def response(spend_series, curve) -> np.ndarray:
    """Daily revenue for a daily spend series (adstock, then saturation)."""
    p = curve_params(curve)
    a = geometric_adstock(spend_series, p["adstock_decay"])
    return p["baseline"] + p["beta"] * hill(a, p["half_saturation"], p["shape"])


def steady_state_revenue(daily_spend, curve) -> np.ndarray:
    """Expected daily revenue when `daily_spend` is held constant."""
    p = curve_params(curve)
    return p["baseline"] + p["beta"] * hill(daily_spend, p["half_saturation"], p["shape"])


def marginal_roas(daily_spend, curve) -> np.ndarray:
    """d revenue / d spend at a constant daily spend: beta * s * K^s x^(s-1) / (x^s + K^s)^2."""
    p = curve_params(curve)
    x = np.maximum(np.asarray(daily_spend, dtype=float), 1e-12)
    k, s = p["half_saturation"], p["shape"]
    r = np.power(x / k, s)
    return p["beta"] * s * r / (x * (1.0 + r) ** 2)
