"""Generate and build the ML evaluation market in a process of its own (started by tests/conftest.py).

The test session starts it at its first test when a selected test needs the evaluation market, so that its ~5 minute
build overlaps the tests that run before the evaluation tests. Exit status 0 and `<build>/build.ok` mean built;
otherwise the output (this process's log) says why.

    python tests/build_eval_market.py <market folder> <build folder>
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import ML_EVAL_DAYS, ML_EVAL_PEOPLE, TEST_PII_SALT, generate_market  # noqa: E402


def main(market_dir: Path, build_dir: Path) -> int:
    from orchestration.testing import build_small_warehouse

    market = generate_market(market_dir, days=ML_EVAL_DAYS, people=ML_EVAL_PEOPLE)
    built = build_small_warehouse(build_dir, market.store, market.truth, env_overrides={"PII_SALT": TEST_PII_SALT})
    if not built.result.success:
        print(f"the full Dagster build of the ML evaluation market failed; see {build_dir / 'build.log'}")
        return 1
    (build_dir / "build.ok").write_text("ok\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
