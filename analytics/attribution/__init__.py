"""Attribution engine: rule-based oracles, Markov and Shapley models, and accuracy evaluation.

Independent of the warehouse: it takes journeys, conversions and touchpoints as pandas/arrow tables
(:mod:`.paths`) and returns credits at the conversion × touchpoint × model grain. See
docs/attribution.md for the definitions.
"""
from .attribute import DATA_DRIVEN_MODELS, MODELS, attribute, check_invariants
from .evaluate import accuracy_report, read_truth, total_variation_distance, true_shares
from .markov import markov_channel_credit, markov_conversion_credit, removal_effects
from .paths import (CHANNELS, PathCounts, aggregate_paths, attributable_revenue, eligible_touchpoints,
                    unattributed_baseline)
from .rules import RULE_MODELS, rule_credit
from .shapley import fit_shapley, shapley_channel_credit, shapley_conversion_credit, shapley_values

__all__ = [
    "CHANNELS", "DATA_DRIVEN_MODELS", "MODELS", "RULE_MODELS", "PathCounts", "accuracy_report",
    "aggregate_paths", "attributable_revenue", "attribute", "check_invariants", "eligible_touchpoints",
    "fit_shapley", "markov_channel_credit", "markov_conversion_credit", "read_truth", "removal_effects",
    "rule_credit", "shapley_channel_credit", "shapley_conversion_credit", "shapley_values",
    "total_variation_distance", "true_shares", "unattributed_baseline",
]
