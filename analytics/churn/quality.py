"""Model-quality table for the churn model on an out-of-time holdout."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.inspection import permutation_importance
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

from analytics.churn.model import ChurnModel, _feature_matrix, limited_threads
from analytics.clv.errors import InsufficientDataError, require_columns


@dataclass
class ChurnQuality:
    metrics: pd.DataFrame  # metric, value
    calibration: pd.DataFrame  # bin, n, mean_predicted, observed_rate
    feature_importance: pd.DataFrame  # feature, importance_mean, importance_std
    note: str = ""

    def metric(self, name: str) -> float:
        return float(self.metrics.set_index("metric").loc[name, "value"])


def calibration_table(y_true: np.ndarray, y_score: np.ndarray, n_bins: int = 10) -> pd.DataFrame:
    """Equal-count bins of the predicted score: mean prediction vs observed churn rate per bin."""
    order = np.argsort(y_score, kind="stable")
    bins = np.empty(len(order), dtype=int)
    bins[order] = np.floor(np.arange(len(order)) * n_bins / max(len(order), 1)).astype(int)
    df = pd.DataFrame({"bin": bins + 1, "y": y_true, "p": y_score})
    out = df.groupby("bin").agg(n=("y", "size"), mean_predicted=("p", "mean"), observed_rate=("y", "mean"))
    return out.reset_index()


def churn_quality(
    model: ChurnModel,
    holdout: pd.DataFrame,
    *,
    n_bins: int = 10,
    n_repeats: int = 3,
    max_importance_rows: int = 5_000,
    random_state: int = 0,
) -> ChurnQuality:
    """AUC, base rate, Brier score, log loss, calibration bins and permutation importances (AUC drop).

    Permutation importance runs on at most `max_importance_rows` holdout rows (sampled
    with `random_state`). With a single class in the holdout AUC is undefined: it is
    reported as NaN with a note. Raises `InsufficientDataError` on an empty holdout.
    """
    require_columns(holdout, ["churned"], "churn_quality")
    if holdout.empty:
        raise InsufficientDataError("churn_quality: the holdout frame is empty")
    X = _feature_matrix(holdout, model.feature_columns)
    y = holdout["churned"].to_numpy(dtype=int)
    with limited_threads():
        p = model.estimator.predict_proba(X)[:, 1]
    single_class = y.min() == y.max()
    note = "holdout has a single class: AUC and importances undefined" if single_class else ""
    auc = np.nan if single_class else roc_auc_score(y, p)
    metrics = pd.DataFrame(
        {
            "metric": ["auc", "base_rate", "mean_predicted", "brier_score", "log_loss", "n_holdout", "n_train"],
            "value": [
                auc,
                float(y.mean()),
                float(p.mean()),
                brier_score_loss(y, p),
                log_loss(y, np.clip(p, 1e-12, 1 - 1e-12), labels=[0, 1]),
                float(len(y)),
                float(model.train_rows),
            ],
        }
    )
    if single_class:
        importance = pd.DataFrame({"feature": model.feature_columns, "importance_mean": np.nan, "importance_std": np.nan})
    else:
        rng = np.random.default_rng(random_state)
        idx = np.arange(len(y))
        if len(idx) > max_importance_rows:
            idx = np.sort(rng.choice(idx, size=max_importance_rows, replace=False))
        with limited_threads():
            result = permutation_importance(
                model.estimator, X[idx], y[idx], scoring="roc_auc", n_repeats=n_repeats, random_state=random_state
            )
        importance = pd.DataFrame(
            {
                "feature": model.feature_columns,
                "importance_mean": result.importances_mean,
                "importance_std": result.importances_std,
            }
        ).sort_values("importance_mean", ascending=False, ignore_index=True)
    return ChurnQuality(metrics, calibration_table(y, p, n_bins), importance, note)
