"""Churn propensity model: scikit-learn histogram gradient boosting (default) or logistic regression."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from threadpoolctl import threadpool_limits

from analytics.clv.errors import InsufficientDataError, require_columns

NON_FEATURE_COLUMNS = {"cutoff_date", "churned"}
MIN_TRAIN_ROWS = 50
MIN_CLASS_ROWS = 10


def limited_threads(n_threads: int = 1):
    """Cap OpenMP/BLAS threads: on a 2-core machine shared with DuckDB and dbt, OpenMP's
    spinning workers made gradient boosting ~10x slower than one thread (measured)."""
    return threadpool_limits(limits=n_threads)


@dataclass
class ChurnModel:
    estimator: object
    feature_columns: list[str]
    model_type: str
    customer_col: str
    train_rows: int
    train_base_rate: float


def signed_log1p(a: np.ndarray) -> np.ndarray:
    """Compress heavy-tailed counts and money for the linear model (module-level so models pickle)."""
    return np.sign(a) * np.log1p(np.abs(a))


def feature_columns(frame: pd.DataFrame, customer_col: str = "customer_id") -> list[str]:
    return [c for c in frame.columns if c not in NON_FEATURE_COLUMNS and c != customer_col]


def _feature_matrix(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    return frame.reindex(columns=columns, fill_value=0.0).to_numpy(dtype=float)


def fit_churn_model(
    train: pd.DataFrame,
    *,
    model_type: str = "hist_gradient_boosting",
    customer_col: str = "customer_id",
    random_state: int = 0,
) -> ChurnModel:
    """Fit on a frame from `build_training_frame` (features + ``churned``).

    ``hist_gradient_boosting``: HistGradientBoostingClassifier (200 trees, learning rate 0.05,
    15 leaves, L2 0.1, no early stopping, so it is deterministic). ``logistic``: logistic
    regression on log1p-transformed, standardised features. Raises `InsufficientDataError`
    with fewer than 50 rows or fewer than 10 rows of either class.
    """
    require_columns(train, ["churned"], "fit_churn_model")
    cols = feature_columns(train, customer_col)
    if not cols:
        raise InsufficientDataError("fit_churn_model: the training frame has no feature columns")
    y = train["churned"].to_numpy(dtype=int)
    n_pos, n_neg = int(y.sum()), int(len(y) - y.sum())
    if len(y) < MIN_TRAIN_ROWS or min(n_pos, n_neg) < MIN_CLASS_ROWS:
        raise InsufficientDataError(
            f"fit_churn_model: needs >= {MIN_TRAIN_ROWS} rows and >= {MIN_CLASS_ROWS} of each class; "
            f"got {len(y)} rows ({n_pos} churned, {n_neg} active)"
        )
    X = _feature_matrix(train, cols)
    if model_type == "hist_gradient_boosting":
        est = HistGradientBoostingClassifier(
            max_iter=200, learning_rate=0.05, max_leaf_nodes=15, l2_regularization=0.1,
            early_stopping=False, random_state=random_state,
        )
    elif model_type == "logistic":
        est = make_pipeline(
            FunctionTransformer(signed_log1p),
            StandardScaler(),
            LogisticRegression(max_iter=2000),
        )
    else:
        raise ValueError(f"model_type must be 'hist_gradient_boosting' or 'logistic', got {model_type!r}")
    with limited_threads():
        est.fit(X, y)
    return ChurnModel(est, cols, model_type, customer_col, len(y), float(y.mean()))


def score_churn(model: ChurnModel, features: pd.DataFrame) -> pd.DataFrame:
    """``churn_score`` = P(no order in the next horizon) per customer; empty input gives an empty frame."""
    require_columns(features, [model.customer_col], "score_churn")
    out = pd.DataFrame({model.customer_col: features[model.customer_col].to_numpy()})
    if features.empty:
        out["churn_score"] = pd.Series(dtype=float)
        out.attrs["note"] = "no customers to score"
        return out
    with limited_threads():
        out["churn_score"] = model.estimator.predict_proba(_feature_matrix(features, model.feature_columns))[:, 1]
    return out
