import numpy as np
import pandas as pd
import pytest

from analytics.anomalies import (
    InsufficientDataError,
    detect_anomalies,
    forecast_by_series,
    forecast_series,
    largest_contributors,
)

WEEKLY = np.array([1.0, 0.95, 0.9, 0.92, 1.05, 1.2, 1.15])


def kpi_series(n=240, level=1000.0, trend=1.0, noise=0.05, seed=0, start="2025-01-01"):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = (level + trend * t) * WEEKLY[t % 7] * (1 + noise * rng.standard_normal(n))
    return pd.DataFrame({"date": pd.date_range(start, periods=n, freq="D"), "value": values})


def test_planted_spikes_and_drops_are_found():
    hits = planted = 0
    for seed in range(40):
        df = kpi_series(seed=100 + seed)
        rng = np.random.default_rng(seed)
        idx = rng.choice(np.arange(60, len(df)), 5, replace=False)
        df.loc[idx, "value"] *= np.where(rng.random(5) < 0.5, 1.5, 0.6)
        out = detect_anomalies(df)
        hits += int(out.loc[idx, "is_anomaly"].sum())
        planted += 5
        assert set(out.loc[idx[out.loc[idx, "is_anomaly"].to_numpy()], "direction"]) <= {"up", "down"}
    assert hits / planted >= 0.9, hits / planted


def test_clean_series_flag_rate_stays_low():
    flags = scored = 0
    for seed in range(40):
        out = detect_anomalies(kpi_series(seed=seed))
        ok = out["robust_z"].notna()
        flags += int(out.loc[ok, "is_anomaly"].sum())
        scored += int(ok.sum())
    assert flags / scored <= 0.01, flags / scored


def test_output_has_expected_value_band_and_warmup_notes():
    out = detect_anomalies(kpi_series(n=120))
    assert {"expected", "lower", "upper", "robust_z", "is_anomaly", "direction", "note"} <= set(out.columns)
    scored = out[out["robust_z"].notna()]
    assert (scored["lower"] < scored["expected"]).all() and (scored["expected"] < scored["upper"]).all()
    assert out["note"].iloc[0].startswith("warming up")
    assert not out.loc[out["robust_z"].isna(), "is_anomaly"].any()


def test_series_flat_at_zero_is_not_scored_and_every_band_is_ordered():
    """A sparse series (zero on most days: a small market's orders) has no spread to draw a band from."""
    n = 120
    values = np.zeros(n)
    values[[70, 95, 110]] = 132.0
    df = pd.DataFrame({"date": pd.date_range("2025-01-01", periods=n, freq="D"), "value": values})
    out = detect_anomalies(df)
    scored = out.dropna(subset=["expected"])
    assert (scored["lower"] <= scored["upper"]).all()
    flat = out["note"].str.startswith("not scored")
    assert flat.any() and out.loc[flat, ["expected", "lower", "upper", "robust_z"]].isna().all().all()
    assert not out.loc[flat, "is_anomaly"].any()
    # as a component it still explains the total's deviation: its expected value is zero
    comp = pd.concat([kpi_series(n=n).assign(market="big"), df.assign(market="tiny")], ignore_index=True)
    contrib = largest_contributors(comp, ["market"], dates=[df["date"].iloc[110]])
    tiny = contrib.set_index("market").loc["tiny"]
    assert tiny["expected"] == 0.0 and tiny["deviation"] == 132.0


def test_only_past_days_enter_a_days_baseline():
    df = kpi_series(n=150)
    base = detect_anomalies(df)
    changed = df.copy()
    changed.loc[120:, "value"] *= 5  # the future changes...
    out = detect_anomalies(changed)
    pd.testing.assert_frame_equal(out.iloc[:120], base.iloc[:120])  # ...the past verdicts do not


