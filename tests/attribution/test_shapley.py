from itertools import permutations
from math import factorial

import numpy as np
import pandas as pd
import pytest

from analytics.attribution.paths import aggregate_paths
from analytics.attribution.shapley import (
    fit_shapley, mobius, shapley_conversion_credit, shapley_values, subgame_shapley_values, subset_sum,
)
from .helpers import make_touchpoints


def _mask(players):
    return sum(1 << p for p in players)


def _brute_force_shapley(v, players):
    """Average marginal contribution over every ordering of ``players``."""
    phi = dict.fromkeys(players, 0.0)
    for order in permutations(players):
        coalition = 0
        for p in order:
            phi[p] += v[coalition | (1 << p)] - v[coalition]
            coalition |= 1 << p
    return {p: total / factorial(len(players)) for p, total in phi.items()}


def _random_game(n, seed):
    v = np.random.default_rng(seed).random(1 << n)
    v[0] = 0.0
    return v


def test_zeta_and_mobius_are_inverse_and_match_definition():
    a = np.random.default_rng(0).random(1 << 4)
    z = subset_sum(a)
    for s in range(16):
        assert z[s] == pytest.approx(sum(a[t] for t in range(16) if t & s == t))
    assert mobius(z) == pytest.approx(a)


def test_matches_permutation_enumeration_for_every_subgame_of_four_channels():
    v = _random_game(4, seed=1)
    phi = subgame_shapley_values(v)
    for s in range(1, 16):
        players = [i for i in range(4) if s >> i & 1]
        expected = _brute_force_shapley(v, players)
        got = {p: phi[s, p] for p in players}
        assert got == pytest.approx(expected, abs=1e-12)
        assert all(phi[s, i] == 0 for i in range(4) if not s >> i & 1)


def test_efficiency():
    v = _random_game(6, seed=2)
    v[0] = 0.3
    phi = subgame_shapley_values(v)
    assert phi.sum(axis=1) == pytest.approx(v - v[0])


def test_symmetry():
    v = _random_game(5, seed=3)
    i, j = 1, 3
    for s in range(1 << 5):  # make i and j interchangeable: v(S ∪ i) = v(S ∪ j) for S without both
        if not s >> i & 1 and not s >> j & 1:
            v[s | 1 << j] = v[s | 1 << i]
    phi = shapley_values(v)
    assert phi[i] == pytest.approx(phi[j], abs=1e-12)


def test_null_player():
    v = _random_game(5, seed=4)
    null = 2
    for s in range(1 << 5):
        if s >> null & 1:
            v[s] = v[s ^ (1 << null)]
    phi = subgame_shapley_values(v)
    assert np.abs(phi[:, null]).max() < 1e-12


def _journeys(spec):
    rows = []
    for path, conv, null in spec:
        rows += [{"path": path, "converted": True, "conversion_value": 10.0}] * conv
        rows += [{"path": path, "converted": False, "conversion_value": 0.0}] * null
    return pd.DataFrame(rows).assign(journey_id=lambda d: range(len(d)))


def test_coalition_value_is_conversion_rate_of_the_exact_channel_set():
    journeys = _journeys([(["email"], 1, 3), (["direct", "email"], 2, 2), (["email", "direct", "email"], 1, 1),
                          (["direct"], 1, 9)])
    model = fit_shapley(journeys)
    e, d = 1 << model.channels.index("email"), 1 << model.channels.index("direct")
    assert model.value[0] == 0.0
    assert model.value[e] == pytest.approx(1 / 4)
    assert model.value[d] == pytest.approx(1 / 10)
    assert model.value[e | d] == pytest.approx(3 / 6)  # order and repetition ignored
    expected_phi = {"email": 0.5 * (1 / 4) + 0.5 * (3 / 6 - 1 / 10), "direct": 0.5 * (1 / 10) + 0.5 * (3 / 6 - 1 / 4)}
    credit = model.channel_credit().set_index("channel")
    assert credit.loc["email", "shapley_value"] == pytest.approx(expected_phi["email"])
    assert credit.loc["direct", "shapley_value"] == pytest.approx(expected_phi["direct"])


def test_unseen_coalitions_take_their_best_observed_subcoalition():
    journeys = _journeys([(["email"], 1, 4), (["direct"], 1, 1), (["paid_search"], 0, 5),
                          (["email", "paid_search"], 1, 1)])
    model = fit_shapley(journeys)
    idx = {c: 1 << i for i, c in enumerate(model.channels)}
    e, d, s = idx["email"], idx["direct"], idx["paid_search"]
    assert not model.observed[e | d] and not model.observed[e | d | s]
    assert model.value[e | d] == pytest.approx(max(1 / 5, 1 / 2))
    assert model.value[d | s] == pytest.approx(max(1 / 2, 0.0))
    assert model.value[e | d | s] == pytest.approx(max(model.value[e | d], model.value[d | s], 1 / 2))


def test_min_journeys_treats_thin_coalitions_as_unseen():
    journeys = _journeys([(["email"], 1, 9), (["direct"], 1, 9), (["email", "direct"], 1, 0)])
    model = fit_shapley(journeys, min_journeys=2)
    assert model.value[0b11] == pytest.approx(0.1)


def test_simplified_shapley_splits_each_conversion_over_its_distinct_channels():
    journeys = _journeys([(["email"], 2, 3), (["email", "direct", "email"], 3, 1), (["direct", "paid_search"], 4, 0)])
    credit = fit_shapley(journeys, value="conversions").channel_credit().set_index("channel")
    expected = {"email": 2 + 3 / 2, "direct": 3 / 2 + 4 / 2, "paid_search": 4 / 2}
    for channel, value in expected.items():
        assert credit.loc[channel, "shapley_value"] == pytest.approx(value)


def test_conversion_credit_uses_the_subgame_of_its_own_channels(small_journeys):
    model = fit_shapley(small_journeys)
    tp = make_touchpoints({1: ["paid_social_tiktok", "paid_search", "paid_search"]})
    out = shapley_conversion_credit(tp, model=model).set_index("touchpoint_id")["credit"]
    t, s = (model.channels.index(c) for c in ("paid_social_tiktok", "paid_search"))
    v = model.value
    phi_t = 0.5 * (v[1 << t] - v[0]) + 0.5 * (v[(1 << t) | (1 << s)] - v[1 << s])
    phi_s = 0.5 * (v[1 << s] - v[0]) + 0.5 * (v[(1 << t) | (1 << s)] - v[1 << t])
    phi_t, phi_s = max(phi_t, 0), max(phi_s, 0)
    assert out[0] == pytest.approx(phi_t / (phi_t + phi_s))
    assert out[1] == out[2] == pytest.approx(phi_s / (phi_t + phi_s) / 2)


def test_channel_credit_aggregates_per_conversion_credits(small_journeys):
    model = fit_shapley(small_journeys)
    counts = aggregate_paths(small_journeys)
    credit = model.channel_credit()
    assert credit["attributed_conversions"].sum() == pytest.approx(counts.conversions.sum())
    assert credit["attributed_value"].sum() == pytest.approx(counts.conversion_value.sum())
    assert credit["share"].sum() == pytest.approx(1.0)


def test_too_many_channels_for_exact_computation():
    journeys = pd.DataFrame({"path": [[f"c{i}" for i in range(17)]], "converted": [True]})
    with pytest.raises(ValueError, match="exact Shapley"):
        fit_shapley(journeys)
