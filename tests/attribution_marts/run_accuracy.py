"""One command for the attribution accuracy table: build each raw warehouse's attribution marts on a private copy
(dbt -> data-driven asset -> dbt, as the Dagster job does) and print / write each model's TVD to the truth.

    .venv/bin/python -m tests.attribution_marts.run_accuracy RAW.duckdb [RAW2.duckdb ...] [--json out.json]
        [--workdir DIR] [--prebuilt]

Each raw warehouse needs its simulator `truth/` (and `sim/manifest.json` for as_of_date) beside it, as
`pipelines.simulator generate --out X/sim --truth X/truth` + ingestion into `X/warehouse.duckdb` lay them out.
`--prebuilt` takes already built warehouses instead (marts and ml tables present).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import duckdb

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests.attribution_marts.helpers import accuracy_table, as_of_from_manifest, build_attribution_warehouse
else:
    from .helpers import accuracy_table, as_of_from_manifest, build_attribution_warehouse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("warehouses", nargs="+", type=Path)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--prebuilt", action="store_true", help="the warehouses are already built")
    args = parser.parse_args(argv)
    results = {}
    # prebuilt warehouses need no work folder (an empty temporary folder per bench run was left behind)
    workroot = args.workdir or (None if args.prebuilt else Path(tempfile.mkdtemp(prefix="attribution_accuracy_")))
    for i, raw in enumerate(args.warehouses):
        truth = raw.parent / "truth" / "channel_incrementality.csv"
        name = f"{raw.parent.name}"
        if args.prebuilt:
            path = raw
        else:
            built = build_attribution_warehouse(raw, workroot / f"{i}_{name}", as_of_from_manifest(raw))
            failed = [run for run in built.runs if run.returncode != 0]
            if failed:
                print(failed[0].output[-4000:], file=sys.stderr)
                return 1
            path = built.path
        with duckdb.connect(str(path), read_only=True) as con:
            side_by_side, distances = accuracy_table(con, truth)
            conversions = con.execute("select count(distinct conversion_id) from marts.fct_attribution").fetchone()[0]
        print(f"\n== {name} ({conversions} attributable conversions)\n{side_by_side.round(3).to_string()}")
        results[name] = {"conversions": int(conversions),
                         "tvd": distances["tvd"].round(4).to_dict(),
                         "ratio_to_last_touch": distances["ratio_to_last_touch"].round(4).to_dict()}
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
