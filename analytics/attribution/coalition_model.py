"""Model-based coalition values for the Shapley game: a fitted conversion model instead of raw conversion rates.

Why: the empirical game ``v(S)`` = conversion rate of the journeys whose channel set is exactly ``S`` is confounded.
Returning customers buy far more often whatever touched them, and they are exactly the people who come back
directly, open e-mails and search for the brand; so the coalitions those channels sit in convert well and they take
credit for the customers' own propensity. Sparse coalitions add noise on top. Here ``v`` comes from one model fitted
on every (non-censored) journey, converting and not, with the journey's covariates held apart from the channels.

Model (additive hazard: each channel adds its own rate, as independent causes of a purchase do)::

    P(convert | S, x) = 1 - exp(-(b0 + Σ_k γ_k x_k + Σ_{c ∈ S} β_c)),      b0 > 0, γ ≥ 0, β ≥ 0

``S`` = the journey's channel set, ``x`` = 0/1 covariates (by default ``is_returning_customer``). Maximum likelihood
(L-BFGS-B with bounds) on the journeys aggregated to distinct (set, covariates, outcome) rows, so the fit costs the
same for 10⁵ or 10⁷ journeys. ``β_c ≥ 0``: a touchpoint cannot make a purchase less likely — the estimate of a
channel with no effect sits at the bound instead of going negative to absorb noise.

Coalition value: the lift over no touchpoint at all, averaged over the journeys' covariates::

    v(S) = mean_j [ P(S, x_j) - P(∅, x_j) ],   v(∅) = 0

defined for every coalition, seen or not (no closure rule needed). The game is not additive (probabilities
saturate), so Shapley values still share the interactions of channels in a coalition.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from .paths import path_strings

DEFAULT_COVARIATES = ("is_returning_customer",)
_EPS = 1e-12


@dataclass(frozen=True)
class CoalitionModel:
    channels: tuple[str, ...]
    covariates: tuple[str, ...]
    intercept: float
    covariate_effects: np.ndarray      # γ_k
    channel_effects: np.ndarray        # β_c
    value: np.ndarray                  # v[S], length 2ⁿ
    journeys: int
    conversions: int
    log_likelihood: float

    def coefficients(self) -> pd.DataFrame:
        """``term, kind, coefficient``: intercept, covariates and channels (hazard units)."""
        return pd.DataFrame({
            "term": ["intercept", *self.covariates, *self.channels],
            "kind": ["intercept"] + ["covariate"] * len(self.covariates) + ["channel"] * len(self.channels),
            "coefficient": [self.intercept, *self.covariate_effects, *self.channel_effects],
        })


def channel_masks(paths: pd.Series, channels: tuple[str, ...]) -> np.ndarray:
    """Bitmask of each path's channel set (bit i = ``channels[i]``; unknown channels are ignored)."""
    bit = {c: 1 << i for i, c in enumerate(channels)}
    out = np.zeros(len(paths), dtype=np.int64)
    for row, path in enumerate(path_strings(paths).to_pylist()):
        for channel in set(path.split(" > ")) if path else ():
            out[row] |= bit.get(channel, 0)
    return out


