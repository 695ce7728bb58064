"""What an explicit baseline share would do to the data-driven models' accuracy (an estimate, not a model in the
marts): each conversion's credits sum to 1 over its touchpoints, so the part of its revenue the customer would have
spent anyway is credited to the channels in its path. The coalition model (analytics.attribution.coalition_model)
already splits a journey's conversion hazard into a baseline part b0 + gamma * returning and the channels' parts
beta_c; under additive independent causes the baseline's share of a conversion is h0 / h. This scales each
conversion's credited revenue by 1 - h0 / h (the rest would go to an explicit "baseline" row) and reports every
model's TVD to the true incremental shares, next to the TVD of fct_attribution as built.

    .venv/bin/python -m tests.attribution_marts.baseline_split_estimate WAREHOUSE.duckdb [...]

Each built warehouse needs its simulator truth in `truth/` beside it (the `make bench` ml markets lay them out so).
Evaluation only: it reads the truth.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from analytics.attribution import read_truth  # noqa: E402
from analytics.attribution.coalition_model import channel_masks, fit_coalition_model  # noqa: E402
from analytics.attribution.evaluate import total_variation_distance, true_shares  # noqa: E402


def baseline_fraction(journeys: pd.DataFrame, channels: tuple[str, ...]) -> pd.Series:
    """Per converting journey's conversion_id: h0 / h of the fitted coalition model (1 for an empty path)."""
    model = fit_coalition_model(journeys, channels)
    conv = journeys[journeys["converted"].fillna(False).astype(bool) & journeys["conversion_id"].notna()]
    masks = channel_masks(conv["path"], channels)
    bits = ((masks[:, None] >> np.arange(len(channels))[None, :]) & 1).astype(float)
    x = (conv[list(model.covariates)].fillna(False).to_numpy(dtype=float) if model.covariates
         else np.zeros((len(conv), 0)))
    h0 = model.intercept + x @ model.covariate_effects
    h = h0 + bits @ model.channel_effects
    return pd.Series(np.where(masks > 0, h0 / h, 1.0), index=conv["conversion_id"].to_numpy())


def estimate(warehouse: Path) -> pd.DataFrame:
    truth = read_truth(warehouse.parent / "truth" / "channel_incrementality.csv")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        journeys = con.execute("select * from marts.fct_journey_paths").df()
        credits = con.execute("""select conversion_id, channel, model, sum(attributed_revenue)::double as revenue
                                 from marts.fct_attribution group by all""").df()
    finally:
        con.close()
    channels = tuple(sorted(credits["channel"].unique()))
    frac = baseline_fraction(journeys, channels)
    credits["incremental"] = credits["revenue"] * (1 - credits["conversion_id"].map(frac).fillna(0.0))
    target = true_shares(truth, list(channels))
    rows = []
    for model, g in credits.groupby("model"):
        row = {"model": model}
        for col, name in (("revenue", "tvd_as_built"), ("incremental", "tvd_baseline_split")):
            share = g.groupby("channel")[col].sum().reindex(list(channels)).fillna(0.0)
            row[name] = total_variation_distance(share / share.sum(), target)
        rows.append(row)
    out = pd.DataFrame(rows).set_index("model")
    out["baseline_share_of_revenue"] = float(
        (credits.loc[credits["model"] == "shapley", "revenue"] - credits.loc[credits["model"] == "shapley",
                                                                              "incremental"]).sum()
        / credits.loc[credits["model"] == "shapley", "revenue"].sum())
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("warehouses", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for wh in args.warehouses:
        if not (wh.exists() and (wh.parent / "truth" / "channel_incrementality.csv").exists()):
            print(f"need a built warehouse with truth/ beside it: {wh}", file=sys.stderr)
            return 2
        out = estimate(wh)
        print(f"\n{wh.parent.name}: baseline share of Shapley-credited revenue "
              f"{out['baseline_share_of_revenue'].iloc[0]:.3f}")
        print(out.drop(columns="baseline_share_of_revenue").round(3).to_markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
