"""The attribution accuracy table of each market the `ml` step builds: every model's TVD to the true incremental
channel shares, as built and incremental (tests/attribution_marts/helpers.accuracy_table), and issue 5's bar.

Written by `python -m bench --only ml` beside ml_accuracy: bench/results/attribution_accuracy.json and .md.
"""
from __future__ import annotations

import json
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "attribution_accuracy.json"
BAR_TVD, BAR_RATIO = 0.10, 0.5


def evaluate(warehouse: Path, truth: Path) -> dict:
    from tests.attribution_marts.helpers import accuracy_table, best_data_driven

    with duckdb.connect(str(warehouse), read_only=True) as con:
        side_by_side, distances = accuracy_table(con, truth / "channel_incrementality.csv")
    best, tvd = best_data_driven(distances)
    last_touch = float(distances.loc["last_touch", "tvd"])
    return {
        "models": list(distances.index),
        "tvd": distances["tvd"].round(4).to_dict(),
        "shares": side_by_side.drop(index="TVD").round(4).to_dict(),
        "best_data_driven": best,
        "best_tvd": round(tvd, 4),
        "ratio_to_last_touch": round(tvd / last_touch, 3) if last_touch > 0 else None,
        "passes": bool(tvd <= BAR_TVD and tvd <= BAR_RATIO * last_touch),
    }


def markdown(results: dict) -> str:
    labels = sorted(results)
    models = list(dict.fromkeys(m for k in labels for m in results[k].get("models", results[k]["tvd"])))
    lines = ["# Attribution accuracy (written by `python -m bench --only ml`)", "",
             "TVD between each model's channel revenue shares and the simulator's true incremental shares (channels "
             "in the paths; `<model>_incremental` = incremental_attributed_revenue + acquisition_repeat_revenue). "
             f"Bar (issue 5): the best data-driven model ≤ {BAR_TVD} and ≤ {BAR_RATIO} × last touch.", "",
             "| model | " + " | ".join(labels) + " |", "|---|" + "--:|" * len(labels)]
    for model in models:
        lines.append(f"| {model} | " + " | ".join(f"{results[k]['tvd'].get(model, float('nan')):.3f}" for k in labels)
                     + " |")
    lines.append("| **best data-driven** | " + " | ".join(
        f"**{results[k]['best_tvd']:.3f}** ({results[k]['best_data_driven']}, ratio {results[k]['ratio_to_last_touch']})"
        for k in labels) + " |")
    lines.append("| bar | " + " | ".join("PASS" if results[k]["passes"] else "FAIL" for k in labels) + " |")
    return "\n".join(lines) + "\n"


def record(label: str, warehouse: Path, truth: Path, say=print) -> dict:
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[label] = evaluate(warehouse, truth)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    RESULTS.with_suffix(".md").write_text(markdown(results))
    res = results[label]
    say(f"bench ml [{label}]: attribution best data-driven {res['best_data_driven']} TVD {res['best_tvd']} "
        f"(ratio to last touch {res['ratio_to_last_touch']}): {'PASS' if res['passes'] else 'FAIL'}")
    return res
