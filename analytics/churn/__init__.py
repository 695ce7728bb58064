"""Churn propensity: features at a cutoff, label "no order in the next N days", out-of-time split, model, quality.

Typical use::

    train, holdout = time_based_split(orders, as_of, horizon_days=90)
    model = fit_churn_model(train)
    quality = churn_quality(model, holdout)              # measured out of time
    final = fit_churn_model(latest_training_frame(orders, as_of, 90, channels=...))   # refit on the latest window
    scores = score_churn(final, build_features(orders, as_of, channels=...))
"""

from analytics.churn.features import (
    BASE_FEATURES,
    activity_features,
    build_features,
    build_labels,
    build_training_frame,
    latest_training_frame,
    time_based_split,
)
from analytics.churn.model import ChurnModel, fit_churn_model, score_churn
from analytics.churn.quality import ChurnQuality, calibration_table, churn_quality
from analytics.clv.errors import InsufficientDataError

__all__ = [
    "BASE_FEATURES",
    "ChurnModel",
    "ChurnQuality",
    "InsufficientDataError",
    "activity_features",
    "build_features",
    "build_labels",
    "build_training_frame",
    "calibration_table",
    "churn_quality",
    "latest_training_frame",
    "fit_churn_model",
    "score_churn",
    "time_based_split",
]
