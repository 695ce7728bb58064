"""Draw transaction tables from the BG/NBD + Gamma-Gamma generative process (for tests and benchmarks).

Customer i: first purchase at a uniform time in the acquisition window; purchase rate
lambda_i ~ Gamma(r, rate alpha) per day; dropout probability p_i ~ Beta(a, b), applied
after each repeat purchase; every transaction value ~ Gamma(p, rate nu_i),
nu_i ~ Gamma(q, rate v). Fully vectorised: no per-customer Python loop.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def simulate_transactions(
    n_customers: int,
    *,
    r: float = 0.75,
    alpha: float = 30.0,
    a: float = 0.8,
    b: float = 2.5,
    p: float = 6.0,
    q: float = 4.0,
    v: float = 25.0,
    start_date="2025-01-01",
    acquisition_days: int = 180,
    calibration_days: int = 365,
    holdout_days: int = 180,
    seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Timestamp]:
    """Return (transactions[customer_id, date, value], truth per customer, as_of).

    ``as_of`` = start_date + calibration_days - 1; transactions run to as_of + holdout_days.
    ``truth`` has lambda, dropout p, nu, the number of repeat purchases before dropout and
    whether the customer is alive at as_of.
    """
    rng = np.random.default_rng(seed)
    start = pd.Timestamp(start_date)
    as_of = start + pd.Timedelta(days=calibration_days - 1)
    birth_day = rng.integers(0, acquisition_days, size=n_customers)
    # continuous time in days since start; the as_of day ends at calibration_days
    birth = birth_day + rng.uniform(0, 1, size=n_customers)
    end = calibration_days + holdout_days
    lam = rng.gamma(r, 1.0 / alpha, size=n_customers)
    drop_p = rng.beta(a, b, size=n_customers)
    max_repeats = rng.geometric(drop_p)  # dies right after this many repeat purchases
    nu = rng.gamma(q, 1.0 / v, size=n_customers)

    window = end - birth
    n_potential = rng.poisson(lam * window)
    cust = np.repeat(np.arange(n_customers), n_potential)
    times = birth[cust] + rng.uniform(0, 1, size=cust.size) * window[cust]
    order = np.lexsort((times, cust))
    cust, times = cust[order], times[order]
    offsets = np.r_[0, np.cumsum(n_potential)[:-1]]
    repeat_index = np.arange(cust.size) - offsets[cust] + 1  # 1-based index of the repeat purchase
    keep = repeat_index <= max_repeats[cust]
    cust, times = cust[keep], times[keep]

    all_cust = np.r_[np.arange(n_customers), cust]
    all_times = np.r_[birth, times]
    values = rng.gamma(p, 1.0 / nu[all_cust])
    transactions = pd.DataFrame(
        {
            "customer_id": all_cust,
            "date": start + pd.to_timedelta(np.floor(all_times), unit="D"),
            "value": np.round(values, 2),
        }
    ).sort_values(["customer_id", "date"], kind="stable", ignore_index=True)

    repeats_in_calibration = np.bincount(cust[times < calibration_days], minlength=n_customers)
    truth = pd.DataFrame(
        {
            "customer_id": np.arange(n_customers),
            "purchase_rate": lam,
            "dropout_p": drop_p,
            "max_repeat_purchases": max_repeats,
            "nu": nu,
            "is_alive_at_as_of": repeats_in_calibration < max_repeats,
        }
    )
    return transactions, truth, as_of


def simulate_summary(
    n_customers: int,
    *,
    r: float = 0.75,
    alpha: float = 30.0,
    a: float = 0.8,
    b: float = 2.5,
    acquisition_days: float = 180.0,
    calibration_days: float = 365.0,
    seed: int = 0,
) -> pd.DataFrame:
    """Frequency / recency / T drawn exactly from the BG/NBD process in continuous time.

    No calendar rounding, so the maximum-likelihood estimator can be checked against
    the true parameters at the precision its standard errors promise. Uses that the
    last of x purchase times among N uniform potential purchase times on (0, T) is
    T * Beta(x, N - x + 1).
    """
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1.0 / alpha, size=n_customers)
    drop_p = rng.beta(a, b, size=n_customers)
    max_repeats = rng.geometric(drop_p)
    T = calibration_days - rng.uniform(0, acquisition_days, size=n_customers)
    n_potential = rng.poisson(lam * T)
    x = np.minimum(n_potential, max_repeats)
    recency = np.where(x > 0, rng.beta(np.maximum(x, 1), n_potential - x + 1) * T, 0.0)
    return pd.DataFrame({"customer_id": np.arange(n_customers), "frequency": x, "recency": recency, "T": T})
