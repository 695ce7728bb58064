"""Per-experiment, per-variant A/B test read-out: rates, lift, CI, p-value, SRM, CUPED and a verdict."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.clv.errors import InsufficientDataError, require_columns
from analytics.experiments.stats import (
    cuped_from_moments,
    cuped_theta,
    diff_test,
    newcombe_diff_ci,
    srm_chisquare,
    two_proportion_ztest,
)

RESULT_COLUMNS = [
    "experiment_id", "variant", "is_control", "users", "conversions", "conversion_rate",
    "declared_share", "observed_share", "abs_lift", "rel_lift", "ci_low", "ci_high", "p_value",
    "srm_chi2", "srm_p_value", "is_srm", "cuped_abs_lift", "cuped_rel_lift", "cuped_ci_low",
    "cuped_ci_high", "cuped_p_value", "cuped_theta", "cuped_variance_reduction", "verdict", "note",
]


def aggregate_users(
    users: pd.DataFrame,
    *,
    experiment_col: str = "experiment_id",
    variant_col: str = "variant",
    metric_col: str = "converted",
    covariate_col: str | None = None,
) -> pd.DataFrame:
    """Sufficient statistics per experiment and variant from one row per assigned user.

    `metric_col` is 0/1 (conversion); `covariate_col` is the user's pre-period metric
    for CUPED (missing values count as 0: no pre-period activity).
    """
    cols = [experiment_col, variant_col, metric_col] + ([covariate_col] if covariate_col else [])
    require_columns(users, cols, "aggregate_users")
    y = pd.to_numeric(users[metric_col], errors="coerce").fillna(0.0).clip(0, 1).to_numpy(dtype=float)
    df = pd.DataFrame(
        {"experiment_id": users[experiment_col].to_numpy(), "variant": users[variant_col].astype(str).to_numpy(), "y": y}
    )
    aggs = {"users": ("y", "size"), "conversions": ("y", "sum")}
    if covariate_col:
        x = pd.to_numeric(users[covariate_col], errors="coerce").fillna(0.0).to_numpy(dtype=float)
        df = df.assign(x=x, xx=x * x, xy=x * y)
        aggs.update({"sum_x": ("x", "sum"), "sum_xx": ("xx", "sum"), "sum_xy": ("xy", "sum")})
    return df.groupby(["experiment_id", "variant"], sort=True).agg(**aggs).reset_index()


def _declared(agg: pd.DataFrame, variants: pd.DataFrame | None) -> pd.DataFrame:
    """Attach is_control and declared_share; fall back to 'control' by name and equal split."""
    out = agg.copy()
    if variants is not None and not variants.empty:
        require_columns(variants, ["experiment_id", "variant", "is_control", "traffic_share"], "variants")
        v = variants[["experiment_id", "variant", "is_control", "traffic_share"]].copy()
        v["variant"] = v["variant"].astype(str)
        # outer: declared variants with no users still count for SRM; undeclared ones still get a row
        out = v.merge(out, on=["experiment_id", "variant"], how="outer")
        out["users"] = out["users"].fillna(0).astype(int)
        out["conversions"] = out["conversions"].fillna(0.0)
        out["declared_share"] = pd.to_numeric(out["traffic_share"], errors="coerce")
        out = out.drop(columns="traffic_share")
        out["is_control"] = out["is_control"].astype("boolean").fillna(False).astype(bool)
    else:
        out["is_control"] = out["variant"].str.lower().isin(["control", "a", "baseline"])
        out["declared_share"] = np.nan
    out = out.sort_values(["experiment_id", "variant"], ignore_index=True)
    out["note"] = ""
    incomplete = out["declared_share"].isna().groupby(out["experiment_id"]).transform("any")
    n_variants = out.groupby("experiment_id")["variant"].transform("size")
    out.loc[incomplete, "declared_share"] = 1.0 / n_variants[incomplete]
    out.loc[incomplete, "note"] += "declared split missing or incomplete: equal shares assumed; "
    # exactly one control per experiment: the declared one, else the first variant by name
    has_control = out.groupby("experiment_id")["is_control"].transform("any")
    first = out.groupby("experiment_id").cumcount() == 0
    out.loc[~has_control & first, "is_control"] = True
    out.loc[~has_control, "note"] += "no control declared: first variant by name used; "
    dup = out.groupby("experiment_id")["is_control"].transform("sum") > 1
    if dup.any():
        bad = sorted(out.loc[dup, "experiment_id"].astype(str).unique())
        raise InsufficientDataError(f"analyse_experiments: more than one control variant in experiment(s) {bad}")
    return out


def analyse_aggregates(
    agg: pd.DataFrame,
    variants: pd.DataFrame | None = None,
    *,
    alpha: float = 0.05,
    srm_alpha: float = 0.001,
    verdict_on: str = "ztest",
    correction: str = "none",
) -> pd.DataFrame:
    """Read-out from per-variant aggregates (users, conversions[, sum_x, sum_xx, sum_xy]).

    One row per experiment and variant (the control row carries its rate and the
    experiment's SRM result; its lift columns are NaN). See `analyse_experiments`.
    """
    require_columns(agg, ["experiment_id", "variant", "users", "conversions"], "analyse_aggregates")
    if verdict_on not in ("ztest", "cuped"):
        raise ValueError("verdict_on must be 'ztest' or 'cuped'")
    if correction not in ("none", "bonferroni"):
        raise ValueError("correction must be 'none' or 'bonferroni'")
    if agg.empty:
        out = pd.DataFrame({c: pd.Series(dtype=object) for c in RESULT_COLUMNS})
        out.attrs["note"] = "no experiment assignments"
        return out
    df = _declared(agg, variants)
    df = df.sort_values(["experiment_id", "is_control", "variant"], ascending=[True, False, True], ignore_index=True)
    df["conversion_rate"] = np.where(df["users"] > 0, df["conversions"] / df["users"].where(df["users"] > 0), np.nan)
    total = df.groupby("experiment_id")["users"].transform("sum")
    df["observed_share"] = df["users"] / total.where(total > 0)

    # SRM per experiment over all its variants
    srm = {}
    for exp_id, g in df.groupby("experiment_id", sort=False):
        chi2, p = srm_chisquare(g["users"].to_numpy(), g["declared_share"].to_numpy())
        srm[exp_id] = (float(chi2), float(p))
    df["srm_chi2"] = df["experiment_id"].map(lambda e: srm[e][0])
    df["srm_p_value"] = df["experiment_id"].map(lambda e: srm[e][1])
    df["is_srm"] = df["srm_p_value"] < srm_alpha

    ctrl = df[df["is_control"]].set_index("experiment_id")
    c = ctrl.reindex(df["experiment_id"])
    n_c, x_c = c["users"].to_numpy(dtype=float), c["conversions"].to_numpy(dtype=float)
    n_t, x_t = df["users"].to_numpy(dtype=float), df["conversions"].to_numpy(dtype=float)
    is_treat = ~df["is_control"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        rate_c = x_c / n_c
        abs_lift = df["conversion_rate"].to_numpy() - rate_c
        rel_lift = abs_lift / rate_c
    _, p = two_proportion_ztest(x_c, n_c, x_t, n_t)
    lo, hi = newcombe_diff_ci(x_c, n_c, x_t, n_t, alpha)
    df["abs_lift"] = np.where(is_treat, abs_lift, np.nan)
    df["rel_lift"] = np.where(is_treat, rel_lift, np.nan)
    df["ci_low"] = np.where(is_treat, lo, np.nan)
    df["ci_high"] = np.where(is_treat, hi, np.nan)
    df["p_value"] = np.where(is_treat, p, np.nan)

    cuped_cols = ["cuped_abs_lift", "cuped_rel_lift", "cuped_ci_low", "cuped_ci_high", "cuped_p_value",
                  "cuped_theta", "cuped_variance_reduction"]
    if {"sum_x", "sum_xx", "sum_xy"}.issubset(df.columns):
        for col in ("sum_x", "sum_xx", "sum_xy"):
            df[col] = df[col].fillna(0.0)
        pooled = df.groupby("experiment_id")[["users", "conversions", "sum_x", "sum_xx", "sum_xy"]].transform("sum")
        theta = np.asarray(cuped_theta(
            *(pooled[c].to_numpy(dtype=float) for c in ("conversions", "sum_x", "sum_xy", "sum_xx", "users"))
        ))
        # binary metric: sum of y^2 equals conversions
        mean_adj, var_adj, var_y = cuped_from_moments(
            df["users"].to_numpy(dtype=float), df["conversions"].to_numpy(dtype=float), df["sum_x"].to_numpy(),
            df["conversions"].to_numpy(dtype=float), df["sum_xx"].to_numpy(), df["sum_xy"].to_numpy(), theta,
        )
        df["_adj_mean"], df["_adj_var"], df["_var_y"] = mean_adj, var_adj, var_y
        cc = df[df["is_control"]].set_index("experiment_id").reindex(df["experiment_id"])
        diff, clo, chi, cp = diff_test(
            cc["_adj_mean"].to_numpy(), cc["_adj_var"].to_numpy(), n_c, mean_adj, var_adj, n_t, alpha
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            vr = 1 - (var_adj + cc["_adj_var"].to_numpy()) / (var_y + cc["_var_y"].to_numpy())
        df["cuped_abs_lift"] = np.where(is_treat, diff, np.nan)
        df["cuped_rel_lift"] = np.where(is_treat, diff / rate_c, np.nan)
        df["cuped_ci_low"] = np.where(is_treat, clo, np.nan)
        df["cuped_ci_high"] = np.where(is_treat, chi, np.nan)
        df["cuped_p_value"] = np.where(is_treat, cp, np.nan)
        df["cuped_theta"] = theta
        df["cuped_variance_reduction"] = np.where(is_treat, vr, np.nan)
        df = df.drop(columns=["_adj_mean", "_adj_var", "_var_y"])
    else:
        for col in cuped_cols:
            df[col] = np.nan

    # verdict
    n_treat = df.groupby("experiment_id")["is_control"].transform(lambda s: int((~s).sum())).to_numpy()
    alpha_eff = alpha / np.maximum(n_treat, 1) if correction == "bonferroni" else np.full(len(df), alpha)
    if verdict_on == "cuped" and df["cuped_p_value"].notna().any():
        p_used, lift_used = df["cuped_p_value"].to_numpy(), df["cuped_abs_lift"].to_numpy()
    else:
        p_used, lift_used = df["p_value"].to_numpy(), df["abs_lift"].to_numpy()
    verdict = np.where(
        (p_used < alpha_eff) & (lift_used > 0), "winner",
        np.where((p_used < alpha_eff) & (lift_used < 0), "loser", "inconclusive"),
    )
    verdict = np.where(df["is_control"], "control", verdict)
    verdict = np.where(df["is_srm"], "unhealthy", verdict)
    df["verdict"] = verdict
    no_users = (n_t == 0) | (n_c == 0)
    df.loc[no_users, "note"] += "a compared variant has no users; "
    df.loc[df["is_srm"], "note"] += "sample-ratio mismatch: assignment is broken, do not trust the lift; "
    df["note"] = df["note"].str.rstrip("; ")
    return df[RESULT_COLUMNS].reset_index(drop=True)


def analyse_experiments(
    users: pd.DataFrame,
    variants: pd.DataFrame | None = None,
    *,
    experiment_col: str = "experiment_id",
    variant_col: str = "variant",
    metric_col: str = "converted",
    covariate_col: str | None = None,
    alpha: float = 0.05,
    srm_alpha: float = 0.001,
    verdict_on: str = "ztest",
    correction: str = "none",
) -> pd.DataFrame:
    """Per experiment and variant: users, conversions, rate, lift vs control, 95% CI, p-value, SRM, CUPED, verdict.

    - CI for the absolute lift: Newcombe hybrid score interval; p-value: pooled two-proportion z-test.
    - SRM: chi-square of users per variant against the declared `traffic_share`
      (`variants`: experiment_id, variant, is_control, traffic_share); p < `srm_alpha`
      (default 0.001) marks every row of the experiment ``unhealthy``.
    - CUPED (with `covariate_col`, a pre-period metric per user): Y - theta (X - mean X),
      theta = cov(X, Y) / var(X) pooled over the experiment's variants; Wald CI and z-test.
    - verdict: ``winner`` / ``loser`` when p < alpha (Bonferroni over treatment arms if
      `correction="bonferroni"`) with positive / negative lift, else ``inconclusive``;
      ``control`` for the control row; ``unhealthy`` overrides all on SRM. The verdict uses
      the z-test unless `verdict_on="cuped"`.
    An empty input returns an empty frame with ``attrs["note"]``.
    """
    agg = aggregate_users(
        users, experiment_col=experiment_col, variant_col=variant_col, metric_col=metric_col,
        covariate_col=covariate_col,
    )
    if variants is not None and experiment_col != "experiment_id":
        variants = variants.rename(columns={experiment_col: "experiment_id"})
    if variants is not None and variant_col != "variant":
        variants = variants.rename(columns={variant_col: "variant"})
    return analyse_aggregates(
        agg, variants, alpha=alpha, srm_alpha=srm_alpha, verdict_on=verdict_on, correction=correction
    )
