"""Budget suggestions: adstock + Hill response curves per channel, and the allocation that maximises revenue.

Typical use::

    curves = fit_response_curves(daily)          # daily: channel, date, spend, revenue
    plan = optimise_allocation(curves, holds=[{"channel": "tiktok", "action": "cut", "reason": "CAC over threshold"}])
"""

from analytics.budget.curves import (
    PARAM_NAMES,
    curve_params,
    geometric_adstock,
    hill,
    marginal_roas,
    response,
    steady_state_revenue,
)
from analytics.budget.fit import FittedCurve, ResponseCurves, fit_response_curves
from analytics.budget.pooled import combine_curves, fit_pooled_response_curves
from analytics.budget.optimise import (
    ALLOCATION_COLUMNS,
    InfeasibleBudgetError,
    allocation_to_spend,
    optimise_allocation,
    oracle_allocation,
    score_allocation,
)
from analytics.clv.errors import InsufficientDataError

__all__ = [
    "ALLOCATION_COLUMNS",
    "PARAM_NAMES",
    "FittedCurve",
    "InfeasibleBudgetError",
    "InsufficientDataError",
    "ResponseCurves",
    "allocation_to_spend",
    "combine_curves",
    "curve_params",
    "fit_pooled_response_curves",
    "fit_response_curves",
    "geometric_adstock",
    "hill",
    "marginal_roas",
    "optimise_allocation",
    "oracle_allocation",
    "response",
    "score_allocation",
    "steady_state_revenue",
]
