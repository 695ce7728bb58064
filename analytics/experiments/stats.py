"""Vectorised test statistics for A/B tests on conversion rates (every function takes arrays)."""

from __future__ import annotations

import numpy as np
from scipy import stats


def _z(alpha: float) -> float:
    return float(stats.norm.ppf(1 - alpha / 2))


def two_proportion_ztest(conv_c, n_c, conv_t, n_t):
    """Two-sided two-proportion z-test with the pooled variance under H0: p_t = p_c.

    Returns (z, p_value); p_value is NaN where the pooled rate is 0 or 1 (no variance).
    """
    conv_c, n_c, conv_t, n_t = (np.asarray(v, dtype=float) for v in (conv_c, n_c, conv_t, n_t))
    with np.errstate(divide="ignore", invalid="ignore"):
        p_c, p_t = conv_c / n_c, conv_t / n_t
        pooled = (conv_c + conv_t) / (n_c + n_t)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n_c + 1 / n_t))
        z = (p_t - p_c) / se
    p = 2 * stats.norm.sf(np.abs(z))
    return z, np.where(se > 0, p, np.nan)


def wilson_interval(conv, n, alpha: float = 0.05):
    """Wilson score interval for a single proportion. Returns (low, high)."""
    conv, n = np.asarray(conv, dtype=float), np.asarray(n, dtype=float)
    z = _z(alpha)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = conv / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    return centre - half, centre + half


def newcombe_diff_ci(conv_c, n_c, conv_t, n_t, alpha: float = 0.05):
    """Newcombe's hybrid score interval (method 10, 1998) for p_t - p_c. Returns (low, high).

    Combines the two Wilson intervals; keeps good coverage at small counts and
    rates near 0 where the Wald interval undercovers.
    """
    conv_c, n_c, conv_t, n_t = (np.asarray(v, dtype=float) for v in (conv_c, n_c, conv_t, n_t))
    with np.errstate(divide="ignore", invalid="ignore"):
        p_c, p_t = conv_c / n_c, conv_t / n_t
    l_c, u_c = wilson_interval(conv_c, n_c, alpha)
    l_t, u_t = wilson_interval(conv_t, n_t, alpha)
    d = p_t - p_c
    low = d - np.sqrt((p_t - l_t) ** 2 + (u_c - p_c) ** 2)
    high = d + np.sqrt((u_t - p_t) ** 2 + (p_c - l_c) ** 2)
    return low, high


def wald_diff_ci(conv_c, n_c, conv_t, n_t, alpha: float = 0.05):
    """Unpooled Wald interval for p_t - p_c (reported for comparison only)."""
    conv_c, n_c, conv_t, n_t = (np.asarray(v, dtype=float) for v in (conv_c, n_c, conv_t, n_t))
    p_c, p_t = conv_c / n_c, conv_t / n_t
    se = np.sqrt(p_c * (1 - p_c) / n_c + p_t * (1 - p_t) / n_t)
    d = p_t - p_c
    return d - _z(alpha) * se, d + _z(alpha) * se


def srm_chisquare(observed, expected_shares):
    """Sample-ratio-mismatch chi-square test of observed counts against the declared split.

    `observed`: (..., k) counts per variant; `expected_shares`: (..., k) declared traffic
    shares (renormalised to sum to 1). Returns (chi2, p_value) with k - 1 degrees of freedom.
    """
    obs = np.asarray(observed, dtype=float)
    shares = np.asarray(expected_shares, dtype=float)
    shares = shares / shares.sum(axis=-1, keepdims=True)
    expected = shares * obs.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        chi2 = np.where(expected > 0, (obs - expected) ** 2 / expected, 0.0).sum(axis=-1)
    dof = obs.shape[-1] - 1
    return chi2, stats.chi2.sf(chi2, dof)


def analytic_power(p_c, p_t, n_c, n_t, alpha: float = 0.05):
    """Normal-approximation power of the two-sided two-proportion z-test for true rates p_c, p_t."""
    p_c, p_t, n_c, n_t = (np.asarray(v, dtype=float) for v in (p_c, p_t, n_c, n_t))
    delta = np.abs(p_t - p_c)
    pooled = (p_c * n_c + p_t * n_t) / (n_c + n_t)
    se0 = np.sqrt(pooled * (1 - pooled) * (1 / n_c + 1 / n_t))
    se1 = np.sqrt(p_c * (1 - p_c) / n_c + p_t * (1 - p_t) / n_t)
    z = _z(alpha)
    return stats.norm.cdf((delta - z * se0) / se1) + stats.norm.cdf((-delta - z * se0) / se1)


def cuped_from_moments(n, sum_y, sum_x, sum_yy, sum_xx, sum_xy, theta):
    """Mean and variance of the CUPED-adjusted metric Y - theta (X - mean_X_pooled) per group.

    Inputs are per-group sufficient statistics (arrays); `theta` per group (normally the
    experiment's pooled cov(X, Y) / var(X)). The constant theta * mean_X_pooled cancels
    in differences, so only group means of Y - theta X are returned, with their variance.
    """
    n = np.asarray(n, dtype=float)
    mean_y, mean_x = sum_y / n, sum_x / n
    with np.errstate(divide="ignore", invalid="ignore"):
        var_y = (sum_yy - n * mean_y**2) / (n - 1)
        var_x = (sum_xx - n * mean_x**2) / (n - 1)
        cov_xy = (sum_xy - n * mean_x * mean_y) / (n - 1)
    adj_mean = mean_y - theta * mean_x
    adj_var = var_y - 2 * theta * cov_xy + theta**2 * var_x
    return adj_mean, np.maximum(adj_var, 0.0), var_y


def cuped_theta(sum_y, sum_x, sum_xy, sum_xx, n):
    """theta = cov(X, Y) / var(X) from pooled sufficient statistics (0 when X has no variance)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = sum_xy / n - (sum_x / n) * (sum_y / n)
        var = sum_xx / n - (sum_x / n) ** 2
        theta = np.where(var > 1e-15, cov / var, 0.0)
    return theta


def diff_test(mean_c, var_c, n_c, mean_t, var_t, n_t, alpha: float = 0.05):
    """Welch-style z-test and Wald interval for a difference of means. Returns (diff, low, high, p)."""
    diff = np.asarray(mean_t, dtype=float) - np.asarray(mean_c, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(var_c / n_c + var_t / n_t)
        z = diff / se
    p = np.where(se > 0, 2 * stats.norm.sf(np.abs(z)), np.nan)
    half = _z(alpha) * se
    return diff, diff - half, diff + half, p
