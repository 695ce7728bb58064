import numpy as np
import pandas as pd
import pytest

from analytics.attribution.rules import RULE_MODELS, rule_credit
from .helpers import make_touchpoints


def _credits(paths, model, **kwargs):
    out = rule_credit(make_touchpoints(paths), model, **kwargs)
    return {cid: grp["credit"].tolist() for cid, grp in out.groupby("conversion_id")}


PATHS = {1: ["email"], 2: ["email", "direct"], 3: ["paid_social_tiktok", "email", "paid_search"],
         4: ["affiliate_kol", "email", "paid_search", "shopping", "direct"], 5: ["direct", "direct"]}


def test_first_and_last_touch():
    first, last = _credits(PATHS, "first_touch"), _credits(PATHS, "last_touch")
    for cid, path in PATHS.items():
        assert first[cid] == [1.0] + [0.0] * (len(path) - 1)
        assert last[cid] == [0.0] * (len(path) - 1) + [1.0]


def test_last_non_direct_skips_direct_but_keeps_all_direct_conversions():
    got = _credits(PATHS, "last_non_direct")
    assert got[2] == [1.0, 0.0]
    assert got[4] == [0.0, 0.0, 0.0, 1.0, 0.0]
    assert got[5] == [0.0, 1.0]  # only direct: its last touchpoint keeps the credit


def test_linear():
    got = _credits(PATHS, "linear")
    for cid, path in PATHS.items():
        assert got[cid] == pytest.approx([1 / len(path)] * len(path))


def test_position_based_40_20_40():
    got = _credits(PATHS, "position_based")
    assert got[1] == [1.0]
    assert got[2] == [0.5, 0.5]
    assert got[3] == pytest.approx([0.4, 0.2, 0.4])
    assert got[4] == pytest.approx([0.4, 0.2 / 3, 0.2 / 3, 0.2 / 3, 0.4])


def test_time_decay_halves_weight_per_half_life():
    converted_at = pd.Timestamp("2026-03-20")
    half_life = 7.0
    ages = [21.0, 7.0, 0.0]  # three, one and zero half-lives before the order
    tp = pd.DataFrame({"conversion_id": 1, "touchpoint_id": [10, 11, 12], "channel": ["email", "shopping", "direct"],
                       "touched_at": [converted_at - pd.Timedelta(days=a) for a in ages]})
    conversions = pd.DataFrame({"conversion_id": [1], "conversion_value": [100.0], "converted_at": [converted_at]})
    credit = rule_credit(tp, "time_decay", conversions, half_life_days=half_life)["credit"].to_numpy()
    weights = np.array([0.125, 0.5, 1.0])
    assert credit == pytest.approx(weights / weights.sum())
    # without converted_at the last touchpoint is the reference; here it is the same instant
    assert rule_credit(tp, "time_decay", half_life_days=half_life)["credit"].to_numpy() == pytest.approx(credit)


def test_ties_in_time_break_on_touchpoint_id():
    t = pd.Timestamp("2026-03-01")
    tp = pd.DataFrame({"conversion_id": 1, "touchpoint_id": [7, 3], "channel": ["email", "direct"],
                       "touched_at": [t, t]})
    out = rule_credit(tp, "first_touch")
    assert out.loc[out["credit"] == 1.0, "touchpoint_id"].tolist() == [3]


@pytest.mark.parametrize("model", RULE_MODELS)
def test_credits_sum_to_one_and_revenue_is_credit_times_value(model, small_conversions):
    conversions, touchpoints = small_conversions
    out = rule_credit(touchpoints, model, conversions)
    sums = out.groupby("conversion_id")["credit"].sum()
    assert np.abs(sums - 1).max() <= 1e-9
    value = conversions.set_index("conversion_id")["conversion_value"]
    assert out["attributed_revenue"].to_numpy() == pytest.approx(
        out["credit"].to_numpy() * out["conversion_id"].map(value).to_numpy())


def test_unknown_model_is_rejected(small_conversions):
    with pytest.raises(ValueError):
        rule_credit(small_conversions[1], "u_shaped")


def _naive(touches, model, converted_at, half_life):
    """Straight per-conversion definition, one conversion at a time (the readable oracle)."""
    touches = sorted(touches, key=lambda t: (t["touched_at"], t["touchpoint_id"]))
    n = len(touches)
    if model == "first_touch":
        w = [1.0 if i == 0 else 0.0 for i in range(n)]
    elif model == "last_touch":
        w = [1.0 if i == n - 1 else 0.0 for i in range(n)]
    elif model == "last_non_direct":
        non_direct = [i for i, t in enumerate(touches) if t["channel"] != "direct"]
        pick = non_direct[-1] if non_direct else n - 1
        w = [1.0 if i == pick else 0.0 for i in range(n)]
    elif model == "linear":
        w = [1.0 / n] * n
    elif model == "time_decay":
        raw = [0.5 ** ((converted_at - t["touched_at"]).total_seconds() / 86400 / half_life) for t in touches]
        w = [r / sum(raw) for r in raw]
    else:
        w = [1.0] if n == 1 else [0.5, 0.5] if n == 2 else [0.4] + [0.2 / (n - 2)] * (n - 2) + [0.4]
    return {t["touchpoint_id"]: x for t, x in zip(touches, w)}


@pytest.fixture(scope="module")
def random_touchpoints():
    rng = np.random.default_rng(5)
    n_conv = 300
    channels = np.array(["direct", "email", "paid_search", "paid_social_meta", "affiliate_kol"])
    base = pd.Timestamp("2026-02-01", tz="UTC")
    ids = np.array([f"order-{x}-{i}" for i, x in enumerate(rng.integers(10**6, size=n_conv))])  # unsorted strings
    converted_at = base + pd.to_timedelta(rng.integers(30, 60, size=n_conv), unit="D")
    per_conversion = rng.integers(1, 7, size=n_conv)
    owner = np.repeat(np.arange(n_conv), per_conversion)
    tp = pd.DataFrame({
        "conversion_id": ids[owner],
        "touchpoint_id": rng.permutation(len(owner)) * 7,
        "channel": channels[rng.integers(len(channels), size=len(owner))],
        # whole hours within 3 days of the order: ties between touchpoints happen
        "touched_at": converted_at[owner] - pd.to_timedelta(rng.integers(0, 72, size=len(owner)), unit="h"),
    }).sample(frac=1.0, random_state=1)
    conv = pd.DataFrame({"conversion_id": ids, "conversion_value": 10.0, "converted_at": converted_at})
    return tp, conv


@pytest.mark.parametrize("model", RULE_MODELS)
def test_vectorised_rules_match_a_naive_per_conversion_implementation(model, random_touchpoints):
    tp, conv = random_touchpoints
    got = rule_credit(tp, model, conv, half_life_days=2.0).set_index("touchpoint_id")["credit"]
    converted_at = dict(zip(conv["conversion_id"], conv["converted_at"]))
    expected = {}
    for cid, group in tp.groupby("conversion_id"):
        expected.update(_naive(group.to_dict("records"), model, converted_at[cid], 2.0))
    assert got.sort_index().to_numpy() == pytest.approx(pd.Series(expected).sort_index().to_numpy(), abs=1e-12)
