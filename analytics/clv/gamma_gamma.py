"""Gamma-Gamma spend-per-transaction model (Fader, Hardie & Lee 2005 note; Colombo & Jiang 1999).

Each transaction value z ~ Gamma(shape=p, rate=nu), nu ~ Gamma(shape=q, rate=gamma) per
customer. Fitted on customers with at least one repeat purchase, using the mean value
of their repeat purchases (``monetary``) and their count (``frequency``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, special

from analytics.clv.errors import InsufficientDataError, require_columns

GG_PARAMS = ("p", "q", "v")
MIN_REPEAT_CUSTOMERS = 10


@dataclass(frozen=True)
class GammaGammaFit:
    """Fitted Gamma-Gamma parameters (``v`` is the scale gamma of the customer-level rate)."""

    p: float
    q: float
    v: float
    log_likelihood: float
    n_customers: int
    converged: bool
    message: str
    n_iterations: int
    frequency_monetary_correlation: float = np.nan
    std_errors: dict = field(default_factory=dict)
    method: str = "L-BFGS-B on log-parameters, analytic gradient"

    @property
    def params(self) -> dict:
        return {k: getattr(self, k) for k in GG_PARAMS}

    @property
    def population_mean_value(self) -> float:
        """E[Z] for a customer with no repeat history: p * v / (q - 1) (infinite if q <= 1)."""
        return self.p * self.v / (self.q - 1) if self.q > 1 else np.inf

    def to_frame(self, fit_date=None) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "model": "gamma_gamma",
                    "parameter": k,
                    "value": val,
                    "std_error": self.std_errors.get(k, np.nan),
                    "log_likelihood": self.log_likelihood,
                    "n_customers": self.n_customers,
                    "converged": self.converged,
                    "time_unit_days": np.nan,
                    "fit_date": pd.Timestamp(fit_date) if fit_date is not None else pd.NaT,
                }
                for k, val in self.params.items()
            ]
        )


def repeat_customers(summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(frequency, monetary) of customers with a repeat purchase and positive mean repeat value."""
    require_columns(summary, ["frequency", "monetary"], "Gamma-Gamma")
    x = summary["frequency"].to_numpy(dtype=float)
    m = summary["monetary"].to_numpy(dtype=float)
    ok = (x > 0) & np.isfinite(m) & (m > 0)
    return x[ok], m[ok]


def gamma_gamma_log_likelihood_terms(params, x, m) -> np.ndarray:
    p, q, v = params
    return (
        special.gammaln(p * x + q) - special.gammaln(p * x) - special.gammaln(q)
        + q * np.log(v) + (p * x - 1) * np.log(m) + p * x * np.log(x)
        - (p * x + q) * np.log(v + x * m)
    )


def _neg_ll_and_grad(log_params, x, m, scale):
    p, q, v = np.exp(log_params)
    ll = gamma_gamma_log_likelihood_terms((p, q, v), x, m)
    psi_pxq = special.digamma(p * x + q)
    log_vxm = np.log(v + x * m)
    d_p = x * (psi_pxq - special.digamma(p * x) + np.log(m) + np.log(x) - log_vxm)
    d_q = psi_pxq - special.digamma(q) + np.log(v) - log_vxm
    d_v = q / v - (p * x + q) / (v + x * m)
    total = ll.sum()
    if not np.isfinite(total):
        return 1e12, np.zeros(3)
    grad = np.array([d_p.sum() * p, d_q.sum() * q, d_v.sum() * v])
    return -total / scale, -grad / scale


def _std_errors(params, x, m) -> dict:
    h = 1e-5
    log_p = np.log(params)
    hess = np.zeros((3, 3))
    for i in range(3):
        e = np.zeros(3)
        e[i] = h
        hess[:, i] = (_neg_ll_and_grad(log_p + e, x, m, 1.0)[1] - _neg_ll_and_grad(log_p - e, x, m, 1.0)[1]) / (2 * h)
    try:
        var_log = np.diag(np.linalg.inv((hess + hess.T) / 2))
    except np.linalg.LinAlgError:
        return {k: np.nan for k in GG_PARAMS}
    se = np.where(var_log > 0, np.sqrt(np.abs(var_log)) * np.asarray(params), np.nan)
    return dict(zip(GG_PARAMS, se.tolist()))


def fit_gamma_gamma(summary: pd.DataFrame, *, initial: dict | None = None) -> GammaGammaFit:
    """Maximum-likelihood Gamma-Gamma on customers with frequency > 0 and monetary > 0.

    Also reports the Pearson correlation between frequency and monetary: the model
    assumes they are independent; a large |correlation| (> 0.3) is worth a look.
    Raises `InsufficientDataError` with fewer than 10 such customers.
    """
    x, m = repeat_customers(summary)
    if len(x) < MIN_REPEAT_CUSTOMERS:
        raise InsufficientDataError(
            f"fit_gamma_gamma: needs at least {MIN_REPEAT_CUSTOMERS} customers with a repeat purchase "
            f"and positive mean repeat value, got {len(x)}"
        )
    mean, var = m.mean(), m.var()
    # Method-of-moments-ish start: q ~ 3, p * v / (q - 1) ~ mean.
    start = initial or {"p": max(mean**2 / max(var, 1e-9), 0.5), "q": 3.0, "v": None}
    if start.get("v") is None:
        start = {**start, "v": mean * (start["q"] - 1) / start["p"]}
    x0 = np.log([start[k] for k in GG_PARAMS])
    res = optimize.minimize(
        _neg_ll_and_grad,
        x0,
        args=(x, m, len(x)),
        jac=True,
        method="L-BFGS-B",
        bounds=[(-12.0, 15.0)] * 3,
        options={"maxiter": 5000, "ftol": 1e-15, "gtol": 1e-10},
    )
    params = np.exp(res.x)
    grad_norm = float(np.max(np.abs(res.jac)))
    corr = float(np.corrcoef(x, m)[0, 1]) if len(x) > 2 and x.std() > 0 and m.std() > 0 else np.nan
    return GammaGammaFit(
        p=float(params[0]),
        q=float(params[1]),
        v=float(params[2]),
        log_likelihood=float(-res.fun * len(x)),
        n_customers=int(len(x)),
        converged=bool(res.success or grad_norm < 1e-6),
        message=str(res.message),
        n_iterations=int(res.nit),
        frequency_monetary_correlation=corr,
        std_errors=_std_errors(params, x, m),
    )


def conditional_expected_value(fit, frequency, monetary) -> np.ndarray:
    """E[value of a future transaction | x, mean repeat value] = p (v + x m) / (p x + q - 1).

    For customers without a (positive) repeat history this is the population mean p v / (q - 1).
    """
    if isinstance(fit, GammaGammaFit):
        p, q, v = fit.p, fit.q, fit.v
    else:
        p, q, v = float(fit["p"]), float(fit["q"]), float(fit["v"])
    x = np.asarray(frequency, dtype=float)
    m = np.asarray(monetary, dtype=float)
    usable = (x > 0) & np.isfinite(m) & (m > 0)
    x_eff = np.where(usable, x, 0.0)
    m_eff = np.where(usable, m, 0.0)
    return p * (v + x_eff * m_eff) / (p * x_eff + q - 1)
