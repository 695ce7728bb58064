"""MBG/NBD with engagement evidence: whether a customer has lapsed, read from their orders *and* their own activity.

BG/NBD infers that a customer has dropped out from the timing of their orders only, and a customer with no repeat
purchase is always "alive" in it. Here the purchase process is the MBG/NBD of Batislam, Denizel & Filiztekin (2007):

- while alive, a customer buys at rate lambda ~ Gamma(r, alpha);
- after every purchase, the first included, they drop out for good with probability p ~ Beta(a, b).

So at `as_of` a customer is either alive or has been lapsed since their last purchase. What they did on their own
initiative since that purchase is evidence of which:

- visits they made without paid media (direct, organic search, referral; sessions with a purchase left out) over
  `visit_days` are Poisson with rate `visit_rate_alive` or `visit_rate_lapsed` per day. `visit_days` is the days
  since the last purchase for a customer whose visits can be seen at all, 0 for one who never shows up in the
  activity (e.g. an Amazon buyer with no web identity: no visits there says nothing about lapsing);
- of the `emails` they were sent, `email_opens` were opened, binomial with `open_rate_alive` or
  `open_rate_lapsed`.

All eight parameters are fitted together by maximum likelihood; each customer's likelihood is

    L = A * E_alive + D * E_lapsed
    A = B(a, b+x+1)/B(a, b) * Gamma(r+x) alpha^r / (Gamma(r) (alpha+T)^(r+x))      alive at T
    D = B(a+1, b+x)/B(a, b) * Gamma(r+x) alpha^r / (Gamma(r) (alpha+t_x)^(r+x))    lapsed after the last purchase

with E_* the Poisson x binomial probability of the evidence in either state. P(alive) is A E_alive / L, and the
expected purchases in the next h days are P(alive) times the alive customer's expectation E_p[(1 - ((alpha+T) /
(alpha+T+p h))^(r+x)) / p] with p ~ Beta(a, b+x+1) (the purchases made while still alive, integrated over lambda ~
Gamma(r+x, alpha+T)). Without evidence (no e-mails, `visit_days` = 0) the model is MBG/NBD on orders alone.

Typical use on any transaction table plus an activity table (customer_id, date, kind, count)::

    data = engaged_data(orders, activity, as_of)
    fit = fit_engaged_mbgnbd(data)
    scores = predict_engaged(data, fit, gamma_gamma, horizons=(90, 180))
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, special

from analytics.clv.bgnbd import _alive_expectation_by_quadrature
from analytics.clv.errors import InsufficientDataError, require_columns
from analytics.clv.gamma_gamma import conditional_expected_value

PURCHASE_PARAMS = ("r", "alpha", "a", "b")
EVIDENCE_PARAMS = ("visit_rate_alive", "visit_rate_lapsed", "open_rate_alive", "open_rate_lapsed")
EVIDENCE_COLUMNS = ("visit_days", "visits", "emails", "email_opens")
MIN_CUSTOMERS = 20


@dataclass(frozen=True)
class EngagedFit:
    r: float
    alpha: float
    a: float
    b: float
    visit_rate_alive: float
    visit_rate_lapsed: float
    open_rate_alive: float
    open_rate_lapsed: float
    log_likelihood: float
    n_customers: int
    converged: bool
    message: str
    std_errors: dict = field(default_factory=dict)

    @property
    def params(self) -> dict:
        return {k: getattr(self, k) for k in PURCHASE_PARAMS + EVIDENCE_PARAMS}


def engagement_evidence(transactions: pd.DataFrame, activity: pd.DataFrame | None, as_of, *,
                        customer_col: str = "customer_id", date_col: str = "date", visit_kind: str = "organic_visits",
                        sent_kind: str = "emails_received", open_kind: str = "email_opens") -> pd.DataFrame:
    """Per customer (index): `visits`, `emails`, `email_opens` dated after their last purchase day and on or before
    `as_of`, and `visit_days`: the days from the last purchase day to `as_of` for a customer with any activity row on
    or before `as_of` (their visits are observable), else 0. `activity` is long (customer_id, date, kind, count);
    None or empty gives zeros. Activity on the day of the last purchase or after `as_of` is never counted."""
    require_columns(transactions, [customer_col, date_col], "engagement evidence")
    as_of_day = pd.Timestamp(as_of).normalize()
    days = pd.to_datetime(transactions[date_col]).dt.normalize()
    last = days[days <= as_of_day].groupby(transactions.loc[days <= as_of_day, customer_col]).max()
    out = pd.DataFrame(0.0, index=last.index.rename("customer_id"), columns=list(EVIDENCE_COLUMNS))
    if activity is None or activity.empty:
        return out
    require_columns(activity, ["customer_id", "date", "kind", "count"], "engagement evidence")
    known = (pd.to_datetime(activity["date"]).dt.normalize() <= as_of_day).to_numpy()
    seen = pd.Index(activity.loc[known, "customer_id"].unique())
    days_since = (as_of_day - last).dt.days.astype(float)
    out["visit_days"] = np.where(out.index.isin(seen), days_since.reindex(out.index).to_numpy(), 0.0)
    act = activity.loc[known & activity["kind"].isin([visit_kind, sent_kind, open_kind]).to_numpy()]
    keep = act.loc[pd.to_datetime(act["date"]).dt.normalize().to_numpy() > act["customer_id"].map(last).to_numpy()]
    sums = keep.groupby(["customer_id", "kind"])["count"].sum().astype(float).unstack(fill_value=0.0)
    for column, kind in zip(EVIDENCE_COLUMNS[1:], (visit_kind, sent_kind, open_kind)):
        if kind in sums:
            out[column] = sums[kind].reindex(out.index).fillna(0.0).astype(float)
    out["email_opens"] = np.minimum(out["email_opens"], out["emails"])  # an open of a mail sent before the window
    return out


def engaged_data(transactions: pd.DataFrame, activity: pd.DataFrame | None, as_of,
                 summary: pd.DataFrame | None = None) -> pd.DataFrame:
    """The model's input: `summarise_transactions` (pass `summary` when already computed) joined with
    `engagement_evidence` (zeros for a customer without activity)."""
    from analytics.clv.summary import summarise_transactions

    if summary is None:
        summary = summarise_transactions(transactions, as_of)
    evidence = engagement_evidence(transactions, activity, as_of)
    data = summary.merge(evidence, left_on="customer_id", right_index=True, how="left")
    return data.fillna({c: 0.0 for c in EVIDENCE_COLUMNS})


def _arrays(data: pd.DataFrame):
    require_columns(data, ["frequency", "recency", "T", *EVIDENCE_COLUMNS], "engaged MBG/NBD")
    cols = [data[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T", *EVIDENCE_COLUMNS)]
    x, t_x, T, d, k, n, o = cols
    return x, t_x, T, d, k, n, np.minimum(o, n)


def _state_log_likelihoods(theta, x, t_x, T, s, k, n, o):
    """log(A E_alive) and log(D E_lapsed) per customer (the evidence's combinatorial constants included);
    s = visit_days, the exposure of the visit counts k."""
    r, alpha, a, b, v_alive, v_lapsed, q_alive, q_lapsed = theta
    common = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) - special.betaln(a, b)
    const = -special.gammaln(k + 1) + special.gammaln(n + 1) - special.gammaln(o + 1) - special.gammaln(n - o + 1)
    alive = (common + special.betaln(a, b + x + 1) - (r + x) * np.log(alpha + T)
             + special.xlogy(k, v_alive) - v_alive * s + special.xlogy(o, q_alive) + special.xlog1py(n - o, -q_alive))
    lapsed = (common + special.betaln(a + 1, b + x) - (r + x) * np.log(alpha + t_x)
              + special.xlogy(k, v_lapsed) - v_lapsed * s + special.xlogy(o, q_lapsed)
              + special.xlog1py(n - o, -q_lapsed))
    return alive + const, lapsed + const


def _theta(z: np.ndarray) -> np.ndarray:
    """Unconstrained -> parameters: logs of the six positive ones, logits of the two open rates."""
    return np.r_[np.exp(z[:6]), special.expit(z[6:])]


def fit_engaged_mbgnbd(data: pd.DataFrame, *, max_iterations: int = 2000, standard_errors: bool = True) -> EngagedFit:
    """Maximum-likelihood fit of the eight parameters on a summary (`summarise_transactions`, time in days) joined
    with `engagement_evidence`. Raises `InsufficientDataError` with fewer than 20 customers or no repeat purchase.
    `standard_errors=False` skips the 144 likelihood evaluations of the information matrix."""
    x, t_x, T, s, k, n, o = _arrays(data)
    if len(x) < MIN_CUSTOMERS:
        raise InsufficientDataError(f"engaged MBG/NBD: needs at least {MIN_CUSTOMERS} customers, got {len(x)}")
    if not (x > 0).any():
        raise InsufficientDataError(
            f"engaged MBG/NBD: none of the {len(x)} customers has a repeat purchase; dropout cannot be estimated")
    visit_rate = (k.sum() + 1.0) / (float(s.sum()) + 1.0)
    open_rate = (o.sum() + 1.0) / (n.sum() + 2.0)
    rate = max(x.mean(), 0.1) / max(T.mean(), 1.0)
    z0 = np.r_[np.log([1.0, 1.0 / rate, 1.0, 3.0, 1.5 * visit_rate, 0.5 * visit_rate]),
               special.logit(np.clip([1.3 * open_rate, 0.6 * open_rate], 1e-4, 1 - 1e-4))]
    count = float(len(x))

    def objective(z):
        alive, lapsed = _state_log_likelihoods(_theta(z), x, t_x, T, s, k, n, o)
        return -float(np.logaddexp(alive, lapsed).sum()) / count

    bounds = [(-15.0, 15.0)] * 6 + [(-12.0, 12.0)] * 2
    res = optimize.minimize(objective, z0, method="L-BFGS-B", bounds=bounds,
                            options={"maxiter": max_iterations, "ftol": 1e-13, "gtol": 1e-8})
    theta = _theta(res.x)
    at_bound = bool(np.any(np.abs(np.abs(res.x) - np.abs(np.array(bounds)[:, 1])) < 1e-6))
    message = str(res.message) + (" (a parameter reached its bound: the data barely identify it)" if at_bound else "")
    return EngagedFit(*map(float, theta), log_likelihood=-res.fun * count, n_customers=len(x),
                      converged=bool(res.success) and not at_bound, message=message,
                      std_errors=_std_errors(objective, res.x, count) if standard_errors else {})


def _std_errors(objective, z: np.ndarray, count: float, h: float = 1e-4) -> dict:
    """Standard errors from the inverse observed information: the Hessian of the negative log-likelihood in the
    unconstrained parameters by central differences, mapped back by the delta method (d theta / d z is theta for
    the log-parameters, q (1 - q) for the logit open rates). NaN where the information is not positive definite."""
    dim = len(z)
    steps = np.eye(dim) * h
    hess = np.empty((dim, dim))
    for i in range(dim):
        for j in range(i, dim):
            hess[i, j] = hess[j, i] = (
                objective(z + steps[i] + steps[j]) - objective(z + steps[i] - steps[j])
                - objective(z - steps[i] + steps[j]) + objective(z - steps[i] - steps[j])
            ) / (4 * h * h) * count
    try:
        var_z = np.diag(np.linalg.inv(hess))
    except np.linalg.LinAlgError:
        return {name: np.nan for name in PURCHASE_PARAMS + EVIDENCE_PARAMS}
    theta = _theta(z)
    jacobian = np.r_[theta[:6], theta[6:] * (1 - theta[6:])]
    se = np.where(var_z > 0, np.sqrt(np.abs(var_z)) * jacobian, np.nan)
    return dict(zip(PURCHASE_PARAMS + EVIDENCE_PARAMS, se.tolist()))


def probability_alive_engaged(fit: EngagedFit, data: pd.DataFrame) -> np.ndarray:
    """P(alive at T | orders and evidence) per row of `data`."""
    alive, lapsed = _state_log_likelihoods(np.array(list(fit.params.values())), *_arrays(data))
    return special.expit(alive - lapsed)


def expected_purchases_engaged(fit: EngagedFit, horizon_days: float, data: pd.DataFrame) -> np.ndarray:
    """E[purchases in (T, T + horizon] | orders and evidence] = P(alive) * the alive customer's expectation."""
    x, _t_x, T, *_ = _arrays(data)
    if not len(x):
        return np.zeros(0)
    # given alive after x + 1 purchases, p ~ Beta(a, b + x + 1): the BG/NBD quadrature with b + 1
    alive_expectation = _alive_expectation_by_quadrature((fit.r, fit.alpha, fit.a, fit.b + 1.0), float(horizon_days),
                                                         x, T)
    return probability_alive_engaged(fit, data) * alive_expectation


def predict_engaged(data: pd.DataFrame, fit: EngagedFit, gamma_gamma=None, horizons=(90, 180)) -> pd.DataFrame:
    """`data` with p_alive, expected_orders_{h}d and (with a Gamma-Gamma fit) expected_order_value and
    expected_revenue_{h}d = orders x value, like `analytics.clv.predict`."""
    out = data.copy()
    out["p_alive"] = probability_alive_engaged(fit, data)
    for h in horizons:
        out[f"expected_orders_{int(h)}d"] = expected_purchases_engaged(fit, h, data)
    if gamma_gamma is not None:
        value = conditional_expected_value(gamma_gamma, data["frequency"].to_numpy(dtype=float),
                                           data["monetary"].to_numpy(dtype=float))
        out["expected_order_value"] = value
        for h in horizons:
            out[f"expected_revenue_{int(h)}d"] = out[f"expected_orders_{int(h)}d"].to_numpy() * value
    return out


def engaged_cutoff_features(transactions: pd.DataFrame, activity: pd.DataFrame | None, horizon_days: int):
    """For the churn model (`analytics.churn.build_features(cutoff_features=...)`): a callable `cutoff -> DataFrame`
    indexed by customer id with `engaged_p_alive` and `engaged_expected_orders` (next `horizon_days`), from this
    model fitted on the transactions (customer_id, date, value) and activity dated on or before the cutoff only
    (`summarise_transactions` and `engagement_evidence` read nothing later). Each cutoff is fitted once: the churn
    split and the final training frame share the cutoff as_of - N. Raises `InsufficientDataError` when the model
    cannot be fitted at a cutoff."""
    fitted: dict[pd.Timestamp, pd.DataFrame] = {}

    def at(cutoff) -> pd.DataFrame:
        day = pd.Timestamp(cutoff).normalize()
        if day not in fitted:
            data = engaged_data(transactions, activity, day)
            fit = fit_engaged_mbgnbd(data, standard_errors=False)  # only its predictions are features
            fitted[day] = pd.DataFrame(
                {"engaged_p_alive": probability_alive_engaged(fit, data),
                 "engaged_expected_orders": expected_purchases_engaged(fit, horizon_days, data)},
                index=pd.Index(data["customer_id"].to_numpy(), name="customer_id"))
        return fitted[day]

    return at


__all__ = ["EVIDENCE_COLUMNS", "EngagedFit", "engaged_cutoff_features", "engaged_data", "engagement_evidence",
           "expected_purchases_engaged", "fit_engaged_mbgnbd", "predict_engaged", "probability_alive_engaged"]
