"""DESIGN §7 invariants for every model: credits per conversion sum to 1, revenue is conserved."""
import numpy as np
import pytest

from analytics.attribution import DATA_DRIVEN_MODELS, MODELS, RULE_MODELS, attributable_revenue, attribute, check_invariants


@pytest.fixture(params=["hand_built", "causal_world"])
def inputs(request, small_journeys, small_conversions, causal_world_data):
    if request.param == "hand_built":
        conversions, touchpoints = small_conversions
        return small_journeys, conversions, touchpoints
    d = causal_world_data
    return d.journeys, d.conversions, d.touchpoints


def test_every_model_sums_to_one_per_conversion_and_conserves_revenue(inputs):
    journeys, conversions, touchpoints = inputs
    out = attribute(journeys, touchpoints, conversions)
    assert set(out["model"]) == set(MODELS)
    expected_revenue = attributable_revenue(touchpoints, conversions)
    for model, frame in out.groupby("model", observed=True):
        sums = frame.groupby("conversion_id")["credit"].sum()
        assert np.abs(sums - 1.0).max() <= 1e-9, model
        assert len(sums) == touchpoints["conversion_id"].nunique(), model
        assert frame["attributed_revenue"].sum() == pytest.approx(expected_revenue, rel=1e-12), model
        assert (frame["credit"] >= 0).all(), model
        assert len(frame) == len(touchpoints), model  # one row per touchpoint: the shared grain
    check_invariants(out, touchpoints, conversions)


def test_baseline_conversions_get_no_credit(small_journeys, small_conversions):
    conversions, touchpoints = small_conversions
    out = attribute(small_journeys, touchpoints, conversions)
    untouched = set(conversions["conversion_id"]) - set(touchpoints["conversion_id"])
    assert untouched and not untouched & set(out["conversion_id"])


def test_check_invariants_catches_a_broken_model(small_journeys, small_conversions):
    conversions, touchpoints = small_conversions
    out = attribute(small_journeys, touchpoints, conversions, models=("linear",))
    out.loc[0, "credit"] += 0.01
    with pytest.raises(AssertionError):
        check_invariants(out, touchpoints, conversions)


def test_model_names_are_the_eight_of_the_design():
    assert MODELS == RULE_MODELS + DATA_DRIVEN_MODELS == (
        "first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based", "markov", "shapley")
