"""A/B test read-outs: conversion rates, lift with Newcombe CI, z-test, SRM check, CUPED, verdict."""

from analytics.clv.errors import InsufficientDataError
from analytics.experiments.analysis import (
    RESULT_COLUMNS,
    aggregate_users,
    analyse_aggregates,
    analyse_experiments,
)
from analytics.experiments.stats import (
    analytic_power,
    cuped_from_moments,
    cuped_theta,
    diff_test,
    newcombe_diff_ci,
    srm_chisquare,
    two_proportion_ztest,
    wald_diff_ci,
    wilson_interval,
)

__all__ = [
    "RESULT_COLUMNS",
    "InsufficientDataError",
    "aggregate_users",
    "analyse_aggregates",
    "analyse_experiments",
    "analytic_power",
    "cuped_from_moments",
    "cuped_theta",
    "diff_test",
    "newcombe_diff_ci",
    "srm_chisquare",
    "two_proportion_ztest",
    "wald_diff_ci",
    "wilson_interval",
]
