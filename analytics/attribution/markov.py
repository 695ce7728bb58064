"""First-order Markov chain attribution with removal effects solved exactly.

Chain: states ``start``, one per channel, and the absorbing ``conversion`` and ``null``. Every
non-empty journey — converting or not — contributes its transitions ``start → c1 → … → ck`` and a final
``ck → conversion`` (converted) or ``ck → null`` (not converted), weighted by how many journeys share the
path. Transition probabilities are the row-normalised counts. Repeated touches of a channel give
self-loops; they do not change absorption probabilities (a loop only delays leaving the state).

Conversion probability ``P`` = probability of absorption in ``conversion`` from ``start``. With ``Q``
the transient-to-transient block and ``r`` the transient-to-conversion column, absorption
probabilities solve ``(I - Q) x = r`` and ``P = x[start]`` — an exact linear solve, no simulation.

Removal effect of channel ``c``: ``RE_c = 1 - P_{-c} / P`` where ``P_{-c}`` is computed on the chain in
which every transition into ``c`` goes to ``null`` instead. Channel shares are ``RE_c / Σ RE``.

Conversion-level credit (how a *global* model yields credit per conversion): a conversion whose path
holds the channel set ``S`` gives channel ``c ∈ S`` the credit ``RE_c / Σ_{c' ∈ S} RE_{c'}`` — the
normalised removal effects restricted to the channels it actually touched, the standard way to
distribute one conversion with a global Markov model. Channel credit is then split equally over that
conversion's touchpoints of the channel, so credits per conversion sum to 1.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from .credits import credit_frame, split_channel_weights
from .paths import PathCounts, aggregate_paths, channel_lookup, ordered_touchpoints

DENSE_STATE_LIMIT = 256
"""Chains with more transient states than this are solved with sparse LU (first-order chains over
the channel vocabulary are tiny; higher-order or campaign-level chains may not be)."""

START = "(start)"
CONVERSION = "(conversion)"
NULL = "(null)"


def _as_path_counts(paths) -> PathCounts:
    return paths if isinstance(paths, PathCounts) else aggregate_paths(paths)


def transition_counts(paths) -> tuple[np.ndarray, tuple[str, ...]]:
    """Transition counts between states ``(start, *channels, conversion, null)`` (rows: from)."""
    pc_ = _as_path_counts(paths)
    n = len(pc_.channels)
    size = n + 3
    conv_state, null_state = n + 1, n + 2
    step_path, step_state = pc_.step_path, pc_.step_channel + 1
    if len(step_path) == 0:
        return np.zeros((size, size)), pc_.channels
    first = np.r_[True, step_path[1:] != step_path[:-1]]
    last = np.r_[step_path[1:] != step_path[:-1], True]
    previous = np.where(first, 0, np.r_[0, step_state[:-1]])
    weight = pc_.journeys[step_path].astype(np.float64)
    counts = np.bincount(previous * size + step_state, weights=weight, minlength=size * size)
    final_state = step_state[last]
    final_path = step_path[last]
    counts += np.bincount(final_state * size + conv_state, weights=pc_.conversions[final_path].astype(float),
                          minlength=size * size)
    counts += np.bincount(final_state * size + null_state, weights=pc_.non_conversions[final_path].astype(float),
                          minlength=size * size)
    return counts.reshape(size, size), pc_.channels


def transition_matrix(paths) -> pd.DataFrame:
    """Row-normalised transition probabilities as a labelled frame (absorbing rows are self-loops)."""
    counts, channels = transition_counts(paths)
    labels = [START, *channels, CONVERSION, NULL]
    probs = _normalise_rows(counts)
    probs[-2, -2] = probs[-1, -1] = 1.0
    return pd.DataFrame(probs, index=labels, columns=labels)


def _normalise_rows(counts: np.ndarray) -> np.ndarray:
    totals = counts.sum(axis=1, keepdims=True)
    return np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)


def absorption_probability(q: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Solve ``(I - Q) x = r``: probability of ending in the target absorbing state from each transient
    state. Dense LAPACK for small chains, sparse LU above ``DENSE_STATE_LIMIT`` states."""
    m = q.shape[0]
    if m <= DENSE_STATE_LIMIT:
        return np.linalg.solve(np.eye(m) - q, r)
    a = (sp.identity(m, format="csc") - sp.csc_matrix(q)).tocsc()
    return spla.spsolve(a, r)


def _transient_blocks(paths):
    counts, channels = transition_counts(paths)
    n = len(channels)
    probs = _normalise_rows(counts)
    return probs[: n + 1, : n + 1], probs[: n + 1, n + 1], channels


def conversion_probability(paths) -> float:
    """Probability that a walk from ``start`` ends in ``conversion``."""
    q, r, _ = _transient_blocks(paths)
    return float(absorption_probability(q, r)[0])


def removal_effects(paths) -> pd.DataFrame:
    """``channel, conversion_probability_without, removal_effect`` for every channel in the paths."""
    q, r, channels = _transient_blocks(paths)
    base = float(absorption_probability(q, r)[0])
    if base <= 0:
        raise ValueError("no conversions in the paths: removal effects are undefined")
    without = np.empty(len(channels))
    for i in range(len(channels)):
        state = i + 1
        q_removed, r_removed = q.copy(), r.copy()
        q_removed[:, state] = 0.0   # transitions into the channel now end in null
        q_removed[state, :] = 0.0
        r_removed[state] = 0.0
        without[i] = absorption_probability(q_removed, r_removed)[0]
    effect = 1.0 - without / base
    frame = pd.DataFrame({"channel": list(channels), "conversion_probability_without": without,
                          "removal_effect": effect})
    frame.attrs["conversion_probability"] = base
    return frame


def markov_channel_credit(paths) -> pd.DataFrame:
    """``channel, removal_effect, share`` — removal effects normalised to shares summing to 1."""
    effects = removal_effects(paths)
    total = effects["removal_effect"].sum()
    out = effects[["channel", "removal_effect"]].copy()
    out["share"] = out["removal_effect"] / total
    out.attrs.update(effects.attrs)
    return out


def markov_conversion_credit(touchpoints, paths=None, conversions=None, channel_credit=None) -> pd.DataFrame:
    """Credit per conversion × touchpoint (model ``markov``) from a model fitted on ``paths``.

    Pass ``paths`` (journeys or :class:`PathCounts`) or a precomputed ``channel_credit`` frame.
    Channels of a touchpoint unknown to the model weigh 0 (see :func:`split_channel_weights`).
    """
    if channel_credit is None:
        if paths is None:
            raise ValueError("pass paths or channel_credit")
        channel_credit = markov_channel_credit(paths)
    tp = ordered_touchpoints(touchpoints)
    weights = channel_credit.set_index("channel")["removal_effect"]
    row_weight = channel_lookup(tp, weights, default=0.0)
    return credit_frame(tp, split_channel_weights(tp, row_weight), "markov", conversions)
