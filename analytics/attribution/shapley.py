"""Exact Shapley-value attribution over channel sets (bitmask coalitions, vectorised numpy).

Players are the channels present in the paths; a coalition ``S`` is a set of channels, stored as a
bitmask. Order and repetition inside a path are ignored (the *set-based* game).

Coalition value (default ``value="conversion_rate"``, the set-based conversion-rate game):
    ``v(S)`` = conversions / journeys over the journeys whose channel set is **exactly** ``S``.
    It uses converting and non-converting journeys alike, so a channel that is everywhere but
    rarely followed by a purchase is not rewarded for mere presence.
Unseen coalitions (no journey — or fewer than ``min_journeys`` — with exactly that set) get the
    **monotone closure** ``v(S) = max_{c ∈ S} v(S \\ {c})``, filled bottom-up: a combination never
    observed is worth what its best observed sub-combination is worth, i.e. assumed to add nothing
    unproven. (Zero would be the other explicit choice, but it makes every step from an observed
    coalition into an unseen one a large *negative* marginal contribution, an artefact of sparsity.)
    ``v(∅) = 0`` unless ``empty_value`` is given: it is *not* estimated from empty-path journeys,
    because only converting ones are observable (an order with no touchpoint is recorded, a visit-less
    non-purchase is not), so their conversion rate would be a meaningless 1.

Alternative ``value="conversions"`` — the "simplified Shapley" of Zhao et al. (2018):
    ``v(S) = Σ_{T ⊆ S} conversions(T)`` (conversions of journeys whose set is contained in ``S``).
    Its Harsanyi dividends are the conversions of each exact set, so each converting journey is split
    equally over its distinct channels and non-converting journeys play no part. Offered for
    comparison; not the default because it cannot tell a high-reach, low-effect channel from a
    high-effect one.

Computation: with Harsanyi dividends ``d = Möbius(v)``, the Shapley value of player ``i`` in the game
restricted to the subsets of ``S`` is ``φ_i(S) = Σ_{T ⊆ S, i ∈ T} d(T) / |T|``. One Möbius transform
and one subset-sum (zeta) transform per channel give ``φ`` for **every** coalition at once in
``O(n² 2ⁿ)`` — exact up to ``MAX_EXACT_CHANNELS`` channels (the vocabulary has ten, nine in paths).

Per-conversion credit: a conversion with channel set ``S`` gets ``φ(S)`` — the Shapley values of the
subgame on its own channels — clipped at 0 and normalised to sum to 1 (equal split if all are 0),
then each channel's credit is split equally over that conversion's touchpoints of the channel.

Ordered variant (Zhao et al. 2018, "ordered Shapley": credit per channel *and touch position*, with
coalitions being ordered sequences) is documented in docs/attribution.md and not implemented: the
coalition space is sequences rather than sets, most are never observed at our volumes, and the
first-order Markov model already carries the order information.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .coalition_model import DEFAULT_COVARIATES, CoalitionModel, fit_coalition_model
from .credits import credit_frame, split_channel_weights
from .paths import PathCounts, _as_pandas, aggregate_paths, channel_lookup, group_starts, ordered_touchpoints

MAX_EXACT_CHANNELS = 16
COALITION_VALUES = ("conversion_rate", "conversions", "model")


def subset_sum(a: np.ndarray) -> np.ndarray:
    """Zeta transform over axis 0 (length 2ⁿ): ``out[S] = Σ_{T ⊆ S} a[T]``."""
    out = np.array(a, dtype=np.float64, copy=True)
    n = _n_players(out.shape[0])
    for i in range(n):
        view = out.reshape(-1, 2, 1 << i, *out.shape[1:])
        view[:, 1] += view[:, 0]
    return out


def mobius(a: np.ndarray) -> np.ndarray:
    """Möbius transform over axis 0 (inverse of :func:`subset_sum`): Harsanyi dividends of a game."""
    out = np.array(a, dtype=np.float64, copy=True)
    n = _n_players(out.shape[0])
    for i in range(n):
        view = out.reshape(-1, 2, 1 << i, *out.shape[1:])
        view[:, 1] -= view[:, 0]
    return out


def _n_players(size: int) -> int:
    n = int(size).bit_length() - 1
    if size != 1 << n:
        raise ValueError(f"a game over n players has 2**n coalition values, got {size}")
    return n


def popcount(masks: np.ndarray) -> np.ndarray:
    masks = np.asarray(masks, dtype=np.int64)
    count = np.zeros(masks.shape, dtype=np.int64)
    for i in range(63):
        count += (masks >> i) & 1
        if not (masks >> (i + 1)).any():
            break
    return count


def subgame_shapley_values(v: np.ndarray) -> np.ndarray:
    """``φ[S, i]``: Shapley value of player ``i`` in the game ``v`` restricted to the subsets of ``S``
    (0 when ``i ∉ S``). ``φ[S].sum() == v[S] - v[∅]`` (efficiency in every subgame)."""
    v = np.asarray(v, dtype=np.float64)
    n = _n_players(len(v))
    dividends = mobius(v)
    masks = np.arange(1 << n)
    size = popcount(masks)
    share = np.divide(dividends, size, out=np.zeros_like(dividends), where=size > 0)
    members = ((masks[:, None] >> np.arange(n)[None, :]) & 1).astype(np.float64)
    return subset_sum(share[:, None] * members)


def shapley_values(v: np.ndarray) -> np.ndarray:
    """Shapley values of the grand coalition of the game ``v`` (length 2ⁿ, bit ``i`` = player ``i``)."""
    return subgame_shapley_values(v)[-1]


def _close_unseen(v: np.ndarray, seen: np.ndarray, n: int) -> np.ndarray:
    """Fill unseen coalitions bottom-up with ``max_{c ∈ S} v(S \\ {c})``."""
    masks = np.arange(1 << n)
    size = popcount(masks)
    for k in range(1, n + 1):
        layer = masks[(size == k) & ~seen]
        if len(layer) == 0:
            continue
        best = np.full(len(layer), -np.inf)
        for i in range(n):
            has = ((layer >> i) & 1).astype(bool)
            best[has] = np.maximum(best[has], v[layer[has] ^ (1 << i)])
        v[layer] = best
    return v


@dataclass(frozen=True)
class ShapleyModel:
    """A fitted set-based game: its channels, coalition values and subgame Shapley values."""

    channels: tuple[str, ...]
    value: np.ndarray            # v[S], length 2ⁿ
    observed: np.ndarray         # bool[S]: coalition seen with ≥ min_journeys journeys
    phi: np.ndarray              # φ[S, i]
    conversions_by_set: np.ndarray
    value_by_set: np.ndarray
    coalition_model: CoalitionModel | None = None   # value="model": the fitted conversion model

    def normalised_credit(self) -> np.ndarray:
        """``φ[S]`` clipped at 0 and normalised per coalition (equal split if all 0)."""
        n = len(self.channels)
        members = ((np.arange(1 << n)[:, None] >> np.arange(n)[None, :]) & 1).astype(np.float64)
        phi = np.clip(self.phi, 0.0, None) * members
        total = phi.sum(axis=1, keepdims=True)
        size = members.sum(axis=1, keepdims=True)
        equal = np.divide(members, size, out=np.zeros_like(members), where=size > 0)
        return np.where(total > 0, phi / np.where(total > 0, total, 1.0), equal)

    def channel_credit(self) -> pd.DataFrame:
        """``channel, shapley_value, attributed_conversions, attributed_value, share``.

        ``shapley_value`` is the grand-coalition value (units of ``v``); attributed conversions/value
        sum the per-conversion credits; ``share`` = attributed conversions / conversions."""
        credit = self.normalised_credit()
        conversions = self.conversions_by_set @ credit
        value = self.value_by_set @ credit
        total = conversions.sum()
        return pd.DataFrame({
            "channel": list(self.channels),
            "shapley_value": self.phi[-1],
            "attributed_conversions": conversions,
            "attributed_value": value,
            "share": conversions / total if total > 0 else np.nan,
        })


def fit_shapley(paths, value: str = "conversion_rate", min_journeys: int = 1,
                empty_value: float | None = None, covariates: tuple[str, ...] | None = None,
                journeys=None, coalition_model: CoalitionModel | None = None) -> ShapleyModel:
    """Build the coalition game from journeys (or :class:`PathCounts`) and solve it exactly.

    ``value="model"`` takes ``v`` from a fitted conversion model: ``coalition_model`` when given (e.g. the
    person-day model of :mod:`.exposure_model`, fitted over the same ``channels``), else :mod:`.coalition_model`
    fitted here on the journeys table itself (with ``covariates``, default ``is_returning_customer`` when present):
    pass it as ``paths``, or pass already aggregated :class:`PathCounts` as ``paths`` and the table as ``journeys``."""
    if value not in COALITION_VALUES:
        raise ValueError(f"value must be one of {COALITION_VALUES}, got {value!r}")
    journey_table = paths if journeys is None and not isinstance(paths, PathCounts) else journeys
    if value == "model" and journey_table is None and coalition_model is None:
        raise ValueError('value="model" fits a conversion model on the journeys: pass the journeys table, '
                         "not only PathCounts")
    pc_ = paths if isinstance(paths, PathCounts) else aggregate_paths(paths)
    n = len(pc_.channels)
    if n > MAX_EXACT_CHANNELS:
        raise ValueError(f"{n} channels: exact Shapley is limited to {MAX_EXACT_CHANNELS} "
                         "(use channel groups, or a sampled-permutation estimate)")
    size = 1 << n
    masks = pc_.masks
    journeys = np.bincount(masks, weights=pc_.journeys, minlength=size)
    conversions = np.bincount(masks, weights=pc_.conversions, minlength=size)
    conv_value = np.bincount(masks, weights=pc_.conversion_value, minlength=size)

    if coalition_model is not None and (value != "model" or tuple(coalition_model.channels) != pc_.channels):
        raise ValueError(f'a fitted coalition_model needs value="model" and the paths\' channels {pc_.channels}')
    if value == "conversions":
        v = subset_sum(conversions)
        observed = journeys > 0
    elif value == "model":
        coalition_model = coalition_model or fit_coalition_model(
            _as_pandas(journey_table), pc_.channels, DEFAULT_COVARIATES if covariates is None else tuple(covariates))
        v = coalition_model.value.copy()
        observed = journeys > 0
        observed[0] = True
    else:
        observed = journeys >= max(min_journeys, 1)
        v = np.divide(conversions, journeys, out=np.zeros(size), where=observed)
        v[0], observed[0] = (0.0 if empty_value is None else float(empty_value)), True
        v = _close_unseen(v, observed, n)
    phi = subgame_shapley_values(v)
    return ShapleyModel(channels=pc_.channels, value=v, observed=observed, phi=phi,
                        conversions_by_set=conversions, value_by_set=conv_value, coalition_model=coalition_model)


def shapley_channel_credit(paths, **kwargs) -> pd.DataFrame:
    """Channel-level Shapley credit (see :meth:`ShapleyModel.channel_credit`)."""
    return fit_shapley(paths, **kwargs).channel_credit()


def shapley_conversion_credit(touchpoints, paths=None, conversions=None, model: ShapleyModel | None = None,
                              **kwargs) -> pd.DataFrame:
    """Credit per conversion × touchpoint (model ``shapley``).

    Each conversion's channel set ``S`` (from its touchpoints, channels known to the model) selects
    the normalised subgame Shapley values ``φ(S)``; each channel's credit is then split equally over
    the conversion's touchpoints of that channel. Channels unknown to the model weigh 0.
    """
    if model is None:
        if paths is None:
            raise ValueError("pass paths or a fitted model")
        model = fit_shapley(paths, **kwargs)
    tp = ordered_touchpoints(touchpoints)
    code = channel_lookup(tp, {c: i for i, c in enumerate(model.channels)}, default=-1).astype(np.int64)
    known = code >= 0
    code = np.where(known, code, 0)
    bit = np.where(known, np.left_shift(np.int64(1), code), 0)
    mask = np.bitwise_or.reduceat(bit, group_starts(tp))[tp["conversion_index"].to_numpy()] if len(bit) else bit
    row_weight = np.where(known, model.normalised_credit()[mask, code], 0.0)
    return credit_frame(tp, split_channel_weights(tp, row_weight), "shapley", conversions)
