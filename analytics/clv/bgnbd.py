"""BG/NBD purchase-frequency model (Fader, Hardie & Lee 2005): maximum-likelihood fit and predictions.

Main implementation: the log-likelihood in the "A1..A4" log-sum-exp form with its
analytic gradient, summed over unique (x, t_x, T) triples with counts, maximised by
L-BFGS-B over log-parameters. The independent cross-check lives in `crosscheck.py`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, special

from analytics.clv.errors import InsufficientDataError, require_columns

BGNBD_PARAMS = ("r", "alpha", "a", "b")
MIN_CUSTOMERS = 20


@dataclass(frozen=True)
class BgNbdFit:
    """Fitted BG/NBD parameters with fit diagnostics.

    Purchase rate while alive: lambda ~ Gamma(shape=r, rate=alpha) per time unit;
    dropout probability after each repeat purchase: p ~ Beta(a, b).
    """

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    n_customers: int
    converged: bool
    message: str
    n_iterations: int
    std_errors: dict = field(default_factory=dict)
    time_unit_days: float = 1.0
    method: str = "L-BFGS-B on log-parameters, analytic gradient"

    @property
    def params(self) -> dict:
        return {k: getattr(self, k) for k in BGNBD_PARAMS}

    def to_frame(self, fit_date=None) -> pd.DataFrame:
        """One row per parameter: the table the asset stores with the fit date."""
        rows = [
            {
                "model": "bg_nbd",
                "parameter": k,
                "value": v,
                "std_error": self.std_errors.get(k, np.nan),
                "log_likelihood": self.log_likelihood,
                "n_customers": self.n_customers,
                "converged": self.converged,
                "time_unit_days": self.time_unit_days,
                "fit_date": pd.Timestamp(fit_date) if fit_date is not None else pd.NaT,
            }
            for k, v in self.params.items()
        ]
        return pd.DataFrame(rows)

    def as_dict(self) -> dict:
        return asdict(self)


def _arrays(summary: pd.DataFrame):
    require_columns(summary, ["frequency", "recency", "T"], "BG/NBD")
    x = summary["frequency"].to_numpy(dtype=float)
    t_x = summary["recency"].to_numpy(dtype=float)
    T = summary["T"].to_numpy(dtype=float)
    ok = np.isfinite(x) & np.isfinite(t_x) & np.isfinite(T) & (x >= 0) & (T >= t_x) & (t_x >= 0)
    return x[ok], t_x[ok], T[ok]


def _compress(x, t_x, T):
    """Unique (x, t_x, T) triples with their counts: same likelihood, far fewer terms."""
    stacked = np.column_stack([x, np.round(t_x, 9), np.round(T, 9)])
    uniq, counts = np.unique(stacked, axis=0, return_counts=True)
    return uniq[:, 0], uniq[:, 1], uniq[:, 2], counts.astype(float)


def bgnbd_log_likelihood_terms(params, x, t_x, T):
    """Per-customer log-likelihood, FHL (2005) eq. in log-sum-exp form."""
    r, alpha, a, b = params
    a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    a2 = special.gammaln(a + b) + special.gammaln(b + x) - special.gammaln(b) - special.gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    has_repeat = x > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(
            has_repeat,
            np.log(a) - np.log(np.where(has_repeat, b + x - 1, 1.0)) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    return a1 + a2 + np.logaddexp(a3, a4)


def _neg_ll_and_grad(log_params, x, t_x, T, w, scale):
    r, alpha, a, b = np.exp(log_params)
    has_repeat = x > 0
    a3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(
            has_repeat,
            np.log(a) - np.log(np.where(has_repeat, b + x - 1, 1.0)) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    lse = np.logaddexp(a3, a4)
    w3 = np.exp(a3 - lse)
    w4 = np.where(has_repeat, np.exp(a4 - lse), 0.0)
    ll = (
        special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
        + special.gammaln(a + b) + special.gammaln(b + x) - special.gammaln(b) - special.gammaln(a + b + x)
        + lse
    )
    d_r = special.digamma(r + x) - special.digamma(r) + np.log(alpha) - w3 * np.log(alpha + T) - w4 * np.log(alpha + t_x)
    d_alpha = r / alpha - w3 * (r + x) / (alpha + T) - w4 * (r + x) / (alpha + t_x)
    d_a = special.digamma(a + b) - special.digamma(a + b + x) + w4 / a
    with np.errstate(divide="ignore", invalid="ignore"):
        d_b = (
            special.digamma(a + b) + special.digamma(b + x) - special.digamma(b) - special.digamma(a + b + x)
            - np.where(has_repeat, w4 / np.where(has_repeat, b + x - 1, 1.0), 0.0)
        )
    grad = np.array([w @ d_r * r, w @ d_alpha * alpha, w @ d_a * a, w @ d_b * b])
    total = w @ ll
    if not np.isfinite(total):
        return 1e12, np.zeros(4)
    return -total / scale, -grad / scale


def _hessian_std_errors(params: np.ndarray, x, t_x, T, w) -> dict:
    """Standard errors from the inverse observed information (central differences of the gradient)."""
    log_p = np.log(params)
    h = 1e-5
    hess = np.zeros((4, 4))
    for i in range(4):
        e = np.zeros(4)
        e[i] = h
        g_plus = _neg_ll_and_grad(log_p + e, x, t_x, T, w, 1.0)[1]
        g_minus = _neg_ll_and_grad(log_p - e, x, t_x, T, w, 1.0)[1]
        hess[:, i] = (g_plus - g_minus) / (2 * h)
    hess = (hess + hess.T) / 2
    try:
        cov_log = np.linalg.inv(hess)
    except np.linalg.LinAlgError:
        return {k: np.nan for k in BGNBD_PARAMS}
    var_log = np.diag(cov_log)
    se = np.where(var_log > 0, np.sqrt(np.abs(var_log)) * params, np.nan)  # delta method
    return dict(zip(BGNBD_PARAMS, se.tolist()))


def fit_bgnbd(
    summary: pd.DataFrame,
    *,
    time_unit_days: float = 1.0,
    initial: dict | None = None,
    max_iterations: int = 2000,
) -> BgNbdFit:
    """Maximum-likelihood BG/NBD on a frequency/recency/T summary (see `summarise_transactions`).

    Returns parameters, total log-likelihood, convergence flag/message and standard
    errors. `time_unit_days` records the unit of recency/T so predictions can take
    horizons in days. Raises `InsufficientDataError` with fewer than 20 customers
    or no repeat purchase at all (dropout is then unidentifiable).
    """
    x, t_x, T = _arrays(summary)
    if len(x) < MIN_CUSTOMERS:
        raise InsufficientDataError(
            f"fit_bgnbd: needs at least {MIN_CUSTOMERS} customers with valid frequency/recency/T, got {len(x)}"
        )
    if not (x > 0).any():
        raise InsufficientDataError(
            f"fit_bgnbd: none of the {len(x)} customers has a repeat purchase; the dropout process cannot be estimated"
        )
    if not (T > 0).any():
        raise InsufficientDataError("fit_bgnbd: every customer's observation time T is zero")

    xu, tu, Tu, w = _compress(x, t_x, T)
    n = w.sum()
    rate_guess = max(x.mean(), 0.1) / max(T.mean(), 1e-6)
    start = initial or {"r": 1.0, "alpha": 1.0 / rate_guess, "a": 1.0, "b": 3.0}
    x0 = np.log([start[k] for k in BGNBD_PARAMS])
    bounds = [(-12.0, 12.0)] * 4

    best = None
    for x_start in (x0, x0 + np.array([-1.0, -1.0, -0.5, 0.5])):
        res = optimize.minimize(
            _neg_ll_and_grad,
            x_start,
            args=(xu, tu, Tu, w, n),
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": max_iterations, "ftol": 1e-15, "gtol": 1e-10},
        )
        if best is None or res.fun < best.fun:
            best = res
    params = np.exp(best.x)
    ll = -best.fun * n
    at_bound = bool(np.any(np.abs(np.abs(best.x) - 12.0) < 1e-6))
    grad_norm = float(np.max(np.abs(best.jac))) if best.jac is not None else np.nan
    converged = bool(best.success or grad_norm < 1e-6) and not at_bound
    message = f"{best.message}; max |gradient of mean log-likelihood| = {grad_norm:.1e}"
    if at_bound:
        message += " (a parameter reached its bound: the data barely identify the model)"
    return BgNbdFit(
        r=float(params[0]),
        alpha=float(params[1]),
        a=float(params[2]),
        b=float(params[3]),
        log_likelihood=float(ll),
        n_customers=int(n),
        converged=converged,
        message=message,
        n_iterations=int(best.nit),
        std_errors=_hessian_std_errors(params, xu, tu, Tu, w),
        time_unit_days=time_unit_days,
    )


def _params_tuple(fit) -> tuple[float, float, float, float]:
    if isinstance(fit, BgNbdFit):
        return fit.r, fit.alpha, fit.a, fit.b
    return float(fit["r"]), float(fit["alpha"]), float(fit["a"]), float(fit["b"])


def probability_alive(fit, frequency, recency, T) -> np.ndarray:
    """P(customer still alive at T | x, t_x, T) = 1 / (1 + [x>0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))."""
    r, alpha, a, b = _params_tuple(fit)
    x = np.asarray(frequency, dtype=float)
    t_x = np.asarray(recency, dtype=float)
    T = np.asarray(T, dtype=float)
    has_repeat = x > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        log_odds_dead = (
            np.log(a) - np.log(np.where(has_repeat, b + x - 1, 1.0))
            + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
        )
    return np.where(has_repeat, special.expit(-log_odds_dead), 1.0)


def expected_purchases(fit, horizon, frequency, recency, T) -> np.ndarray:
    """E[number of repeat purchases in (T, T + horizon] | x, t_x, T], horizon in model time units.

    FHL (2005) eq. (10) after Euler's transformation of the Gauss hypergeometric
    function, which keeps it finite for heavy buyers:
        E = P(alive) * (a+b+x-1)/(a-1) * [1 - (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z)],
        z = horizon / (alpha + T + horizon).
    """
    r, alpha, a, b = _params_tuple(fit)
    if abs(a - 1.0) < 1e-7:  # removable singularity at a = 1
        a = 1.0 + 1e-7
    x = np.asarray(frequency, dtype=float)
    T = np.asarray(T, dtype=float)
    z = horizon / (alpha + T + horizon)
    with np.errstate(all="ignore"):
        hyp = special.hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
        bracket = 1.0 - np.power(1.0 - z, a - 1) * hyp
        out = probability_alive(fit, x, recency, T) * (a + b + x - 1) / (a - 1) * bracket
    bad = ~np.isfinite(out)
    if np.any(bad):
        # scipy's 2F1 gives NaN when a and b are both huge (a fit at its bounds: the dropout
        # probability is then almost known); the posterior integral over p stays finite there.
        x_b, t_b, T_b = np.broadcast_arrays(x, np.asarray(recency, dtype=float), T)
        out = np.array(np.broadcast_to(out, x_b.shape), dtype=float)
        out[bad] = probability_alive(fit, x_b[bad], t_b[bad], T_b[bad]) * _alive_expectation_by_quadrature(
            (r, alpha, a, b), horizon, x_b[bad], T_b[bad])
    return out


def _alive_expectation_by_quadrature(params, horizon, x, T, n_nodes: int = 200, chunk: int = 20_000) -> np.ndarray:
    """E[Y(horizon) | x, T, alive] = E_p[(1 - ((alpha+T) / (alpha+T+p*horizon))^(r+x)) / p], p ~ Beta(a, b+x).

    Given alive, lambda ~ Gamma(r+x, alpha+T) and p ~ Beta(a, b+x) a posteriori, and a customer with (lambda, p)
    makes (1 - exp(-lambda p t)) / p purchases in t in expectation (FHL 2005); integrating lambda out gives the
    integrand. The p-integral is a midpoint rule on the Beta quantiles (the integrand is bounded by
    (r+x) horizon / (alpha+T)), which works for any a, b, also where the hypergeometric form fails.
    """
    from scipy import stats

    r, alpha, a, b = params
    u = (np.arange(n_nodes) + 0.5) / n_nodes
    out = np.empty(len(x), dtype=float)
    xu, inverse = np.unique(x, return_inverse=True)
    nodes = stats.beta.ppf(u[None, :], a, b + xu[:, None])  # (unique x, nodes)
    nodes = np.clip(nodes, 1e-300, 1.0)
    for lo in range(0, len(x), chunk):
        sl = slice(lo, lo + chunk)
        p = nodes[inverse[sl]]
        k = (r + x[sl])[:, None]
        c = (alpha + T[sl])[:, None]
        # 1 - (c / (c + p h))^k, written with expm1/log1p so tiny p h / c keeps its precision
        one_minus = -np.expm1(-k * np.log1p(p * horizon / c))
        out[sl] = (one_minus / p).mean(axis=1)
    return out
