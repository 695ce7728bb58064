"""Fixtures: small hand-built journeys and synthetic causal worlds (no external data)."""
from __future__ import annotations

import pandas as pd
import pytest

from analytics.attribution.synthetic import default_world, simulate

from .helpers import make_touchpoints


@pytest.fixture
def small_journeys() -> pd.DataFrame:
    """Converting and non-converting journeys over four channels, several paths repeated."""
    spec = [  # path, converted, value, copies
        (["paid_social_tiktok", "paid_search"], True, 120.0, 3),
        (["paid_social_tiktok", "paid_search"], False, 0.0, 5),
        (["paid_social_tiktok"], False, 0.0, 9),
        (["email", "direct"], True, 60.0, 2),
        (["email"], False, 0.0, 4),
        (["direct"], True, 40.0, 2),
        (["direct"], False, 0.0, 6),
        (["paid_search", "direct", "paid_search"], True, 80.0, 1),
        (["paid_social_tiktok", "email", "paid_search", "direct"], True, 150.0, 2),
        (["paid_social_tiktok", "email"], False, 0.0, 3),
        ([], True, 30.0, 2),  # conversions without touchpoints: baseline
    ]
    rows = []
    for path, converted, value, copies in spec:
        for _ in range(copies):
            rows.append({"journey_id": len(rows), "path": path, "converted": converted,
                         "conversion_value": value})
    return pd.DataFrame(rows)


@pytest.fixture
def small_conversions(small_journeys):
    conv = small_journeys[small_journeys["converted"]]
    touchpoints = make_touchpoints(dict(zip(conv["journey_id"], conv["path"])))
    conversions = pd.DataFrame({
        "conversion_id": conv["journey_id"].to_numpy(),
        "conversion_value": conv["conversion_value"].to_numpy(),
        "converted_at": pd.Timestamp("2026-03-02"),
    })
    return conversions, touchpoints


@pytest.fixture(scope="session")
def causal_world_data():
    return simulate(default_world(), 60_000, seed=11)
