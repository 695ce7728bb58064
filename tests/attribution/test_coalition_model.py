"""Model-based Shapley coalition values (analytics.attribution.coalition_model) on a confounded synthetic world.

World: returning customers buy far more often and also come back `direct` far more often; `direct` and `display`
have no causal effect, `search` has one. The raw conversion-rate game credits `direct` for the customers' own
propensity; the fitted model must not.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.attribution.coalition_model import baseline_shares, channel_masks, fit_coalition_model
from analytics.attribution.shapley import fit_shapley

TRUE_INTERCEPT, TRUE_RETURNING, TRUE_SEARCH = 0.02, 0.40, 0.08


def confounded_journeys(n: int = 60_000, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    returning = rng.random(n) < 0.3
    search = rng.random(n) < 0.4
    display = rng.random(n) < 0.5
    direct = rng.random(n) < np.where(returning, 0.8, 0.1)
    nothing = ~(search | display | direct)
    display |= nothing  # every journey has a touchpoint
    hazard = TRUE_INTERCEPT + TRUE_RETURNING * returning + TRUE_SEARCH * search
    converted = rng.random(n) < -np.expm1(-hazard)
    paths = [" > ".join(c for c, on in (("display", d), ("search", s), ("direct", t)) if on)
             for d, s, t in zip(display, search, direct)]
    return pd.DataFrame({"path": paths, "converted": converted, "is_returning_customer": returning,
                         "is_censored": False})


@pytest.fixture(scope="module")
def journeys() -> pd.DataFrame:
    return confounded_journeys()


def test_fitted_effects_recover_the_causal_ones(journeys):
    model = fit_coalition_model(journeys, ("direct", "display", "search"))
    effects = dict(zip(model.channels, model.channel_effects))
    assert effects["search"] == pytest.approx(TRUE_SEARCH, abs=0.015)
    assert effects["direct"] < 0.015
    assert effects["display"] < 0.015
    assert model.covariate_effects[0] == pytest.approx(TRUE_RETURNING, abs=0.05)
    assert model.intercept == pytest.approx(TRUE_INTERCEPT, abs=0.01)


def test_coalition_values_are_defined_everywhere_and_monotone(journeys):
    model = fit_coalition_model(journeys, ("direct", "display", "search"))
    v = model.value
    assert v[0] == 0.0 and np.isfinite(v).all()
    for s in range(1, len(v)):  # adding a channel never lowers the value (effects are >= 0)
        for i in range(3):
            if s >> i & 1:
                assert v[s] >= v[s ^ (1 << i)] - 1e-12


def test_model_value_removes_the_confounding_the_conversion_rate_game_suffers(journeys):
    def direct(**options) -> tuple[float, float]:
        """(direct's share of the grand coalition's Shapley values, its share of per-conversion credit)"""
        credit = fit_shapley(journeys, **options).channel_credit().set_index("channel")
        values = credit["shapley_value"].clip(lower=0)
        return float(values["direct"] / values.sum()), float(credit.loc["direct", "share"])

    raw_value, raw_credit = direct(value="conversion_rate")
    model_value, model_credit = direct(value="model")
    assert raw_value > 0.3               # the confounded game makes direct look causal
    assert model_value < 0.1
    # per conversion, direct-only conversions still give direct everything (credits sum to 1): less, not zero
    assert model_credit < raw_credit - 0.1


def test_without_the_covariate_the_model_is_confounded_too(journeys):
    """The covariate is what does the work: the same model without it credits direct."""
    model = fit_coalition_model(journeys.drop(columns="is_returning_customer"), ("direct", "display", "search"))
    assert model.covariates == ()
    assert dict(zip(model.channels, model.channel_effects))["direct"] > 0.05


def test_channel_masks_ignore_unknown_channels_and_repeats():
    masks = channel_masks(pd.Series(["a > b > a", "", "c", "b"]), ("a", "b"))
    assert masks.tolist() == [3, 0, 0, 2]


def test_model_value_needs_the_journeys_table():
    from analytics.attribution import aggregate_paths

    with pytest.raises(ValueError, match="journeys table"):
        fit_shapley(aggregate_paths(confounded_journeys(500)), value="model")


def test_baseline_share_of_a_conversion_is_its_share_of_the_fitted_hazard(journeys):
    """baseline_shares (what fct_attribution turns into incremental revenue): a returning customer's direct-only
    conversion is almost all baseline (direct has no effect here), a new customer's search conversion mostly
    search's; every set x covariate pattern is listed, seen or not (the empty set "" is all baseline), a channel
    with an effect lowers the share, and the returning-customer part is the covariate's share of the hazard."""
    channels = ("direct", "display", "search")
    model = fit_coalition_model(journeys, channels)
    table = baseline_shares(model).set_index(["channel_set", "is_returning_customer"])
    assert len(table) == 2 ** len(channels) * 2 and table.index.is_unique
    assert table["baseline_share"].between(0, 1).all()
    assert table.loc[("", False), "baseline_share"] == 1.0 and table.loc[("", False), "covariate_share"] == 0.0
    returning = table.xs(True, level="is_returning_customer")
    assert returning["covariate_share"].to_numpy() == pytest.approx(
        ((returning["baseline_hazard"] - model.intercept) / returning["conversion_hazard"]).to_numpy())
    assert (returning["covariate_share"] < returning["baseline_share"]).all()
    assert table.loc[("direct", True), "baseline_share"] > 0.95
    true_search_share = TRUE_SEARCH / (TRUE_INTERCEPT + TRUE_SEARCH)
    assert table.loc[("search", False), "baseline_share"] == pytest.approx(1 - true_search_share, abs=0.08)
    assert table.loc[("direct,search", False), "baseline_share"] < table.loc[("direct", False), "baseline_share"]
