"""Allocate a total daily budget across channels to maximise expected revenue (or contribution).

Solver: scipy SLSQP on the steady-state response curves with analytic gradients, an
equality constraint on the total and per-channel bounds, started from (a) the current
allocation projected onto the constraints and (b) a greedy marginal-ROAS water-filling
allocation; the best of the candidates (including the greedy one) is kept. For concave
curves (Hill shape <= 1, or spend above the inflection point) the problem is convex and
the KKT point is the global optimum: every channel not at a bound ends with the same
marginal ROAS (checked in the tests). For S-shaped curves below their inflection the
multi-start is a safeguard, not a proof.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import optimize

from analytics.budget.curves import curve_params, marginal_roas, steady_state_revenue
from analytics.clv.errors import InsufficientDataError

ACTIONS = ("hold", "cut", "pause")
ALLOCATION_COLUMNS = [
    "current_daily_spend", "suggested_daily_spend", "change_pct", "lower_bound", "upper_bound",
    "expected_revenue_current", "expected_revenue_suggested", "marginal_roas", "action", "reason", "confidence",
]


class InfeasibleBudgetError(ValueError):
    """The total budget cannot be placed within the bounds and holds (the message says by how much)."""


def _as_key(key) -> tuple:
    return key if isinstance(key, tuple) else (key,)


def _lookup(mapping, key, default=None):
    """mapping[key] accepting "meta" and ("meta",) as the same key."""
    if mapping is None:
        return default
    for candidate in (key, _as_key(key), key[0] if isinstance(key, tuple) and len(key) == 1 else key):
        if candidate in mapping:
            return mapping[candidate]
    return default


def _resolve_holds(holds, keys: list[tuple], key_names: list[str]) -> dict[tuple, dict]:
    """Holds given as {key: spec}, {key: (action, reason)} or a list of {<key_name>: value, action, reason[, to]}.

    A list rule matches every curve whose named key parts equal the given values (e.g.
    {"market": "BR", "action": "pause", "reason": "logistics disruption"} pauses every
    channel in BR). When several rules hit one curve, the strictest wins (pause > cut > hold).
    """
    if not holds:
        return {}
    rules = []
    if isinstance(holds, Mapping):
        for k, spec in holds.items():
            if isinstance(spec, tuple | list):
                spec = {"action": spec[0], "reason": spec[1] if len(spec) > 1 else ""}
            rules.append(({"__key__": _as_key(k)}, dict(spec)))
    else:
        for rule in holds:
            match = {n: rule[n] for n in key_names if n in rule}
            if not match:
                raise ValueError(f"hold rule {rule!r} names none of the key columns {key_names}")
            rules.append((match, {k: v for k, v in rule.items() if k not in key_names}))
    strength = {"hold": 0, "cut": 1, "pause": 2}
    out: dict[tuple, dict] = {}
    for match, spec in rules:
        action = spec.get("action")
        if action not in ACTIONS:
            raise ValueError(f"hold action must be one of {ACTIONS}, got {action!r}")
        for key in keys:
            if "__key__" in match:
                hit = match["__key__"] == key
            else:
                parts = dict(zip(key_names, key))
                hit = all(parts.get(n) == v for n, v in match.items())
            if hit and (key not in out or strength[action] > strength[out[key]["action"]]):
                out[key] = {"action": action, "reason": spec.get("reason", ""), "to": spec.get("to")}
    return out


def _greedy(funcs_marginal, lower, upper, budget, steps: int = 2000):
    """Water-filling: hand out the budget in small increments to the best marginal gain."""
    x = lower.copy()
    remaining = budget - x.sum()
    if remaining <= 0:
        return x
    step = remaining / steps
    for _ in range(steps):
        gains = funcs_marginal(x)
        gains[x + step > upper + 1e-9] = -np.inf
        i = int(np.argmax(gains))
        if not np.isfinite(gains[i]):
            break
        x[i] += step
    return x


def _project(x, lower, upper, budget):
    """Clip to bounds, then spread the gap to the total over channels with room (proportionally)."""
    x = np.clip(x, lower, upper)
    for _ in range(50):
        gap = budget - x.sum()
        if abs(gap) <= 1e-9 * max(budget, 1.0):
            break
        room = (upper - x) if gap > 0 else (x - lower)
        if room.sum() <= 0:
            break
        x = np.clip(x + gap * room / room.sum(), lower, upper)
    return x


def optimise_allocation(
    curves: Mapping,
    total_budget: float | None = None,
    bounds: Mapping | None = None,
    holds=None,
    *,
    current_spend: Mapping | None = None,
    max_change: float = 0.30,
    objective: str = "revenue",
    margin: float | Mapping = 1.0,
    key_names: tuple[str, ...] | list[str] = ("channel",),
) -> pd.DataFrame:
    """Suggested daily spend per curve for a total budget, within bounds and holds.

    - `curves`: {key: FittedCurve or parameter dict} (see `curves.py` for the dict form);
      keys are a channel name or a tuple matching `key_names` (e.g. ("meta", "DE")).
    - `current_spend`: {key: current daily spend}; defaults to each FittedCurve's
      `current_daily_spend` (required for plain dicts).
    - `total_budget`: daily total; default = the sum of current spend.
    - `bounds`: {key: (lower, upper)}; default (1 - max_change, 1 + max_change) x current.
    - `holds`: brand rules, see `_resolve_holds`; ``hold`` keeps current spend, ``cut``
      sets it to ``to`` (default: the lower bound), ``pause`` sets 0. The budget they
      free is reallocated to the other channels within their bounds.
    - `objective`: ``revenue`` (sum of expected revenue) or ``contribution``
      (sum of margin x revenue - spend; `margin` a fraction or {key: fraction}).
    Returns one row per curve with the key columns and `ALLOCATION_COLUMNS`; totals are
    in ``attrs``. Raises `InsufficientDataError` for no curves and
    `InfeasibleBudgetError` when the budget cannot fit the bounds.
    """
    if not curves:
        raise InsufficientDataError("optimise_allocation: no response curves to allocate over")
    if objective not in ("revenue", "contribution"):
        raise ValueError("objective must be 'revenue' or 'contribution'")
    key_names = list(key_names)
    keys = [_as_key(k) for k in curves]
    if any(len(k) != len(key_names) for k in keys):
        raise ValueError(f"curve keys {keys[:3]}... do not match key_names {key_names}")
    raw_keys = list(curves)
    params = [curve_params(curves[k]) for k in raw_keys]
    lookup = _lookup
    current = []
    for k in raw_keys:
        c = lookup(current_spend, k)
        if c is None:
            c = getattr(curves[k], "current_daily_spend", None)
        if c is None:
            raise InsufficientDataError(f"optimise_allocation: no current spend for {k!r} (pass current_spend)")
        current.append(float(c))
    current = np.array(current)
    n = len(keys)
    budget = float(current.sum() if total_budget is None else total_budget)
    if budget < 0 or not np.isfinite(budget):
        raise ValueError(f"total_budget must be a non-negative number, got {total_budget!r}")
    margins = np.array([float(lookup(margin, k, 1.0)) if isinstance(margin, Mapping) else float(margin) for k in raw_keys])

    lower = (1 - max_change) * current
    upper = (1 + max_change) * current
    if bounds:
        for i, k in enumerate(raw_keys):
            b = lookup(bounds, k)
            if b is not None:
                lower[i], upper[i] = float(b[0]), float(b[1])
    if np.any(lower > upper + 1e-9):
        raise InfeasibleBudgetError("optimise_allocation: a lower bound exceeds its upper bound")

    resolved = _resolve_holds(holds, keys, key_names)
    actions = ["" for _ in range(n)]
    reasons = ["" for _ in range(n)]
    fixed = np.zeros(n, dtype=bool)
    for i, key in enumerate(keys):
        if key in resolved:
            h = resolved[key]
            level = {"hold": current[i], "pause": 0.0}.get(h["action"])
            if h["action"] == "cut":
                level = float(h["to"]) if h.get("to") is not None else lower[i]
            lower[i] = upper[i] = level
            fixed[i] = True
            actions[i] = h["action"]
            reasons[i] = h["reason"]

    free = ~fixed
    budget_free = budget - lower[fixed].sum()
    notes = []
    if budget_free < lower[free].sum() - 1e-6:
        raise InfeasibleBudgetError(
            f"optimise_allocation: the total budget {budget:,.2f} is below the sum of lower bounds and held "
            f"spend {lower.sum():,.2f}; lower the bounds or raise the budget"
        )
    unallocated = 0.0
    if budget_free > upper[free].sum() + 1e-6:
        unallocated = budget_free - upper[free].sum()
        budget_free = upper[free].sum()
        notes.append(f"{unallocated:,.2f} per day cannot be placed within the upper bounds and is left unallocated")

    stacked = {name: np.array([p[name] for p in params]) for name in ("beta", "half_saturation", "shape", "baseline")}

    def revenue_all(x):  # vectorised steady_state_revenue over all curves
        return steady_state_revenue(x, stacked)

    def marginal_all(x):
        return marginal_roas(x, stacked)

    def obj_terms(x):
        rev = revenue_all(x)
        return margins * rev - x if objective == "contribution" else rev

    def gain_marginal(x):
        m = marginal_all(x)
        return margins * m - 1.0 if objective == "contribution" else m

    x = lower.copy()
    if free.any():
        idx = np.flatnonzero(free)
        lo, hi = lower[idx], upper[idx]
        scale = np.maximum(hi, 1.0)
        ref = max(float(obj_terms(np.where(free, np.maximum(current, 1e-9), lower)).sum()), 1.0)

        def full(z):
            v = lower.copy()
            v[idx] = z * scale
            return v

        def neg_obj(z):
            return -obj_terms(full(z))[idx].sum() / ref

        def neg_grad(z):
            return -gain_marginal(full(z))[idx] * scale / ref

        cons = {"type": "eq", "fun": lambda z: (z * scale).sum() / max(budget_free, 1.0) - budget_free / max(budget_free, 1.0),
                "jac": lambda z: scale / max(budget_free, 1.0)}
        starts = [
            _project(current[idx].copy(), lo, hi, budget_free),
            _greedy(lambda v: gain_marginal(_embed(v, idx, lower))[idx], lo.copy(), hi, budget_free),
        ]
        candidates = list(starts)
        for start in starts:
            res = optimize.minimize(
                neg_obj, start / scale, jac=neg_grad, method="SLSQP",
                bounds=list(zip(lo / scale, hi / scale)), constraints=[cons],
                options={"maxiter": 500, "ftol": 1e-12},
            )
            candidates.append(_project(res.x * scale, lo, hi, budget_free))
        best = max(candidates, key=lambda z: obj_terms(_embed(z, idx, lower))[idx].sum())
        x[idx] = best

    rev_current, rev_suggested = revenue_all(current), revenue_all(x)
    m_current, m_suggested = marginal_all(current), marginal_all(x)
    interior = free & (x > lower + 1e-6 * np.maximum(upper, 1)) & (x < upper - 1e-6 * np.maximum(upper, 1))
    pool = m_suggested[interior] if interior.any() else m_suggested[free] if free.any() else m_suggested
    portfolio = float(np.median(pool)) if len(pool) else float("nan")

    confidence = []
    for i, k in enumerate(raw_keys):
        c = curves[k]
        conf = getattr(c, "confidence", "given")
        extra = "; ".join(getattr(c, "notes", []) or [])
        if getattr(c, "max_spend", None) is not None and x[i] > c.max_spend * 1.05:
            extra = "; ".join(filter(None, [extra, "suggested spend above the highest spend observed"]))
        confidence.append(f"{conf}: {extra}" if extra else conf)

    for i in range(n):
        if fixed[i]:
            reasons[i] = f"{actions[i]}: {reasons[i]}" if reasons[i] else actions[i]
            continue
        if upper[i] - lower[i] <= 1e-9 * max(upper[i], 1.0):
            actions[i] = "keep"
            reasons[i] = (
                "keep: no current spend, and relative bounds allow none (pass explicit bounds to test this channel)"
                if current[i] == 0 else f"keep: bounds fix the spend at {x[i]:,.2f}"
            )
            continue
        if current[i] > 0:
            change = x[i] / current[i] - 1
        else:
            change = np.inf if x[i] > 0 else 0.0
        at_upper = x[i] >= upper[i] - 1e-6 * max(upper[i], 1)
        at_lower = x[i] <= lower[i] + 1e-6 * max(upper[i], 1)
        if abs(change) < 0.01:
            actions[i] = "keep"
            reasons[i] = f"keep: marginal ROAS {m_current[i]:.2f} is in line with the portfolio's {portfolio:.2f}"
        elif change > 0:
            actions[i] = "increase"
            reasons[i] = f"increase: marginal ROAS {m_current[i]:.2f} at current spend is " + (
                f"above the portfolio's {portfolio:.2f}" if m_current[i] > portfolio else
                f"not above the portfolio's {portfolio:.2f}, but the best placement of the total within the bounds "
                f"still raises it (budget freed by holds or by channels at a bound, or a curve below its inflection)"
            ) + (" (capped at the upper bound)" if at_upper else "")
        else:
            actions[i] = "decrease"
            reasons[i] = f"decrease: marginal ROAS {m_current[i]:.2f} at current spend is " + (
                f"below the portfolio's {portfolio:.2f}" if m_current[i] < portfolio else
                f"not below the portfolio's {portfolio:.2f}, but the best placement of the total within the bounds "
                f"still lowers it (a smaller budget, channels at a bound, or a curve below its inflection)"
            ) + (" (limited by the lower bound)" if at_lower else "")
    if unallocated > 0:
        # the output must say so on every row: sum(suggested) is below the budget by this much
        note = (f"{unallocated:,.2f} of the {budget:,.2f} daily budget is left unallocated: the holds and bounds "
                f"leave no channel room to take it (every free channel is at its upper bound)")
        reasons = [f"{r}; {note}" for r in reasons]

    out = pd.DataFrame([dict(zip(key_names, k)) for k in keys])
    out["current_daily_spend"] = current
    out["suggested_daily_spend"] = x
    with np.errstate(divide="ignore", invalid="ignore"):
        out["change_pct"] = np.where(current > 0, 100 * (x / current - 1), np.nan)
    out["lower_bound"] = lower
    out["upper_bound"] = upper
    out["expected_revenue_current"] = rev_current
    out["expected_revenue_suggested"] = rev_suggested
    out["marginal_roas"] = m_suggested
    out["action"] = actions
    out["reason"] = reasons
    out["confidence"] = confidence
    out.attrs.update(
        {
            "total_budget": budget,
            "suggested_total_spend": float(x.sum()),
            "unallocated_budget": unallocated,
            "expected_revenue_current_total": float(rev_current.sum()),
            "expected_revenue_suggested_total": float(rev_suggested.sum()),
            "portfolio_marginal_roas": portfolio,
            "objective": objective,
            "notes": notes,
            "method": "SLSQP multi-start (current, greedy water-filling) on steady-state adstock+Hill curves",
        }
    )
    return out


def _embed(z, idx, base):
    v = base.copy()
    v[idx] = z
    return v


def oracle_allocation(
    true_curves: Mapping,
    current_spend: Mapping,
    total_budget: float | None = None,
    bounds: Mapping | None = None,
    holds=None,
    **kwargs,
) -> pd.DataFrame:
    """The best allocation under the TRUE curves (same dict form), same total, bounds and holds (evaluation only)."""
    return optimise_allocation(
        true_curves, total_budget, bounds, holds, current_spend=current_spend, **kwargs
    )


def score_allocation(curves: Mapping, spend: Mapping) -> float:
    """Total expected daily revenue of an allocation {key: daily spend} under `curves`."""
    total = 0.0
    for k, c in curves.items():
        s = _lookup(spend, k)
        if s is None:
            raise KeyError(f"score_allocation: no spend for {k!r}")
        total += float(steady_state_revenue(float(s), c))
    return total


def allocation_to_spend(allocation: pd.DataFrame, column: str = "suggested_daily_spend", key_names=("channel",)) -> dict:
    """{key: spend} from an allocation frame (1-part keys as plain strings)."""
    key_names = list(key_names)
    keys = allocation[key_names].itertuples(index=False, name=None)
    return {(k[0] if len(k) == 1 else k): float(v) for k, v in zip(keys, allocation[column])}
