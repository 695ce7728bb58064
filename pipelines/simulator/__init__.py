"""Seeded, deterministic market simulator of a cross-border e-commerce brand, with ground truth.

    from pipelines.simulator import generate, ScenarioError
    manifest = generate("small", seed=42, out_dir="data/sim", truth_dir="data/truth")

See docs/contract.md for the store layout and pipelines/simulator/scenarios/default.yaml for every true parameter.
"""
from .scenario import ScenarioError, load_scenario


def generate(*args, **kwargs):
    from .market import generate as _generate

    return _generate(*args, **kwargs)


__all__ = ["generate", "load_scenario", "ScenarioError"]
