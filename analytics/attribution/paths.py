"""Input contract of the attribution engine: journeys, conversions and touchpoints.

Three pandas tables (pyarrow tables are accepted and converted):

``journeys`` — one row per journey, converting **and** non-converting (a data-driven model needs both):
    ``journey_id``, ``path`` (channels in time order: a list/tuple per row, or the ``" > "``-joined
    string), ``converted`` (bool), ``conversion_value`` (float, ignored when not converted).
    A journey whose path is empty carries no channel information: it is kept out of the channel
    models (its conversions are "unattributed (baseline)"), and only counted in ``PathCounts.empty_*``.

``conversions`` — one row per conversion: ``conversion_id``, ``conversion_value`` and, for time decay
    and the eligibility helper, ``converted_at``.

``touchpoints`` — the eligible touchpoints of each conversion, the grain every model writes credit to:
    ``conversion_id``, ``touchpoint_id``, ``channel``, ``touched_at``. Order within a conversion is
    ``touched_at`` then ``touchpoint_id`` (the tie-break the SQL models must use too).

Identical paths are aggregated once (:func:`aggregate_paths`) so the models cost in proportion to the
number of *distinct* paths, not journeys; everything here is vectorised (pyarrow/pandas/numpy), with
no Python loop over journeys.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

CHANNELS: tuple[str, ...] = (
    "paid_search", "shopping", "paid_social_meta", "paid_social_tiktok", "amazon_ads",
    "email", "affiliate_kol", "organic_search", "direct", "referral",
)
"""Channel vocabulary shared with the warehouse; ``amazon_ads`` never appears in user-level paths."""

PATH_SEPARATOR = " > "
JOURNEY_COLUMNS = ("journey_id", "path", "converted", "conversion_value")
CONVERSION_COLUMNS = ("conversion_id", "conversion_value")
TOUCHPOINT_COLUMNS = ("conversion_id", "touchpoint_id", "channel", "touched_at")


def _require(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} is missing column(s) {missing}; expected at least {list(columns)}")


def _as_pandas(table) -> pd.DataFrame:
    return table.to_pandas() if isinstance(table, pa.Table) else table


def path_strings(path) -> pa.Array:
    """The path column as a pyarrow string array of ``" > "``-joined channels (nulls become "").

    Accepts strings, or lists/tuples/arrays of channel names (joined with ``pc.binary_join``).
    """
    arr = path
    if not isinstance(arr, (pa.Array, pa.ChunkedArray)):
        arr = pa.array(pd.Series(arr, copy=False), from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):  # e.g. pandas' Arrow-backed ``str`` dtype
        arr = arr.combine_chunks()
    if pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type):
        arr = pc.binary_join(arr, PATH_SEPARATOR)
    elif pa.types.is_dictionary(arr.type):
        arr = arr.cast(pa.string())
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        raise TypeError(f"path must be strings or lists of strings, got {arr.type}")
    return pc.fill_null(arr, "")


def order_channels(names) -> tuple[str, ...]:
    """Channels in vocabulary order first, then any unknown names alphabetically (deterministic)."""
    names = set(names)
    known = [c for c in CHANNELS if c in names]
    return tuple(known + sorted(names - set(known)))


@dataclass(frozen=True)
class PathCounts:
    """Distinct non-empty paths with their journey, conversion and value totals.

    ``step_path``/``step_channel`` list every step of every distinct path in order (path-major),
    ``step_channel`` indexing ``channels``; ``masks`` is each path's channel *set* as a bitmask.
    """

    path: np.ndarray            # distinct path strings (object array)
    journeys: np.ndarray        # int64, journeys with this path
    conversions: np.ndarray     # int64, converting journeys with this path
    conversion_value: np.ndarray  # float64, summed conversion value
    channels: tuple[str, ...]
    step_path: np.ndarray       # int64
    step_channel: np.ndarray    # int64
    empty_journeys: int = 0
    empty_conversions: int = 0

    @property
    def non_conversions(self) -> np.ndarray:
        return self.journeys - self.conversions

    @property
    def masks(self) -> np.ndarray:
        bits = np.left_shift(np.int64(1), self.step_channel)
        masks = np.zeros(len(self.path), dtype=np.int64)
        np.bitwise_or.at(masks, self.step_path, bits)
        return masks

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({
            "path": self.path, "journeys": self.journeys, "conversions": self.conversions,
            "conversion_value": self.conversion_value,
        })


def aggregate_paths(journeys) -> PathCounts:
    """Aggregate a journeys table (see module doc) to distinct non-empty paths."""
    journeys = _as_pandas(journeys)
    _require(journeys, ("path", "converted"), "journeys")
    paths = path_strings(journeys["path"])
    converted = journeys["converted"].fillna(False).to_numpy(dtype=bool)
    if "conversion_value" in journeys.columns:
        value = journeys["conversion_value"].fillna(0.0).to_numpy(dtype=np.float64)
    else:
        value = np.zeros(len(journeys))
    value = np.where(converted, value, 0.0)

    encoded = pc.dictionary_encode(paths)
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    distinct = encoded.dictionary
    n = len(distinct)
    n_journeys = np.bincount(codes, minlength=n).astype(np.int64)
    n_conversions = np.bincount(codes, weights=converted, minlength=n).astype(np.int64)
    total_value = np.bincount(codes, weights=value, minlength=n)

    is_empty = pc.equal(pc.utf8_length(distinct), 0).to_numpy(zero_copy_only=False)
    keep = ~is_empty
    distinct = distinct.filter(pa.array(keep))
    steps = pc.split_pattern(distinct, PATH_SEPARATOR)
    step_path = pc.list_parent_indices(steps).to_numpy().astype(np.int64)
    step_names = pc.utf8_trim_whitespace(pc.list_flatten(steps))
    step_dict = pc.dictionary_encode(step_names)
    channels = order_channels(step_dict.dictionary.to_pylist())
    remap = np.array([channels.index(c) for c in step_dict.dictionary.to_pylist()], dtype=np.int64)
    step_channel = remap[step_dict.indices.to_numpy(zero_copy_only=False)] if len(remap) else \
        np.zeros(0, dtype=np.int64)
    return PathCounts(
        path=np.asarray(distinct.to_pylist(), dtype=object),
        journeys=n_journeys[keep], conversions=n_conversions[keep], conversion_value=total_value[keep],
        channels=channels, step_path=step_path, step_channel=step_channel,
        empty_journeys=int(n_journeys[is_empty].sum()), empty_conversions=int(n_conversions[is_empty].sum()),
    )


ORDER_COLUMNS = ("position", "n_touchpoints", "conversion_index")


def _sort_key(values: pd.Series) -> np.ndarray:
    """An array that sorts like ``values``: the numbers themselves, epoch ticks for datetimes (any
    timezone), else dense ranks from a sorted factorize."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return np.asarray(values.array.asi8)
    if (pd.api.types.is_integer_dtype(values.dtype) or pd.api.types.is_float_dtype(values.dtype)) \
            and not values.isna().any():
        return values.to_numpy()
    return pd.factorize(values, sort=True)[0]


