"""Customer segments: RFM quintile scores with named segments, and K-means clusters with derived labels."""

from analytics.clv.errors import InsufficientDataError
from analytics.segments.kmeans import ClusterResult, kmeans_segments
from analytics.segments.rfm import (
    SEGMENT_RULES,
    name_segments,
    quintile_score,
    rfm_from_orders,
    rfm_scores,
    segment_sizes,
)

__all__ = [
    "SEGMENT_RULES",
    "ClusterResult",
    "InsufficientDataError",
    "kmeans_segments",
    "name_segments",
    "quintile_score",
    "rfm_from_orders",
    "rfm_scores",
    "segment_sizes",
]
