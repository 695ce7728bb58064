"""K-means customer clusters with human-readable labels derived from the centroids."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from analytics.clv.errors import InsufficientDataError, require_columns

RFM_COLUMNS = ("recency_days", "frequency", "monetary")


@dataclass
class ClusterResult:
    assignments: pd.DataFrame  # customer id, cluster_id, segment_label
    profiles: pd.DataFrame  # one row per cluster: label, size, share, mean of each feature (original units)
    feature_columns: list[str]


def _quintile_word(value: float, population: np.ndarray, words: tuple[str, ...]) -> str:
    """Word for the population quintile (of 5 words) that `value` falls in."""
    cuts = np.quantile(population, [0.2, 0.4, 0.6, 0.8])
    return words[int(np.searchsorted(cuts, value, side="left"))]


def _extra_word(column: str, z: float) -> str:
    for prefix, fmt in (("channel_share_", "{} buyers"), ("market_", "{} market")):
        if column.startswith(prefix):
            name = column.removeprefix(prefix)
            return fmt.format(name) if z > 0 else f"few {name}"
    return f"{'high' if z > 0 else 'low'} {column.replace('_', ' ')}"


def _label_clusters(raw: pd.DataFrame, clusters: np.ndarray, centroids_z: np.ndarray, columns: list[str]) -> list[str]:
    """Words from each cluster's medians vs population quintiles, plus its most distinctive other feature."""
    labels = []
    extras = []
    other = [i for i, c in enumerate(columns) if c not in RFM_COLUMNS]
    for k in range(centroids_z.shape[0]):
        members = raw[clusters == k]
        words = []
        if "recency_days" in raw:
            words.append(
                _quintile_word(
                    members["recency_days"].median(), raw["recency_days"].to_numpy(),
                    ("Active", "Recent", "Cooling", "Lapsing", "Lapsed"),
                )
            )
        if "frequency" in raw:
            med_f = members["frequency"].median()
            if med_f <= 1:
                words.append("one-time")
            else:
                words.append("frequent" if med_f >= np.quantile(raw["frequency"], 0.8) else "repeat")
        if "monetary" in raw:
            words.append(
                _quintile_word(
                    members["monetary"].median(), raw["monetary"].to_numpy(),
                    ("lowest-value", "low-value", "mid-value", "high-value", "top-value"),
                )
            )
        extra = ""
        if other:
            i = max(other, key=lambda j: abs(centroids_z[k, j]))
            if abs(centroids_z[k, i]) >= 1.0:
                extra = _extra_word(columns[i], centroids_z[k, i])
        if not words:  # no RFM columns at all: describe by the two most distinctive features
            top = np.argsort(-np.abs(centroids_z[k]))[:2]
            words = [_extra_word(columns[i], centroids_z[k, i]) for i in top]
            extra = ""
        labels.append(" ".join(words))
        extras.append(extra)
    # A strongly distinctive non-RFM feature (|z| >= 1) is always named: it also tells
    # apart clusters that share the same RFM words.
    out = [f"{lab} · {extra}" if extra else lab for lab, extra in zip(labels, extras)]
    # Still ambiguous: number them in size order (done by the caller's ordering).
    seen: dict[str, int] = {}
    final = []
    for lab in out:
        if out.count(lab) > 1:
            seen[lab] = seen.get(lab, 0) + 1
            final.append(f"{lab} ({seen[lab]})")
        else:
            final.append(lab)
    return final


def kmeans_segments(
    customers: pd.DataFrame,
    feature_columns: list[str] | None = None,
    *,
    k: int = 5,
    customer_col: str = "customer_id",
    log_columns: tuple[str, ...] = RFM_COLUMNS,
    random_state: int = 0,
) -> ClusterResult:
    """Cluster customers with K-means on standardised features and name each cluster.

    Features default to recency_days, frequency, monetary plus any ``channel_share_*``
    and ``market_*`` columns present. `log_columns` get log1p before standardising
    (heavy tails would otherwise own the clusters). Clusters are numbered by size
    (0 = largest) and labelled from their medians against the population quintiles,
    e.g. "Active frequent top-value" or "Lapsed one-time low-value · email buyers",
    so labels never depend on K-means' arbitrary cluster ids. Deterministic for a
    given `random_state`. Raises `InsufficientDataError` with fewer than 2 distinct rows;
    `k` is reduced to the number of distinct rows when that is smaller.
    """
    require_columns(customers, [customer_col], "kmeans_segments")
    if feature_columns is None:
        feature_columns = [c for c in RFM_COLUMNS if c in customers.columns] + [
            c for c in customers.columns if c.startswith(("channel_share_", "market_"))
        ]
    require_columns(customers, feature_columns, "kmeans_segments")
    if not feature_columns:
        raise InsufficientDataError("kmeans_segments: no feature columns to cluster on")
    raw = customers[feature_columns].apply(pd.to_numeric, errors="coerce").fillna(0.0)
    n_distinct = len(raw.drop_duplicates())
    if n_distinct < 2:
        raise InsufficientDataError(
            f"kmeans_segments: needs at least 2 distinct customers to cluster, got {n_distinct} (of {len(raw)} rows)"
        )
    k_eff = int(min(k, n_distinct))

    X = raw.to_numpy(dtype=float).copy()
    for j, c in enumerate(feature_columns):
        if c in log_columns:
            X[:, j] = np.log1p(np.clip(X[:, j], 0, None))
    scaler = StandardScaler()
    Z = scaler.fit_transform(X)
    with threadpool_limits(limits=1):
        km = KMeans(n_clusters=k_eff, n_init=10, random_state=random_state).fit(Z)

    # Renumber clusters by size (largest first), ties by centroid coordinates, for stable ids.
    sizes = np.bincount(km.labels_, minlength=k_eff)
    order = sorted(range(k_eff), key=lambda i: (-sizes[i], tuple(np.round(km.cluster_centers_[i], 9))))
    remap = np.empty(k_eff, dtype=int)
    remap[order] = np.arange(k_eff)
    clusters = remap[km.labels_]
    centroids_z = km.cluster_centers_[order]
    labels = _label_clusters(raw, clusters, centroids_z, feature_columns)

    assignments = pd.DataFrame(
        {customer_col: customers[customer_col].to_numpy(), "cluster_id": clusters, "segment_label": np.array(labels)[clusters]}
    )
    prof = raw.groupby(clusters).mean()
    prof.columns = [f"mean_{c}" for c in prof.columns]
    profiles = pd.DataFrame(
        {"cluster_id": np.arange(k_eff), "segment_label": labels, "n_customers": np.bincount(clusters, minlength=k_eff)}
    )
    profiles["share"] = profiles["n_customers"] / len(raw)
    profiles = profiles.join(prof, on="cluster_id")
    return ClusterResult(assignments, profiles, list(feature_columns))
