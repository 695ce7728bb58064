"""CLI: ``python -m pipelines.simulator generate|serve ...``"""
from __future__ import annotations

import argparse
import json
import sys
import time

from .scenario import ScenarioError


def _progress(start: float):
    def say(message: str) -> None:
        print(f"[sim {time.perf_counter() - start:6.1f}s] {message}", file=sys.stderr, flush=True)
    return say


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.simulator", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="generate the platform store and the ground truth")
    gen.add_argument("--scale", default="demo", choices=("small", "demo", "large"))
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--scenario", default=None, help="scenario YAML (merged over scenarios/default.yaml)")
    gen.add_argument("--days", type=int, default=None, help="override the scale's number of days")
    gen.add_argument("--people", type=int, default=None, help="override the scale's number of people")
    gen.add_argument("--out", default="data/sim", help="store folder (default data/sim)")
    gen.add_argument("--truth", default="data/truth", help="truth folder (default data/truth)")
    gen.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    srv = sub.add_parser("serve", help="serve a store on loopback with each platform's API style")
    srv.add_argument("--store", default="data/sim")
    srv.add_argument("--port", type=int, default=8765)
    srv.add_argument("--seed", type=int, default=0)
    srv.add_argument("--no-faults", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "generate":
        from .market import generate
        start = time.perf_counter()
        try:
            manifest = generate(scale=args.scale, seed=args.seed, scenario_path=args.scenario, days=args.days,
                                out_dir=args.out, truth_dir=args.truth, people=args.people,
                                progress=None if args.quiet else _progress(start))
        except ScenarioError as exc:
            print(f"error: invalid scenario: {exc}", file=sys.stderr)
            return 2
        except FileExistsError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(json.dumps({k: manifest[k] for k in ("scale", "seed", "as_of_date", "days", "people", "web_event_files")}))
        return 0
    from .server import serve_forever  # written by the server module's owner
    serve_forever(args.store, port=args.port, faults=not args.no_faults, seed=args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