def test_series_are_scored_separately():
    a = kpi_series(seed=1).assign(market="US")
    b = kpi_series(level=50.0, trend=0.0, seed=2).assign(market="JP")
    out = detect_anomalies(pd.concat([a, b]), series_cols=["market"])
    assert list(out.columns[:2]) == ["market", "date"]
    assert out.groupby("market")["expected"].median()["JP"] < 100


def test_largest_contributor_is_the_planted_component():
    parts = []
    for i, (market, level) in enumerate([("US", 600.0), ("DE", 300.0), ("JP", 200.0)]):
        for j, channel in enumerate(["search", "social"]):
            df = kpi_series(level=level, seed=10 * i + j).assign(market=market, channel=channel)
            if market == "DE" and channel == "social":
                df.loc[200, "value"] *= 3.0
            parts.append(df)
    components = pd.concat(parts, ignore_index=True)
    spike_day = components["date"].iloc[200]
    out = largest_contributors(components, ["market", "channel"])
    day = out[out["date"] == spike_day]
    assert not day.empty, "the total series must be flagged on the spike day"
    top = day[day["is_largest_contributor"]].iloc[0]
    assert (top["market"], top["channel"]) == ("DE", "social")
    assert day["share_of_deviation"].sum() == pytest.approx(1.0)
    assert top["share_of_deviation"] > 0.5

    explicit = largest_contributors(components, ["market", "channel"], dates=[spike_day])
    assert explicit.iloc[0][["market", "channel"]].tolist() == ["DE", "social"]


def test_forecast_tracks_a_seasonal_series_with_honest_intervals():
    full = kpi_series(n=210, seed=5)
    history, future = full.iloc[:180], full.iloc[180:]
    fc = forecast_series(history, horizon_days=30)
    assert len(fc) == 30 and (fc["model"] == "HW(A,Ad,A)").all()
    assert (fc["date"].to_numpy() == future["date"].to_numpy()).all()
    mape = np.mean(np.abs(fc["forecast"].to_numpy() - future["value"].to_numpy()) / future["value"].to_numpy())
    assert mape < 0.08, mape
    inside = (future["value"].to_numpy() >= fc["lower"].to_numpy()) & (future["value"].to_numpy() <= fc["upper"].to_numpy())
    assert inside.mean() >= 0.8
    assert (fc["lower"] <= fc["forecast"]).all() and (fc["forecast"] <= fc["upper"]).all()


def test_short_series_fall_back_with_a_message():
    fc = forecast_series(kpi_series(n=15), horizon_days=30)
    assert (fc["model"] == "HW(A,Ad,N)").all() and "no weekly seasonality" in fc["note"].iloc[0]
    with pytest.raises(InsufficientDataError, match="at least 7 days"):
        forecast_series(kpi_series(n=5))
    mixed = pd.concat([kpi_series(n=90).assign(market="US"), kpi_series(n=4).assign(market="SA")])
    out = forecast_by_series(mixed, ["market"])
    sa = out[out["market"] == "SA"]
    assert len(sa) == 1 and sa["forecast"].isna().all() and "at least 7 days" in sa["note"].iloc[0]
    assert (out[out["market"] == "US"]["model"] == "HW(A,Ad,A)").all()


def test_non_negative_kpis_are_never_forecast_below_zero():
    df = kpi_series(n=60, level=5.0, noise=0.8, seed=3)
    df["value"] = df["value"].clip(lower=0)
    fc = forecast_series(df)
    assert (fc[["forecast", "lower", "upper"]] >= 0).all().all()


def test_empty_inputs_raise_clear_errors():
    empty = pd.DataFrame({"date": [], "value": []})
    with pytest.raises(InsufficientDataError, match="no rows"):
        detect_anomalies(empty)
    with pytest.raises(InsufficientDataError, match="no rows"):
        largest_contributors(empty.assign(market=[]), ["market"])
    with pytest.raises(InsufficientDataError, match="missing column"):
        detect_anomalies(pd.DataFrame({"day": [1], "value": [1.0]}))
