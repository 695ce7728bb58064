"""A million journeys go through aggregation and both data-driven models in one process.

No timing asserts (timings live in bench/attribution_bench.py); this guards the structure: the work
is per distinct path, so tiling every journey k times must leave every estimate unchanged.
"""
import numpy as np
import pandas as pd
import pytest

from analytics.attribution import aggregate_paths, fit_shapley, markov_channel_credit


def test_one_million_journeys_aggregate_and_leave_estimates_unchanged(causal_world_data):
    journeys = causal_world_data.journeys
    copies = int(np.ceil(1_000_000 / len(journeys)))
    big = pd.concat([journeys] * copies, ignore_index=True)
    big["journey_id"] = np.arange(len(big))
    assert len(big) >= 1_000_000

    small_counts, big_counts = aggregate_paths(journeys), aggregate_paths(big)
    assert len(big_counts.path) == len(small_counts.path)
    assert big_counts.journeys.sum() == copies * small_counts.journeys.sum()

    pd.testing.assert_frame_equal(markov_channel_credit(big_counts), markov_channel_credit(small_counts), atol=1e-12)
    small_model, big_model = fit_shapley(small_counts), fit_shapley(big_counts)
    assert big_model.value == pytest.approx(small_model.value, abs=1e-12)
    assert big_model.channel_credit()["share"].to_numpy() == pytest.approx(
        small_model.channel_credit()["share"].to_numpy(), abs=1e-12)
