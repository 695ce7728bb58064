"""Bench-only comparison with the ``ChannelAttribution`` package (GPL-3, simulation-based Markov).

ChannelAttribution is NEVER a dependency of this project (runtime or dev). It ships as an sdist that
compiles C++ (and imports matplotlib without declaring it), so run this script from a separate,
throw-away environment that has the repository on its path:

    python3.11 -m venv /tmp/ca-venv
    /tmp/ca-venv/bin/pip install numpy pandas pyarrow scipy matplotlib ChannelAttribution
    PYTHONPATH=. /tmp/ca-venv/bin/python -m bench.attribution_channelattribution --journeys 200000

It compares, on the same synthetic journeys, (1) Markov removal-effect shares from our exact
absorbing-chain solve and from ChannelAttribution's ``markov_model(order=1)`` simulation (max
difference in percentage points of share, and run times), and (2) first/last/linear channel totals
from our rule oracles against ChannelAttribution's ``heuristic_models``.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import time

import numpy as np
import pandas as pd

from analytics.attribution import aggregate_paths, markov_channel_credit, rule_credit
from analytics.attribution.synthetic import default_world, simulate

CA_SEP = ">"


def _ca_input(counts) -> pd.DataFrame:
    return pd.DataFrame({
        "path": [p.replace(" > ", CA_SEP) for p in counts.path],  # one entry per distinct path
        "total_conversions": counts.conversions,
        "total_null": counts.non_conversions,
        "total_conversion_value": counts.conversion_value,
    })


def compare(journeys: int, seed: int, nsim_start: float, conv_par: float) -> dict:
    try:
        import ChannelAttribution as ca
    except ImportError as exc:  # not installed here: that is the normal case
        return {"skipped": f"ChannelAttribution not importable ({exc}); see this module's docstring"}

    data = simulate(default_world(), journeys, seed=seed)
    counts = aggregate_paths(data.journeys)
    frame = _ca_input(counts)

    started = time.perf_counter()
    ours = markov_channel_credit(counts).set_index("channel")
    ours_seconds = time.perf_counter() - started

    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        result = ca.markov_model(frame, "path", "total_conversions", var_value="total_conversion_value",
                                 var_null="total_null", order=1, out_more=True, nsim_start=nsim_start,
                                 conv_par=conv_par, seed=seed, verbose=False, flg_pro=False)
    ca_seconds = time.perf_counter() - started
    removal = result["removal_effects"].set_index("channel_name")["removal_effects_conversion"]
    ca_share = removal / removal.sum()
    diff_pp = (ca_share.reindex(ours.index) - ours["share"]).abs() * 100

    with contextlib.redirect_stdout(io.StringIO()):
        heuristic = ca.heuristic_models(frame, "path", "total_conversions", flg_pro=False).set_index("channel_name")
    rule_check = {}
    for ours_name, ca_name in (("first_touch", "first_touch"), ("last_touch", "last_touch"), ("linear", "linear_touch")):
        credit = rule_credit(data.touchpoints, ours_name).groupby("channel")["credit"].sum()
        rule_check[ours_name] = float((credit - heuristic[ca_name].reindex(credit.index)).abs().max())

    return {
        "journeys": len(data.journeys), "distinct_paths": len(counts.path),
        "exact_seconds": round(ours_seconds, 4), "channelattribution_seconds": round(ca_seconds, 3),
        "channelattribution_settings": {"order": 1, "nsim_start": nsim_start, "conv_par": conv_par, "seed": seed},
        "max_share_difference_pp": round(float(diff_pp.max()), 3),
        "share": pd.DataFrame({"exact": ours["share"], "channelattribution": ca_share.reindex(ours.index),
                               "abs_diff_pp": diff_pp}).round(4).to_dict(orient="index"),
        "rule_models_max_abs_conversion_difference": rule_check,
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--nsim-start", type=float, default=1e5)
    parser.add_argument("--conv-par", type=float, default=0.05)
    args = parser.parse_args(argv)
    out = compare(args.journeys, args.seed, args.nsim_start, args.conv_par)
    print(json.dumps(out, indent=2, default=lambda x: float(x) if isinstance(x, np.floating) else str(x)))


if __name__ == "__main__":
    main()
