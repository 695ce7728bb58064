"""The person-day model behind Shapley (analytics/attribution/exposure_model.py) and its warehouse cells
(read_exposure_cells in orchestration/defs/attribution/data_driven.py) on worlds drawn from the model itself."""
from __future__ import annotations

from collections import Counter

import duckdb
import numpy as np
import pandas as pd
import pytest

from analytics.attribution.exposure_model import choose_window, credit_within_window, exposure_touchpoints
from tests.attribution_marts.helpers import load_data_driven

CHANNELS = ("search", "social", "email")
LIFTS = (0.012, 0.004, 0.0)           # email does nothing
BASELINE, RETURNING = 0.0015, 0.006
START = pd.Timestamp("2026-01-01")


def simulate(persons: int, days: int, window: int, seed: int = 0, rates=(0.03, 0.08, 0.05)):
    """(touchpoints, orders) of a world whose daily purchase hazard is exactly the model's with ``window``.
    Every person is first touched on day 0; touches at 08:00, orders at 20:00 (after the day's touches)."""
    rng = np.random.default_rng(seed)
    touched = rng.random((persons, days, len(CHANNELS))) < np.asarray(rates)
    touched[np.arange(persons), 0, rng.integers(0, len(CHANNELS), persons)] = True
    cum = np.cumsum(touched, axis=1)
    lagged = np.zeros_like(cum)
    lagged[:, window:] = cum[:, :-window]
    lift = ((cum - lagged) > 0).astype(float) @ np.asarray(LIFTS)
    ordered = np.zeros((persons, days), dtype=bool)
    returning = np.zeros(persons, dtype=bool)
    for d in range(days):
        ordered[:, d] = rng.random(persons) < -np.expm1(-(BASELINE + RETURNING * returning + lift[:, d]))
        returning |= ordered[:, d]
    p, d, c = np.nonzero(touched)
    touchpoints = pd.DataFrame({
        "person_id": [f"p{i}" for i in p], "channel": np.asarray(CHANNELS)[c], "is_navigational": False,
        "touchpoint_at": START + pd.to_timedelta(d, unit="D") + pd.Timedelta(hours=8)})
    p, d = np.nonzero(ordered)
    orders = pd.DataFrame({"person_id": [f"p{i}" for i in p], "order_id": [f"o{k}" for k in range(len(p))],
                           "ordered_at": START + pd.to_timedelta(d, unit="D") + pd.Timedelta(hours=20),
                           "is_cancelled": False})
    return touchpoints, orders


def warehouse_cells(touchpoints, orders, window: int, as_of: str, prior_history=()) -> pd.DataFrame:
    con = duckdb.connect()
    con.register("tp", touchpoints)
    con.register("od", orders)
    con.register("ph", pd.DataFrame({"person_id": pd.Series(list(prior_history), dtype=str)}))
    return load_data_driven().read_exposure_cells(con, CHANNELS, window, as_of, touchpoints_relation="tp",
                                                  orders_relation="od", prior_history_relation="ph")


def brute_force_cells(touchpoints, orders, window: int, as_of: str, prior_history=()) -> Counter:
    """Person by person, day by day: the definition in read_exposure_cells' docstring, written out (a person in
    ``prior_history`` ordered before the data began: a returning customer on every day)."""
    as_of = pd.Timestamp(as_of)
    tp = touchpoints[~touchpoints["is_navigational"]]
    od = orders[~orders["is_cancelled"]]
    cells = Counter()
    for person, mine in tp.groupby("person_id"):
        theirs = od[od["person_id"] == person]["ordered_at"]
        first_day = mine["touchpoint_at"].min().normalize()
        first_order_day = theirs.min().normalize() if len(theirs) else None
        day = first_day
        while day <= as_of:
            today_orders = theirs[theirs.dt.normalize() == day]
            first_at = today_orders.min() if len(today_orders) else None
            mask = 0
            for bit, channel in enumerate(CHANNELS):
                at = mine[mine["channel"] == channel]["touchpoint_at"]
                lag = (day - at.dt.normalize()).dt.days
                before = (lag > 0) & (lag < window)
                today = (lag == 0) & ((at < first_at) if first_at is not None else True)
                if (before | today).any():
                    mask |= 1 << bit
            returning = person in prior_history or (first_order_day is not None and first_order_day < day)
            cells[(mask, returning, len(today_orders) > 0)] += 1
            day += pd.Timedelta(days=1)
    return cells


