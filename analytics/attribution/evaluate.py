"""Accuracy against the truth: total variation distance between channel revenue shares.

Truth file (``data/truth/channel_incrementality.csv``): ``channel, incremental_orders,
incremental_revenue`` from counterfactual removal of each channel, plus a ``baseline`` row (revenue
with no touchpoints at all) that is excluded here.

Comparison: restrict both the model's attributed revenue by channel and the true incremental revenue
to the channels present in the paths, renormalise each to shares summing to 1, and take
``TVD = ½ Σ_c |model_c − truth_c|`` (0 = identical, 1 = disjoint). Negative true increments (noise
around a zero effect) count as 0 before renormalising, since shares of a distribution cannot be < 0.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .attribute import MODELS
from .paths import order_channels

TRUTH_COLUMNS = ("channel", "incremental_orders", "incremental_revenue")
BASELINE = "baseline"


def read_truth(path: str | Path) -> pd.DataFrame:
    """The truth table without its ``baseline`` row."""
    truth = pd.read_csv(path)
    missing = [c for c in TRUTH_COLUMNS if c not in truth.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}")
    return truth[truth["channel"] != BASELINE].reset_index(drop=True)


def _shares(values: pd.Series, channels) -> pd.Series:
    values = values.reindex(list(channels)).fillna(0.0).clip(lower=0.0)
    total = values.sum()
    if total <= 0:
        raise ValueError("nothing to normalise: all values are zero over the channels compared")
    return values / total


def true_shares(truth: pd.DataFrame, channels, measure: str = "incremental_revenue") -> pd.Series:
    """True incremental shares over ``channels`` (baseline excluded, renormalised)."""
    truth = truth[truth["channel"] != BASELINE]
    return _shares(truth.set_index("channel")[measure].astype(float), channels).rename("truth")


def model_revenue_shares(attribution: pd.DataFrame, channels=None) -> pd.DataFrame:
    """Attributed revenue shares: one row per channel, one column per model (in ``MODELS`` order)."""
    revenue = attribution.pivot_table(index="channel", columns="model", values="attributed_revenue",
                                      aggfunc="sum", fill_value=0.0, observed=True)
    channels = order_channels(revenue.index) if channels is None else list(channels)
    present = [str(m) for m in revenue.columns]
    def order(model: str) -> tuple[int, int, str]:  # MODELS order, then variants ("<model>_<suffix>") in MODELS order
        base = next((i for i, m in enumerate(MODELS) if model == m or model.startswith(m + "_")), len(MODELS))
        return (model not in MODELS, base, model)

    models = sorted(present, key=order)
    revenue.columns = present
    return pd.DataFrame({m: _shares(revenue[m], channels) for m in models})


def total_variation_distance(p: pd.Series, q: pd.Series) -> float:
    """½ Σ |p − q| over the union of labels, each side renormalised to sum to 1."""
    labels = p.index.union(q.index)
    p = p.reindex(labels).fillna(0.0)
    q = q.reindex(labels).fillna(0.0)
    return float(0.5 * np.abs(p / p.sum() - q / q.sum()).sum())


@dataclass(frozen=True)
class AccuracyReport:
    shares: pd.DataFrame     # channel × (truth, models…)
    distances: pd.DataFrame  # model, tvd, ratio_to_last_touch

    def side_by_side(self) -> pd.DataFrame:
        """Shares per channel for truth and every model, with a final ``TVD`` row."""
        tvd = self.distances.set_index("model")["tvd"].rename("TVD")
        return pd.concat([self.shares, tvd.to_frame().T]).rename_axis("channel")


def accuracy_report(attribution: pd.DataFrame, truth: pd.DataFrame, channels=None,
                    measure: str = "incremental_revenue") -> AccuracyReport:
    """Side-by-side channel shares (truth and each model) and each model's TVD to the truth.

    ``channels`` defaults to the channels present in the attribution (i.e. in the paths)."""
    channels = order_channels(attribution["channel"].unique()) if channels is None else list(channels)
    models = model_revenue_shares(attribution, channels)
    truth_share = true_shares(truth, channels, measure)
    distances = pd.DataFrame({"model": models.columns,
                              "tvd": [total_variation_distance(models[m], truth_share) for m in models]})
    if "last_touch" in models.columns:
        last = distances.loc[distances["model"] == "last_touch", "tvd"].iloc[0]
        distances["ratio_to_last_touch"] = distances["tvd"] / last if last > 0 else np.nan
    return AccuracyReport(shares=pd.concat([truth_share, models], axis=1), distances=distances)
