"""An independent second implementation of the BG/NBD and Gamma-Gamma fits, for cross-checking.

It shares no likelihood code, parameterisation or optimiser with `bgnbd.py` /
`gamma_gamma.py`:

- BG/NBD: the likelihood is written as in FHL (2005) eq. (6) with Beta functions,
  L = B(a, b+x)/B(a, b) * Gamma(r+x) alpha^r / (Gamma(r) (alpha+T)^(r+x))
      + [x>0] B(a+1, b+x-1)/B(a, b) * Gamma(r+x) alpha^r / (Gamma(r) (alpha+t_x)^(r+x)),
  evaluated per customer (no grouping), in the parameterisation
  (log r, log(r/alpha) = log mean purchase rate, logit(a/(a+b)) = mean dropout, log(a+b)),
  maximised by derivative-free Nelder-Mead with restarts.
- Gamma-Gamma: the marginal density of the mean repeat value is a beta-prime
  distribution, zbar ~ BetaPrime(p x, q, scale = v / x); the log-likelihood is
  `scipy.stats.betaprime.logpdf`, maximised by Nelder-Mead over (log p, log q, log(p v/(q-1))).

Agreement of the two fits within 2% on every parameter is asserted in the tests;
when `lifetimes` is installed a third comparison runs too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from analytics.clv.errors import InsufficientDataError, require_columns


PHI_BOX = np.array([10.0, 20.0, 15.0, 16.0])


def _bgnbd_from_phi(phi):
    log_r, log_rate, logit_mean_p, log_ab = phi
    r = np.exp(log_r)
    alpha = r / np.exp(log_rate)
    mean_p = special.expit(logit_mean_p)
    ab = np.exp(log_ab)
    return r, alpha, mean_p * ab, (1 - mean_p) * ab


def bgnbd_likelihood_fhl(params, x, t_x, T) -> np.ndarray:
    """Per-customer log-likelihood written directly from FHL (2005) eq. (6)."""
    r, alpha, a, b = params
    log_common = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) - special.betaln(a, b)
    term_alive = special.betaln(a, b + x) - (r + x) * np.log(alpha + T)
    with np.errstate(invalid="ignore", divide="ignore"):
        term_dead = np.where(
            x > 0,
            special.betaln(a + 1, np.where(x > 0, b + x - 1, 1.0)) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    return log_common + np.logaddexp(term_alive, term_dead)


def _nelder_mead(fun, x0, max_restarts: int = 4):
    """Nelder-Mead restarted from its own optimum until a restart no longer improves it."""
    res = None
    start = np.asarray(x0, dtype=float)
    for _ in range(max_restarts):
        new = optimize.minimize(
            fun,
            start,
            method="Nelder-Mead",
            options={"xatol": 1e-9, "fatol": 1e-13, "maxiter": 20_000, "maxfev": 20_000, "adaptive": True},
        )
        improved = res is None or new.fun < res.fun - 1e-12
        res = new if res is None or new.fun <= res.fun else res
        if not improved:
            break
        start = new.x
    return res


def fit_bgnbd_reference(summary: pd.DataFrame) -> dict:
    """Second BG/NBD maximum-likelihood fit; returns {"r", "alpha", "a", "b", "log_likelihood", "converged"}."""
    require_columns(summary, ["frequency", "recency", "T"], "fit_bgnbd_reference")
    x = summary["frequency"].to_numpy(dtype=float)
    t_x = summary["recency"].to_numpy(dtype=float)
    T = summary["T"].to_numpy(dtype=float)
    if len(x) < 20 or not (x > 0).any():
        raise InsufficientDataError("fit_bgnbd_reference: needs >= 20 customers and at least one repeat purchase")
    n = len(x)

    def objective(phi):
        # Box on the working parameters: beyond a + b ~ 1e7 the Beta-function form loses
        # precision and a derivative-free search would chase rounding noise.
        if np.any(np.abs(phi) > PHI_BOX):
            return 1e12
        val = bgnbd_likelihood_fhl(_bgnbd_from_phi(phi), x, t_x, T).sum()
        return -val / n if np.isfinite(val) else 1e12

    phi0 = np.array([0.0, np.log(max(x.mean(), 0.1) / max(T.mean(), 1e-6)), special.logit(0.25), np.log(4.0)])
    res = _nelder_mead(objective, phi0)
    r, alpha, a, b = _bgnbd_from_phi(res.x)
    return {
        "r": float(r), "alpha": float(alpha), "a": float(a), "b": float(b),
        "log_likelihood": float(-res.fun * n), "converged": bool(res.success),
        "method": "Nelder-Mead on (log r, log r/alpha, logit a/(a+b), log(a+b)), FHL eq. 6 form",
    }


def fit_gamma_gamma_reference(summary: pd.DataFrame) -> dict:
    """Second Gamma-Gamma fit via the beta-prime marginal; returns {"p", "q", "v", "log_likelihood", "converged"}."""
    require_columns(summary, ["frequency", "monetary"], "fit_gamma_gamma_reference")
    x = summary["frequency"].to_numpy(dtype=float)
    m = summary["monetary"].to_numpy(dtype=float)
    ok = (x > 0) & np.isfinite(m) & (m > 0)
    x, m = x[ok], m[ok]
    if len(x) < 10:
        raise InsufficientDataError("fit_gamma_gamma_reference: needs >= 10 customers with a repeat purchase")

    def unpack(theta):
        p, q = np.exp(theta[0]), 1.0 + np.exp(theta[1])  # q > 1 so the mean exists
        mean_value = np.exp(theta[2])
        return p, q, mean_value * (q - 1) / p

    def objective(theta):
        p, q, v = unpack(theta)
        val = stats.betaprime.logpdf(m, p * x, q, scale=v / x).sum()
        return -val / len(x) if np.isfinite(val) else 1e12

    theta0 = np.array([0.0, np.log(2.0), np.log(m.mean())])
    res = _nelder_mead(objective, theta0)
    p, q, v = unpack(res.x)
    return {
        "p": float(p), "q": float(q), "v": float(v),
        "log_likelihood": float(-res.fun * len(x)), "converged": bool(res.success),
        "method": "Nelder-Mead on (log p, log(q-1), log mean value), scipy.stats.betaprime marginal",
    }


def relative_differences(main: dict, reference: dict, keys) -> dict:
    """|main - reference| / |reference| per parameter."""
    return {k: abs(float(main[k]) - float(reference[k])) / abs(float(reference[k])) for k in keys}