def _is_sorted(keys: list[np.ndarray]) -> bool:
    """Whether rows are already in lexicographic order of ``keys`` (then the sort is skipped)."""
    if len(keys[0]) < 2:
        return True
    ok = np.zeros(len(keys[0]) - 1, dtype=bool)
    tied = np.ones(len(keys[0]) - 1, dtype=bool)
    for key in keys:
        ok |= tied & (key[1:] > key[:-1])
        tied &= key[1:] == key[:-1]
    return bool((ok | tied).all())


def ordered_touchpoints(touchpoints) -> pd.DataFrame:
    """Touchpoints sorted by conversion, ``touched_at``, ``touchpoint_id``, with ``position`` (0-based),
    ``n_touchpoints`` and ``conversion_index`` (dense 0… per conversion, in sort order) added.

    Idempotent: a frame that already carries these columns is returned unchanged."""
    tp = _as_pandas(touchpoints)
    if all(c in tp.columns for c in ORDER_COLUMNS):
        return tp
    _require(tp, TOUCHPOINT_COLUMNS, "touchpoints")
    keys = [_sort_key(tp[c]) for c in ("conversion_id", "touched_at", "touchpoint_id")]
    if not _is_sorted(keys):
        order = np.lexsort(keys[::-1])
        tp = tp.take(order).reset_index(drop=True)
        keys = [k[order] for k in keys]
    else:
        tp = tp.reset_index(drop=True)
    group = keys[0]
    n = len(group)
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]]) if n else np.zeros(0, dtype=np.int64)
    sizes = np.diff(np.r_[starts, n])
    tp["position"] = np.arange(n) - np.repeat(starts, sizes)
    tp["n_touchpoints"] = np.repeat(sizes, sizes)
    tp["conversion_index"] = np.repeat(np.arange(len(starts)), sizes)
    return tp


