"""Customer lifetime value: BG/NBD purchase frequency + Gamma-Gamma order value.

Typical use on any transaction table (customer id, date, value)::

    summary = summarise_transactions(orders, as_of="2026-06-30")
    bg = fit_bgnbd(summary)
    gg = fit_gamma_gamma(summary)
    scores = predict(summary, bg, gg, horizons=(90, 180))

See docs/ml.md for the formulas and choices.
"""

from analytics.clv.bgnbd import BgNbdFit, expected_purchases, fit_bgnbd, probability_alive
from analytics.clv.crosscheck import fit_bgnbd_reference, fit_gamma_gamma_reference
from analytics.clv.errors import InsufficientDataError
from analytics.clv.gamma_gamma import GammaGammaFit, conditional_expected_value, fit_gamma_gamma
from analytics.clv.predict import fit_and_predict, predict
from analytics.clv.summary import holdout_actuals, summarise_transactions

__all__ = [
    "BgNbdFit",
    "GammaGammaFit",
    "InsufficientDataError",
    "conditional_expected_value",
    "expected_purchases",
    "fit_and_predict",
    "fit_bgnbd",
    "fit_bgnbd_reference",
    "fit_gamma_gamma",
    "fit_gamma_gamma_reference",
    "holdout_actuals",
    "predict",
    "probability_alive",
    "summarise_transactions",
]
