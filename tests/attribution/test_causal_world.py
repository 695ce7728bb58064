"""Accuracy against a synthetic world whose true channel effects are known (see synthetic.py)."""
from dataclasses import replace

import numpy as np
import pytest

from analytics.attribution import accuracy_report, attribute
from analytics.attribution.evaluate import model_revenue_shares
from analytics.attribution.synthetic import default_world, simulate

N_JOURNEYS = 60_000


def _creator_led():
    """Creators and email matter most; a creator post makes a later search more effective."""
    world = default_world().with_lift("affiliate_kol", 1.2).with_lift("paid_social_tiktok", 0.4).with_lift("email", 0.6)
    return replace(world, interaction_lift={("affiliate_kol", "paid_search"): 0.6,
                                            ("paid_social_tiktok", "shopping"): 0.4})


def _retention_led():
    """Email and referral drive sales, direct has no effect but closes many journeys."""
    world = (default_world().with_lift("email", 1.0).with_lift("referral", 1.0).with_lift("paid_social_meta", 0.3)
             .with_lift("paid_social_tiktok", 0.5).with_lift("direct", 0.0))
    induced = {**world.induced_exposure, ("email", "direct"): 0.6, ("referral", "direct"): 0.5}
    return replace(world, induced_exposure=induced, base_log_odds=-4.0)


WORLDS = {"default": (default_world, 11), "creator_led": (_creator_led, 5), "retention_led": (_retention_led, 23)}


@pytest.mark.parametrize("name", list(WORLDS))
def test_data_driven_model_halves_last_touch_distance_to_truth(name):
    make_world, seed = WORLDS[name]
    data = simulate(make_world(), N_JOURNEYS, seed=seed)
    attribution = attribute(data.journeys, data.touchpoints, data.conversions)
    tvd = accuracy_report(attribution, data.truth).distances.set_index("model")["tvd"]
    best = min(tvd["markov"], tvd["shapley"])
    assert tvd["last_touch"] > 0.2, "the world must make last-touch clearly biased for this test to mean anything"
    assert best <= 0.5 * tvd["last_touch"], tvd.round(3).to_dict()


@pytest.mark.parametrize("channel,new_lift", [("email", 0.9), ("paid_search", 0.6), ("affiliate_kol", 1.4)])
def test_raising_a_channels_true_effect_raises_its_data_driven_credit(channel, new_lift):
    world = default_world()
    assert new_lift > world.channels[channel].log_odds_lift
    shares = {}
    for label, w in (("before", world), ("after", world.with_lift(channel, new_lift))):
        data = simulate(w, N_JOURNEYS, seed=3)  # same seed: same exposures and random draws
        attribution = attribute(data.journeys, data.touchpoints, data.conversions, models=("markov", "shapley"))
        shares[label] = model_revenue_shares(attribution).loc[channel]
        shares[label + "_truth"] = data.truth.set_index("channel")["incremental_revenue"].drop("baseline")
    truth_before = shares["before_truth"] / shares["before_truth"].sum()
    truth_after = shares["after_truth"] / shares["after_truth"].sum()
    assert truth_after[channel] > truth_before[channel]
    for model in ("markov", "shapley"):
        assert shares["after"][model] > shares["before"][model], model


def test_truth_matches_counterfactual_removal_with_common_random_numbers():
    """The generator's expected increments equal realised removal effects up to sampling noise."""
    world = default_world()
    base = simulate(world, N_JOURNEYS, seed=7)
    truth = base.truth.set_index("channel")["incremental_orders"]
    for channel in ("paid_social_tiktok", "email", "direct"):
        removed = simulate(world.with_lift(channel, 0.0), N_JOURNEYS, seed=7)
        realised = len(base.conversions) - len(removed.conversions)
        assert realised == pytest.approx(truth[channel], abs=4 * np.sqrt(truth[channel]) + 1)