def group_starts(tp: pd.DataFrame) -> np.ndarray:
    """Row index of each conversion's first touchpoint in an ordered frame (in ``conversion_index`` order)."""
    return np.flatnonzero(tp["position"].to_numpy() == 0)


def per_conversion(tp: pd.DataFrame, column: str, frame: pd.DataFrame, key: str = "conversion_id"):
    """``frame[column]`` looked up by each ordered touchpoint's conversion (missing → NA)."""
    ids = tp["conversion_id"].to_numpy()[group_starts(tp)]
    values = frame.drop_duplicates(key).set_index(key)[column].reindex(ids).array
    return values.take(tp["conversion_index"].to_numpy())


def channel_lookup(tp: pd.DataFrame, mapping, default: float = np.nan) -> np.ndarray:
    """``mapping[channel]`` for each touchpoint (``default`` for channels not in ``mapping``) — one
    lookup per distinct channel, not per row."""
    codes, names = pd.factorize(tp["channel"])
    table = pd.Series(mapping, dtype="float64").reindex(pd.Index(names, dtype=object)).fillna(default).to_numpy()
    return table[codes] if len(codes) else np.zeros(0)


def eligible_touchpoints(touchpoints, conversions, lookback_days: float = 30.0,
                         dedupe_minutes: float | None = None) -> pd.DataFrame:
    """Reference eligibility rule (DESIGN §7) for candidate touchpoints already matched to a conversion.

    Kept: ``converted_at - lookback_days <= touched_at <= converted_at``. Dedupe: in time order, a
    touchpoint is dropped when the *previous* touchpoint of the same channel for the same conversion
    (kept or not) is less than ``dedupe_minutes`` earlier — i.e. a burst collapses to its first touch.
    """
    tp = _as_pandas(touchpoints)
    conv = _as_pandas(conversions)
    _require(conv, ("conversion_id", "converted_at"), "conversions")
    tp = tp.merge(conv[["conversion_id", "converted_at"]], on="conversion_id", how="inner")
    start = tp["converted_at"] - pd.to_timedelta(lookback_days, unit="D")
    tp = tp[(tp["touched_at"] >= start) & (tp["touched_at"] <= tp["converted_at"])]
    tp = tp.drop(columns="converted_at")
    if dedupe_minutes:
        tp = tp.sort_values(["conversion_id", "channel", "touched_at", "touchpoint_id"], kind="stable")
        gap = tp["touched_at"] - tp.groupby(["conversion_id", "channel"], sort=False)["touched_at"].shift()
        tp = tp[~(gap < pd.to_timedelta(dedupe_minutes, unit="min"))]
    return ordered_touchpoints(tp).drop(columns=["position", "n_touchpoints"])


def attributable_conversions(touchpoints, conversions) -> pd.DataFrame:
    """Conversions with at least one eligible touchpoint (the rest are "unattributed (baseline)")."""
    conv = _as_pandas(conversions)
    _require(conv, CONVERSION_COLUMNS, "conversions")
    touched = pd.Index(_as_pandas(touchpoints)["conversion_id"].unique())
    return conv[conv["conversion_id"].isin(touched)]


def attributable_revenue(touchpoints, conversions) -> float:
    """Revenue of conversions with ≥1 eligible touchpoint (DESIGN §7)."""
    return float(attributable_conversions(touchpoints, conversions)["conversion_value"].sum())


def unattributed_baseline(touchpoints, conversions) -> pd.DataFrame:
    """Conversions without any eligible touchpoint: reported as their own line, never spread."""
    conv = _as_pandas(conversions)
    touched = pd.Index(_as_pandas(touchpoints)["conversion_id"].unique())
    return conv[~conv["conversion_id"].isin(touched)]
