"""Fixtures: one small market generated once per session (mess on, as CI runs), in temporary folders."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from pipelines.simulator import generate  # noqa: E402

SEED = 42


@pytest.fixture(scope="session")
def small_market(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("small_market")
    manifest = generate("small", seed=SEED, out_dir=root / "sim", truth_dir=root / "truth")
    return {"store": root / "sim", "truth": root / "truth", "manifest": manifest}


@pytest.fixture(scope="session")
def short_markets(tmp_path_factory) -> dict:
    """The same market for N and N + 1 days (store only), and a second N + 1 run with truth for byte comparison."""
    root = tmp_path_factory.mktemp("short_markets")
    n = 14
    generate("small", seed=SEED, days=n, out_dir=root / "n_sim", truth_dir=root / "n_truth", with_truth=False)
    for name in ("a", "b"):
        generate("small", seed=SEED, days=n + 1, out_dir=root / f"{name}_sim", truth_dir=root / f"{name}_truth")
    return {"root": root, "days": n}
