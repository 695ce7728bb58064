from collections import Counter

import numpy as np
import pandas as pd
import pytest

from analytics.attribution import markov
from analytics.attribution.markov import (
    CONVERSION, NULL, START, conversion_probability, markov_channel_credit, markov_conversion_credit,
    removal_effects, transition_counts, transition_matrix,
)
from .helpers import make_touchpoints


def _journeys(spec):
    """spec: [(path list, conversions, non_conversions)] → one row per journey."""
    rows = []
    for path, conv, null in spec:
        rows += [{"path": path, "converted": True, "conversion_value": 1.0}] * conv
        rows += [{"path": path, "converted": False, "conversion_value": 0.0}] * null
    return pd.DataFrame(rows).assign(journey_id=lambda d: range(len(d)))


def _count_transitions(journeys):
    counts = Counter()
    for path, converted in zip(journeys["path"], journeys["converted"]):
        if not path:
            continue
        states = [START, *path, CONVERSION if converted else NULL]
        counts.update(zip(states[:-1], states[1:]))
    return counts


def test_transition_counts_match_a_direct_count(small_journeys):
    counts, channels = transition_counts(small_journeys)
    labels = [START, *channels, CONVERSION, NULL]
    got = {(labels[i], labels[j]): counts[i, j] for i, j in zip(*np.nonzero(counts))}
    assert got == dict(_count_transitions(small_journeys))


TWO_CHANNELS = [  # a = email, b = paid_search; no self-loops so the chain is solvable by hand
    (["email"], 3, 5), (["paid_search"], 1, 6), (["email", "paid_search"], 2, 2),
    (["paid_search", "email"], 1, 3), (["email", "paid_search", "email"], 1, 0), (["paid_search", "email", "paid_search"], 0, 2),
]


def test_two_channel_chain_matches_closed_form():
    journeys = _journeys(TWO_CHANNELS)
    counts = _count_transitions(journeys)

    def prob(src, dst):
        return counts[(src, dst)] / sum(n for (s, _), n in counts.items() if s == src)

    a, b = "email", "paid_search"
    s_a, s_b = prob(START, a), prob(START, b)
    q_ab, q_ba = prob(a, b), prob(b, a)
    c_a, c_b = prob(a, CONVERSION), prob(b, CONVERSION)
    # x_a = c_a + q_ab x_b and x_b = c_b + q_ba x_a
    x_a = (c_a + q_ab * c_b) / (1 - q_ab * q_ba)
    x_b = (c_b + q_ba * c_a) / (1 - q_ab * q_ba)
    p = s_a * x_a + s_b * x_b
    p_without_a = s_b * c_b  # b → a now ends in null
    p_without_b = s_a * c_a
    effects = {a: 1 - p_without_a / p, b: 1 - p_without_b / p}

    assert conversion_probability(journeys) == pytest.approx(p, abs=1e-12)
    got = markov_channel_credit(journeys).set_index("channel")
    for channel, effect in effects.items():
        assert got.loc[channel, "removal_effect"] == pytest.approx(effect, abs=1e-12)
        assert got.loc[channel, "share"] == pytest.approx(effect / sum(effects.values()), abs=1e-12)


def _random_walk_conversion_rates(probs: pd.DataFrame, removed, n_walkers, seed):
    """Brute force: walk n_walkers from start through the chain; a removed channel acts as null."""
    labels = list(probs.index)
    cumulative = probs.to_numpy().cumsum(axis=1)
    conv, null = labels.index(CONVERSION), labels.index(NULL)
    rng = np.random.default_rng(seed)
    state = np.zeros(n_walkers, dtype=np.int64)
    for _ in range(500):
        alive = (state != conv) & (state != null)
        if not alive.any():
            break
        u = rng.random(alive.sum())
        nxt = (u[:, None] > cumulative[state[alive]]).sum(axis=1)
        nxt = np.minimum(nxt, len(labels) - 1)
        if removed is not None:
            nxt = np.where(nxt == labels.index(removed), null, nxt)
        state[alive] = nxt
    return (state == conv).mean()


def test_exact_removal_effects_agree_with_monte_carlo_random_walks(small_journeys):
    probs = transition_matrix(small_journeys)
    channels = [c for c in probs.index if c not in (START, CONVERSION, NULL)]
    n = 400_000
    base = _random_walk_conversion_rates(probs, None, n, seed=1)
    simulated = np.array([1 - _random_walk_conversion_rates(probs, c, n, seed=1) / base for c in channels])
    exact = markov_channel_credit(small_journeys).set_index("channel").loc[channels]
    assert base == pytest.approx(conversion_probability(small_journeys), abs=4 * np.sqrt(0.25 / n))
    assert simulated == pytest.approx(exact["removal_effect"].to_numpy(), abs=0.01)
    # the bar: within 0.5 percentage point of channel share
    assert simulated / simulated.sum() == pytest.approx(exact["share"].to_numpy(), abs=0.005)


def test_sparse_solver_agrees_with_dense(small_journeys, monkeypatch):
    dense = removal_effects(small_journeys)
    monkeypatch.setattr(markov, "DENSE_STATE_LIMIT", 0)
    sparse = removal_effects(small_journeys)
    pd.testing.assert_frame_equal(dense, sparse, atol=1e-12)


def test_repeated_touches_do_not_change_removal_effects():
    collapsed = _journeys([(["email", "direct"], 3, 4), (["direct"], 1, 5), (["paid_search", "email"], 2, 1)])
    repeated = _journeys([(["email", "email", "direct"], 3, 4), (["direct", "direct", "direct"], 1, 5),
                          (["paid_search", "email", "email"], 2, 1)])
    pd.testing.assert_frame_equal(markov_channel_credit(collapsed), markov_channel_credit(repeated), atol=1e-12)


def test_removal_effects_are_nonnegative_and_shares_sum_to_one(small_journeys):
    credit = markov_channel_credit(small_journeys)
    assert (credit["removal_effect"] >= 0).all()
    assert credit["share"].sum() == pytest.approx(1.0)


def test_conversion_credit_restricts_normalisation_to_the_conversions_channels(small_journeys):
    effects = markov_channel_credit(small_journeys).set_index("channel")["removal_effect"]
    tp = make_touchpoints({1: ["paid_social_tiktok", "paid_search", "paid_search"], 2: ["direct"]})
    out = markov_conversion_credit(tp, small_journeys).set_index("touchpoint_id")["credit"]
    restricted = effects["paid_social_tiktok"] + effects["paid_search"]
    assert out[0] == pytest.approx(effects["paid_social_tiktok"] / restricted)
    assert out[1] == out[2] == pytest.approx(effects["paid_search"] / restricted / 2)
    assert out[3] == pytest.approx(1.0)


def test_conversion_with_only_unknown_channels_is_split_equally(small_journeys):
    tp = make_touchpoints({1: ["referral", "shopping", "shopping"]})  # channels absent from the fitted paths
    out = markov_conversion_credit(tp, small_journeys)
    assert out["credit"].tolist() == pytest.approx([0.5, 0.25, 0.25])


def test_no_conversions_is_an_error():
    with pytest.raises(ValueError):
        removal_effects(_journeys([(["email"], 0, 3)]))