def _negative_log_likelihood(b: np.ndarray, F: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[float, np.ndarray]:
    eta = F @ b + _EPS
    p = -np.expm1(-eta)
    ll = w * (y * np.log(p) - (1.0 - y) * eta)
    grad = F.T @ (w * (y * np.exp(-eta) / p - (1.0 - y)))
    return -float(ll.sum()), -grad


def fit_coalition_model(journeys: pd.DataFrame, channels: tuple[str, ...],
                        covariates: tuple[str, ...] = DEFAULT_COVARIATES) -> CoalitionModel:
    """Fit the additive-hazard conversion model on ``journeys`` and tabulate ``v`` over all channel sets.

    ``journeys`` needs ``path`` and ``converted``; covariate columns that are absent are skipped (a model without
    them), ``is_censored`` journeys (outcome not final) are left out, and so are empty paths (no channel to learn)."""
    frame = journeys
    if "is_censored" in frame.columns:
        frame = frame[~frame["is_censored"].fillna(False).astype(bool)]
    masks = channel_masks(frame["path"], channels)
    keep = masks > 0
    used = tuple(c for c in covariates if c in frame.columns)
    cells = pd.DataFrame({"mask": masks[keep]})
    for c in used:
        cells[c] = frame[c].fillna(False).to_numpy(dtype=bool)[keep]
    cells["converted"] = frame["converted"].fillna(False).to_numpy(dtype=bool)[keep]
    cells = cells.value_counts().rename("weight").reset_index()
    if not cells.loc[cells["converted"], "weight"].sum():
        raise ValueError("no converting journey with a touchpoint: the coalition model cannot be fitted")
    return fit_cells(cells, channels, used)


def fit_cells(cells: pd.DataFrame, channels: tuple[str, ...], covariates: tuple[str, ...]) -> CoalitionModel:
    """Maximum-likelihood fit of the additive hazard on aggregated cells, and ``v`` over all channel sets.

    ``cells``: one row per distinct (``mask``, covariates…, ``converted``) with ``weight`` = how many units
    (journeys, or person-days) share it; ``mask`` = the unit's channel set as a bitmask over ``channels``
    (0 allowed: units without a channel identify the baseline). ``v`` averages over the units' covariates."""
    n = len(channels)
    if not len(cells) or not cells.loc[cells["converted"].astype(bool), "weight"].sum():
        raise ValueError("no conversion to learn from: the coalition model cannot be fitted")
    cell_masks = cells["mask"].to_numpy(dtype=np.int64)
    X = cells[list(covariates)].to_numpy(dtype=float) if covariates else np.zeros((len(cells), 0))
    y = cells["converted"].to_numpy(dtype=float)
    weight = cells["weight"].to_numpy(dtype=float)
    bits = ((cell_masks[:, None] >> np.arange(n)[None, :]) & 1).astype(float)
    F = np.column_stack([np.ones(len(cells)), X, bits])
    start = np.full(F.shape[1], float((weight * y).sum() / weight.sum()))   # the scale of the rates (convex fit)
    bounds = [(1e-9, None)] + [(0.0, None)] * (F.shape[1] - 1)
    fit = minimize(_negative_log_likelihood, start, args=(F, y, weight), jac=True,
                   method="L-BFGS-B", bounds=bounds)
    if not fit.success and not np.isfinite(fit.fun):
        raise RuntimeError(f"coalition model did not converge: {fit.message}")
    b = fit.x
    k = len(covariates)
    intercept, gamma, beta = float(b[0]), b[1:1 + k], b[1 + k:]

    # v(S) averaged over the covariate patterns of the units
    if k:
        patterns = pd.DataFrame(X, columns=list(covariates)).assign(weight=weight).groupby(
            list(covariates))["weight"].sum()
        base = intercept + patterns.index.to_frame(index=False).to_numpy(dtype=float) @ gamma
    else:
        patterns = pd.Series([weight.sum()])
        base = np.full(1, intercept)
    share = patterns.to_numpy(dtype=float) / patterns.sum()
    all_masks = np.arange(1 << n)
    lift = ((all_masks[:, None] >> np.arange(n)[None, :]) & 1).astype(float) @ beta
    eta = base[None, :] + lift[:, None]
    value = ((np.exp(-base)[None, :] - np.exp(-eta)) * share[None, :]).sum(axis=1)
    value[0] = 0.0
    return CoalitionModel(channels=tuple(channels), covariates=tuple(covariates), intercept=intercept,
                          covariate_effects=np.asarray(gamma), channel_effects=np.asarray(beta), value=value,
                          journeys=int(weight.sum()), conversions=int((weight * y).sum()),
                          log_likelihood=-float(fit.fun))


def baseline_shares(model: CoalitionModel, set_key=lambda channels: ",".join(sorted(channels))) -> pd.DataFrame:
    """The part of a converting unit's purchase the fitted model ascribes to the customer alone.

    Under the additive hazard each cause adds its own rate, so of a conversion with channel set ``S`` and covariates
    ``x`` the baseline's share is ``h0 / h``, with ``h0 = b0 + Σ_k γ_k x_k`` (what the customer would do untouched)
    and ``h = h0 + Σ_{c ∈ S} β_c``; the channels' part ``1 - h0 / h`` is what attribution can hand out as incremental
    revenue. ``covariate_share`` = ``Σ_k γ_k x_k / h``, the part of the baseline the covariates add to the intercept
    (for ``is_returning_customer``: what the customer buys because they are one). Tabulated for every channel set
    (seen or not; the empty set's key is "": no touchpoint, share 1) and every 0/1 pattern of the covariates: columns
    ``channel_set`` (`set_key` of the set's channel names; default: ascending, joined by ","), one boolean column
    per covariate, ``baseline_hazard``, ``conversion_hazard``, ``baseline_share``, ``covariate_share``."""
    n, k = len(model.channels), len(model.covariates)
    masks = np.arange(0, 1 << n)
    bits = ((masks[:, None] >> np.arange(n)[None, :]) & 1).astype(bool)
    names = np.asarray(model.channels, dtype=object)
    sets = np.array([set_key(names[b]) for b in bits], dtype=object)
    lift = bits.astype(float) @ model.channel_effects
    patterns = ((np.arange(1 << k)[:, None] >> np.arange(k)[None, :]) & 1).astype(bool)
    frames = []
    for pattern in patterns:
        added = pattern.astype(float) @ model.covariate_effects
        h0 = model.intercept + added
        frame = pd.DataFrame({"channel_set": sets})
        for name, value in zip(model.covariates, pattern):
            frame[name] = bool(value)
        frame["baseline_hazard"] = h0
        frame["conversion_hazard"] = h0 + lift
        frame["baseline_share"] = h0 / (h0 + lift)
        frame["covariate_share"] = added / (h0 + lift)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