def test_warehouse_cells_equal_the_definition_counted_day_by_day():
    touchpoints, orders = simulate(persons=60, days=30, window=5, seed=3, rates=(0.1, 0.1, 0.1))
    # a touch after the day's order, a navigational visit, a cancelled order and a person with orders but no touch
    touchpoints.loc[len(touchpoints)] = ["late", "search", False, START + pd.Timedelta(days=2, hours=8)]
    touchpoints.loc[len(touchpoints)] = ["late", "social", False, START + pd.Timedelta(days=5, hours=21)]
    orders.loc[len(orders)] = ["late", "x0", START + pd.Timedelta(days=5, hours=20), False]
    touchpoints.loc[len(touchpoints)] = ["p1", "search", True, START + pd.Timedelta(days=3)]
    orders.loc[len(orders)] = ["p2", "x1", START + pd.Timedelta(days=4, hours=1), True]
    orders.loc[len(orders)] = ["nobody", "x2", START + pd.Timedelta(days=4, hours=1), False]
    as_of = "2026-01-25"   # touches and orders after it are out
    # customers since before the data: p3 (whatever it orders here), p4, and one the touchpoints never saw
    prior = ("p3", "p4", "ghost")
    sql = warehouse_cells(touchpoints, orders, 5, as_of, prior)
    ours = Counter({(int(m), bool(r), bool(c)): int(w) for m, r, c, w in
                    sql[["mask", "is_returning_customer", "converted", "weight"]].itertuples(index=False)})
    assert ours == brute_force_cells(touchpoints, orders, 5, as_of, prior)
    # the history moves those persons' days, and only theirs, to returning customers
    without = Counter({(int(m), bool(r), bool(c)): int(w) for m, r, c, w in warehouse_cells(
        touchpoints, orders, 5, as_of)[["mask", "is_returning_customer", "converted", "weight"]].itertuples(index=False)})
    assert without == brute_force_cells(touchpoints, orders, 5, as_of)
    moved = sum(w for (m, r, c), w in ours.items() if r) - sum(w for (m, r, c), w in without.items() if r)
    theirs = brute_force_cells(touchpoints[touchpoints["person_id"].isin(prior)],
                               orders[orders["person_id"].isin(prior)], 5, as_of)
    assert moved == sum(w for (m, r, c), w in theirs.items() if not r) > 0


@pytest.fixture(scope="module")
def world():
    return simulate(persons=6000, days=90, window=7, seed=11)


def test_window_is_chosen_by_likelihood_and_the_effects_are_recovered(world):
    touchpoints, orders = world
    cells = {w: warehouse_cells(touchpoints, orders, w, "2026-03-31") for w in (3, 7, 14)}
    fit = choose_window(cells, CHANNELS)
    assert fit.window_days == 7
    assert fit.log_likelihoods[7] > max(fit.log_likelihoods[3], fit.log_likelihoods[14])
    model = fit.model
    assert model.intercept == pytest.approx(BASELINE, rel=0.25)
    assert model.covariate_effects[0] == pytest.approx(RETURNING, rel=0.25)
    assert model.channel_effects[0] == pytest.approx(LIFTS[0], rel=0.15)
    assert model.channel_effects[1] == pytest.approx(LIFTS[1], rel=0.3)
    assert model.channel_effects[2] < 0.001
    assert fit.person_days == 6000 * 90


def test_candidate_windows_must_describe_the_same_person_days(world):
    touchpoints, orders = world
    cells = {3: warehouse_cells(touchpoints, orders, 3, "2026-03-31"),
             7: warehouse_cells(touchpoints, orders, 7, "2026-03-15")}
    with pytest.raises(ValueError, match="disagree"):
        choose_window(cells, CHANNELS)


def test_credit_goes_to_the_touchpoints_in_the_window_and_every_row_is_kept():
    converted = pd.Timestamp("2026-02-01 12:00")
    touchpoints = pd.DataFrame({
        "conversion_id": ["c1", "c1", "c1", "c2", "c2"],
        "touchpoint_id": ["a", "b", "c", "d", "e"],
        "channel": ["social", "search", "search", "email", "social"],
        "touched_at": [converted - pd.Timedelta(days=6, hours=13), converted - pd.Timedelta(days=6, hours=11),
                       converted - pd.Timedelta(hours=1), converted - pd.Timedelta(days=25),
                       converted - pd.Timedelta(days=9)],
    })
    conversions = pd.DataFrame({"conversion_id": ["c1", "c2"], "conversion_value": [100.0, 50.0],
                                "converted_at": [converted, converted]})
    # the window counts UTC calendar days, as the person-day cells do: b (2026-01-26 01:00, 6 days before 2026-02-01)
    # counts with a 7-day window, a (2026-01-25 23:00, 7 days before, though less than 7 x 24 h) does not; c2 has
    # nothing in the window, so both its touchpoints are kept
    counted = exposure_touchpoints(touchpoints, conversions, 7)
    assert sorted(counted["touchpoint_id"]) == ["b", "c", "d", "e"]
    assert counted.set_index("touchpoint_id")["in_exposure_window"].to_dict() == {
        "b": True, "c": True, "d": False, "e": False}

    def equal_split(tp):
        n = tp.groupby("conversion_id")["touchpoint_id"].transform("size")
        value = tp["conversion_id"].map(conversions.set_index("conversion_id")["conversion_value"])
        return tp[["conversion_id", "touchpoint_id", "channel"]].assign(
            model="shapley", credit=1.0 / n, attributed_revenue=value / n)

    credits = credit_within_window(touchpoints, conversions, 7, equal_split).set_index("touchpoint_id")
    assert sorted(credits.index) == ["a", "b", "c", "d", "e"]
    assert credits.loc["a", "credit"] == 0.0 and credits.loc["a", "attributed_revenue"] == 0.0
    assert credits.groupby("conversion_id")["credit"].sum().to_dict() == pytest.approx({"c1": 1.0, "c2": 1.0})
