"""Markov and Shapley attribution on the warehouse: read the journeys, fit, write the `ml` tables.

Warehouse I/O around :mod:`analytics.attribution` (the engine), kept free of Dagster so that tests
and benchmarks call it with any DuckDB connection. The Dagster asset (``assets.py``) only opens the
read-write connection inside the warehouse writer pool and reports what was written.

Reads (built by dbt):
    marts.fct_journey_paths                       journeys, converting and not (Markov; non-empty paths fit)
    intermediate.int_attribution__eligible_touchpoints   conversion × eligible touchpoint
    intermediate.int_attribution__touchpoints, marts.fct_orders,
    intermediate.int_orders__prior_history        person-days at risk (Shapley's conversion model,
                                                  analytics/attribution/exposure_model.py)

Writes (schema ``ml``, declared as dbt sources in models/marts/attribution/_attribution__sources.yml):
    attribution_channel_set_credits   model × channel set × channel -> channel credit; what
                                      fct_attribution applies to the current touchpoints
    attribution_data_driven_credits   conversion × touchpoint × model, the engine's own output (audit
                                      and the SQL-vs-Python test)
    attribution_model_fit             model × channel: removal effects / Shapley values and shares
    attribution_baseline_shares       channel set × is_returning_customer -> the share of a conversion Shapley's
                                      conversion model ascribes to the customer alone (h0 / h) and to their being a
                                      customer (returning_share); fct_attribution turns them into
                                      incremental_attributed_revenue and acquisition_repeat_revenue

Channel-set credits reproduce the engine's per-conversion rule exactly (analytics.attribution
.credits.split_channel_weights): Markov weighs each channel of the set by its removal effect
(negatives count as 0), Shapley by the clipped subgame Shapley values of the set; weights are
normalised over the set, and a set whose weights are all 0 is split equally. fct_attribution then
splits a channel's credit equally over the conversion's touchpoints of that channel. A model's
``exposure_window_days`` (Shapley: the person-day model's window; Markov: null) limits the set and the
split to the touchpoints within that many days before the conversion (all of them when none is).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from analytics.attribution import aggregate_paths, fit_shapley, markov_channel_credit
from analytics.attribution.coalition_model import baseline_shares, fit_coalition_model
from analytics.attribution.exposure_model import (DEFAULT_WINDOWS, ExposureFit, choose_window,
                                                 credit_within_window)
from analytics.attribution.markov import markov_conversion_credit
from analytics.attribution.shapley import shapley_conversion_credit

ML_SCHEMA = "ml"
CHANNEL_SET_CREDITS_TABLE = "attribution_channel_set_credits"
DATA_DRIVEN_CREDITS_TABLE = "attribution_data_driven_credits"
MODEL_FIT_TABLE = "attribution_model_fit"
BASELINE_SHARES_TABLE = "attribution_baseline_shares"
BASELINE_COVARIATE = "is_returning_customer"
JOURNEYS_RELATION = "marts.fct_journey_paths"
ELIGIBLE_RELATION = "intermediate.int_attribution__eligible_touchpoints"
TOUCHPOINTS_RELATION = "intermediate.int_attribution__touchpoints"
ORDERS_RELATION = "marts.fct_orders"
PRIOR_HISTORY_RELATION = "intermediate.int_orders__prior_history"
CHANNEL_SET_SEPARATOR = ","
# Shapley's coalition values come from a fitted conversion model with the returning-customer covariate, not the raw
# conversion rate per channel set (which credits direct and e-mail for returning customers' own propensity: demo TVD
# 0.178 -> 0.143); run_data_driven_attribution fits it on person-days (exposure_model), else it is fitted on journeys.
DEFAULT_SHAPLEY_OPTIONS = {"value": "model"}


@dataclass
class DataDrivenResult:
    channel_set_credits: pd.DataFrame
    conversion_credits: pd.DataFrame
    model_fit: pd.DataFrame
    fitted_journeys: int
    fitted_conversions: int
    conversion_probability: float
    baseline_shares: pd.DataFrame = field(default_factory=pd.DataFrame)
    summary: dict = field(default_factory=dict)
    exposure: ExposureFit | None = None   # the person-day model behind Shapley (None: fitted on journeys)


def channel_set_key(channels) -> str:
    """The key fct_attribution computes: channel names ascending (byte order), joined by ','."""
    return CHANNEL_SET_SEPARATOR.join(sorted(channels))


def read_journeys(connection: duckdb.DuckDBPyConnection, include_censored: bool = True) -> pd.DataFrame:
    """Journeys with at least one touchpoint (an empty path carries no channel information: its
    conversion is the unattributed baseline)."""
    censored = "" if include_censored else "and not is_censored"
    return connection.execute(f"""
        select journey_id, path, converted, cast(conversion_value as double) as conversion_value,
               is_returning_customer, is_censored
        from {JOURNEYS_RELATION}
        where touchpoints > 0 {censored}
    """).df()


def read_exposure_cells(connection: duckdb.DuckDBPyConnection, channels: tuple[str, ...], window_days: int,
                        as_of_date: str | None = None, touchpoints_relation: str = TOUCHPOINTS_RELATION,
                        orders_relation: str = ORDERS_RELATION,
                        prior_history_relation: str | None = PRIOR_HISTORY_RELATION) -> pd.DataFrame:
    """Person-days at risk aggregated to (``mask``, ``is_returning_customer``, ``converted``) -> ``weight``.

    See analytics/attribution/exposure_model.py. A person is at risk from the UTC day of their first non-navigational
    touchpoint to the as-of date (default: the last touchpoint's day); a day is exposed to channel ``c`` when the
    person had a touchpoint of ``c`` on that day or one of the ``window_days - 1`` days before, except that on a day
    with an order only the touchpoints before the day's first order count (a touchpoint after the purchase did not
    cause it). A day is a returning customer's after the person's first order, and every day is when the person
    ordered before the warehouse's order history began (``prior_history_relation``: ``person_id`` per such person;
    None: no such history). Only the person-days with an exposure or an order are materialised; the rest are
    counted per person."""
    bits = pd.DataFrame({"channel": list(channels), "bit": [1 << i for i in range(len(channels))]})
    prior_history = "" if prior_history_relation is None else (
        f"union all select person_id, date '0001-01-01' from {prior_history_relation}")   # a customer since always
    connection.register("_exposure_channel_bits", bits)
    try:
        return connection.execute(f"""
            with
            bounds as (
                select coalesce(cast(? as date), max(cast(touchpoint_at as date))) as as_of
                from {touchpoints_relation}
                where not is_navigational
            ),
            touch_channel_days as (
                select t.person_id, cast(t.touchpoint_at as date) as day, b.bit,
                       min(t.touchpoint_at) as first_touch_at
                from {touchpoints_relation} as t
                inner join _exposure_channel_bits as b on t.channel = b.channel
                cross join bounds
                where not t.is_navigational and cast(t.touchpoint_at as date) <= bounds.as_of
                group by t.person_id, cast(t.touchpoint_at as date), b.bit
            ),
            persons as (
                select person_id, min(day) as first_day from touch_channel_days group by person_id
            ),
            orders as (
                select o.person_id, o.ordered_at
                from {orders_relation} as o
                where not o.is_cancelled
            ),
            first_orders as (
                select person_id, min(first_order_day) as first_order_day
                from (
                    select person_id, cast(ordered_at as date) as first_order_day from orders
                    {prior_history}
                ) as first_order_days
                group by person_id
            ),
            order_days as (
                select orders.person_id, cast(orders.ordered_at as date) as day, min(orders.ordered_at) as first_at
                from orders
                inner join persons on orders.person_id = persons.person_id
                cross join bounds
                where cast(orders.ordered_at as date) between persons.first_day and bounds.as_of
                group by orders.person_id, cast(orders.ordered_at as date)
            ),
            touch_exposures as (
                -- a channel touched only after the day's first order does not expose that day (it does expose later
                -- days): the purchase came first
                select touch_channel_days.person_id, touch_channel_days.day, touch_channel_days.bit,
                       order_days.first_at is null
                       or touch_channel_days.first_touch_at < order_days.first_at as exposes_own_day
                from touch_channel_days
                left join order_days
                    on touch_channel_days.person_id = order_days.person_id
                    and touch_channel_days.day = order_days.day
            ),
            exposed as (
                select touch_exposures.person_id, cast(touch_exposures.day + lag.k as date) as day,
                       bit_or(touch_exposures.bit) as mask
                from touch_exposures
                cross join (select cast(range as integer) as k from range(0, {int(window_days)})) as lag
                cross join bounds
                where touch_exposures.day + lag.k <= bounds.as_of
                  and (lag.k > 0 or touch_exposures.exposes_own_day)
                group by touch_exposures.person_id, touch_exposures.day + lag.k
            ),
            explicit_days as (
                select coalesce(exposed.person_id, order_days.person_id) as person_id,
                       coalesce(exposed.day, order_days.day) as day,
                       coalesce(exposed.mask, 0) as mask,
                       order_days.day is not null as converted
                from exposed
                full outer join order_days
                    on exposed.person_id = order_days.person_id and exposed.day = order_days.day
            ),
            explicit_cells as (
                select explicit_days.mask,
                       coalesce(first_orders.first_order_day < explicit_days.day, false) as is_returning_customer,
                       explicit_days.converted,
                       count(*) as weight
                from explicit_days
                left join first_orders on explicit_days.person_id = first_orders.person_id
                group by all
            ),
            at_risk as (
                select
                    sum(bounds.as_of - persons.first_day + 1) as person_days,
                    sum(case when first_orders.first_order_day is not null then greatest(
                        0, bounds.as_of - greatest(first_orders.first_order_day, persons.first_day - 1)) end)
                        as returning_days   -- days after the first order (greatest() would skip a null)
                from persons
                cross join bounds
                left join first_orders on persons.person_id = first_orders.person_id
            ),
            implicit_cells as (
                select 0 as mask, flag.is_returning_customer, false as converted,
                       case when flag.is_returning_customer then at_risk.returning_days
                            else at_risk.person_days - at_risk.returning_days end
                       - coalesce((select sum(weight) from explicit_cells
                                   where explicit_cells.is_returning_customer = flag.is_returning_customer), 0)
                           as weight
                from at_risk
                cross join (values (false), (true)) as flag(is_returning_customer)
            )
            select mask, is_returning_customer, converted, cast(weight as bigint) as weight
            from explicit_cells
            union all
            select mask, is_returning_customer, converted, cast(weight as bigint) as weight
            from implicit_cells
            where weight > 0
            order by 1, 2, 3
        """, [as_of_date]).df()
    finally:
        connection.unregister("_exposure_channel_bits")


def read_eligible(connection: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(touchpoints, conversions) in the engine's input contract."""
    touchpoints = connection.execute(f"""
        select conversion_id, touchpoint_id, channel, touched_at
        from {ELIGIBLE_RELATION}
        order by conversion_id, touched_at, touchpoint_id
    """).df()
    conversions = connection.execute(f"""
        select distinct conversion_id, cast(conversion_value as double) as conversion_value, converted_at
        from {ELIGIBLE_RELATION}
    """).df()
    return touchpoints, conversions


def _set_members(n_channels: int) -> np.ndarray:
    masks = np.arange(1, 1 << n_channels)
    return ((masks[:, None] >> np.arange(n_channels)[None, :]) & 1).astype(bool)


def _normalise_over_sets(weights: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Row-wise share of each member's weight (negatives as 0); equal split when a row weighs 0."""
    w = np.where(members, np.clip(np.nan_to_num(weights), 0.0, None), 0.0)
    total = w.sum(axis=1, keepdims=True)
    equal = members / members.sum(axis=1, keepdims=True)
    return np.where(total > 0, w / np.where(total > 0, total, 1.0), equal)


def _set_frame(model: str, channels: tuple[str, ...], members: np.ndarray, weight: np.ndarray,
               credit: np.ndarray) -> pd.DataFrame:
    rows, cols = np.nonzero(members)
    names = np.asarray(channels, dtype=object)
    keys = np.array([channel_set_key(names[m]) for m in members], dtype=object)
    return pd.DataFrame({
        "model": model,
        "channel_set": keys[rows],
        "channel": names[cols],
        "channel_credit": credit[rows, cols],
        "channel_weight": weight[rows, cols],
    })


def _with_ints(frame: pd.DataFrame, **columns: int | None) -> pd.DataFrame:
    """``frame`` with each of ``columns`` as a constant nullable-integer column (None -> null)."""
    return frame.assign(**{name: pd.array([value] * len(frame), dtype="Int64") for name, value in columns.items()})


def _with_window(frame: pd.DataFrame, window: int | None) -> pd.DataFrame:
    """``frame`` with ``exposure_window_days``: the days before a conversion whose touchpoints carry the model's
    credit and set its baseline share (null: the whole lookback window)."""
    return _with_ints(frame, exposure_window_days=window)


def fit_data_driven(journeys: pd.DataFrame, touchpoints: pd.DataFrame, conversions: pd.DataFrame,
                    shapley_options: dict | None = None, exposure_cells=None) -> DataDrivenResult:
    """Fit Markov and Shapley on ``journeys`` and credit the eligible ``touchpoints``.

    ``exposure_cells(channels) -> {window_days: cells}`` (see :func:`read_exposure_cells`) gives Shapley its
    coalition values from the person-day model (analytics/attribution/exposure_model.py), the window chosen by
    likelihood; each conversion's Shapley credit then goes to its touchpoints within that window. Without it (e.g. on
    journeys that carry no dates) the coalition model is fitted on the journeys and credits the whole path set."""
    paths = aggregate_paths(journeys)
    channels = paths.channels
    if not channels or int(paths.conversions.sum()) == 0:
        raise ValueError("no converting journey with a touchpoint: the data-driven models cannot be fitted")
    members = _set_members(len(channels))

    markov = markov_channel_credit(paths)
    removal = markov.set_index("channel")["removal_effect"].reindex(list(channels)).to_numpy(dtype=float)
    markov_weight = np.where(members, removal[None, :], 0.0)
    markov_sets = _set_frame("markov", channels, members, markov_weight,
                             _normalise_over_sets(markov_weight, members))

    options = DEFAULT_SHAPLEY_OPTIONS if shapley_options is None else shapley_options
    exposure = None
    if exposure_cells is not None and options.get("value") == "model":
        exposure = choose_window(exposure_cells(channels), channels, (BASELINE_COVARIATE,))
        options = {**options, "coalition_model": exposure.model}
    shapley = fit_shapley(paths, journeys=journeys, **options)
    window = None if exposure is None else exposure.window_days
    masks = np.arange(1, 1 << len(channels))
    shapley_weight = np.where(members, shapley.phi[masks], 0.0)
    shapley_credit = shapley.normalised_credit()[masks]
    shapley_sets = _set_frame("shapley", channels, members, shapley_weight, shapley_credit)
    channel_set_credits = pd.concat([_with_window(markov_sets, None), _with_window(shapley_sets, window)],
                                    ignore_index=True)

    conversion_credits = pd.concat([
        markov_conversion_credit(touchpoints, conversions=conversions, channel_credit=markov),
        shapley_conversion_credit(touchpoints, conversions=conversions, model=shapley) if window is None else
        credit_within_window(touchpoints, conversions, window,
                             lambda counted: shapley_conversion_credit(counted, conversions=conversions, model=shapley)),
    ], ignore_index=True)
    conversion_credits["model"] = conversion_credits["model"].astype(str)

    shapley_channels = shapley.channel_credit()
    model_fit = pd.concat([
        pd.DataFrame({"model": "markov", "channel": markov["channel"],
                      "channel_weight": markov["removal_effect"], "channel_share": markov["share"]}),
        pd.DataFrame({"model": "shapley", "channel": shapley_channels["channel"],
                      "channel_weight": shapley_channels["shapley_value"],
                      "channel_share": shapley_channels["share"]}),
    ], ignore_index=True)
    coalition = shapley.coalition_model or fit_coalition_model(journeys, channels)
    return DataDrivenResult(
        baseline_shares=_with_window(baseline_share_table(coalition), window),
        exposure=exposure,
        channel_set_credits=channel_set_credits,
        conversion_credits=conversion_credits,
        model_fit=model_fit,
        fitted_journeys=int(paths.journeys.sum()),
        fitted_conversions=int(paths.conversions.sum()),
        conversion_probability=float(markov.attrs.get("conversion_probability", np.nan)),
        summary={
            "channels": list(channels),
            "distinct_paths": int(len(paths.path)),
            "markov_share": dict(zip(markov["channel"], markov["share"].round(6))),
            "shapley_share": dict(zip(shapley_channels["channel"], shapley_channels["share"].round(6))),
            "shapley_coalition_value": options.get("value", "conversion_rate"),
            "shapley_coalition_model": (
                None if shapley.coalition_model is None else
                dict(zip(shapley.coalition_model.coefficients()["term"],
                         shapley.coalition_model.coefficients()["coefficient"].round(6)))),
            "shapley_fitted_on": "journeys" if exposure is None else "person_days",
            **({} if exposure is None else {
                "shapley_exposure_window_days": exposure.window_days,
                "shapley_window_log_likelihood": {str(w): round(ll, 3) for w, ll in exposure.log_likelihoods.items()},
                "shapley_person_days": exposure.person_days,
                "shapley_order_days": exposure.order_days,
            }),
        },
    )


def baseline_share_table(coalition) -> pd.DataFrame:
    """`baseline_shares` of the fitted coalition model, always keyed by channel set x is_returning_customer (a model
    fitted without the covariate gives both values the same share), with ``returning_share``: the part of the
    conversion owed to the customer being one already (what fct_attribution carries back to the acquisition)."""
    table = baseline_shares(coalition, set_key=channel_set_key)
    if BASELINE_COVARIATE not in table.columns:
        table = pd.concat([table.assign(**{BASELINE_COVARIATE: flag}) for flag in (False, True)], ignore_index=True)
    table = table.rename(columns={"covariate_share": "returning_share"})
    return table[["channel_set", BASELINE_COVARIATE, "baseline_hazard", "conversion_hazard", "baseline_share",
                  "returning_share"]]


def write_tables(connection: duckdb.DuckDBPyConnection, result: DataDrivenResult, as_of_date: str | None,
                 fitted_at: dt.datetime | None = None) -> dict[str, int]:
    """Replace the four ``ml`` tables in one transaction; returns rows written per table."""
    fitted_at = fitted_at or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    as_of = dt.date.fromisoformat(as_of_date) if as_of_date else None
    bookkeeping = {"fitted_journeys": result.fitted_journeys, "fitted_conversions": result.fitted_conversions,
                   "as_of_date": as_of, "fitted_at": fitted_at}
    frames = {
        CHANNEL_SET_CREDITS_TABLE: result.channel_set_credits.assign(
            fitted_journeys=result.fitted_journeys, as_of_date=as_of, fitted_at=fitted_at),
        DATA_DRIVEN_CREDITS_TABLE: result.conversion_credits[
            ["conversion_id", "touchpoint_id", "channel", "model", "credit", "attributed_revenue"]
        ].assign(as_of_date=as_of),
        MODEL_FIT_TABLE: result.model_fit.assign(**bookkeeping),
        BASELINE_SHARES_TABLE: _with_ints(
            result.baseline_shares,
            fitted_person_days=None if result.exposure is None else result.exposure.person_days,
            fitted_order_days=None if result.exposure is None else result.exposure.order_days,
        ).assign(**bookkeeping),
    }
    connection.execute(f"create schema if not exists {ML_SCHEMA}")
    connection.execute("begin transaction")
    try:
        for table, frame in frames.items():
            connection.register("_attribution_frame", frame)
            connection.execute(f"create or replace table {ML_SCHEMA}.{table} as select * from _attribution_frame")
            connection.unregister("_attribution_frame")
        connection.execute("commit")
    except Exception:
        connection.execute("rollback")
        raise
    return {table: len(frame) for table, frame in frames.items()}


def run_data_driven_attribution(connection: duckdb.DuckDBPyConnection, as_of_date: str | None = None,
                                include_censored: bool = True, shapley_options: dict | None = None,
                                exposure_windows: tuple[int, ...] | None = DEFAULT_WINDOWS,
                                ) -> tuple[DataDrivenResult, dict[str, int]]:
    """Read, fit, write. ``connection`` must be read-write (the caller holds the writer pool slot).

    ``exposure_windows``: the candidate windows of the person-day model behind Shapley (None: fit Shapley's
    coalition model on the journeys instead)."""
    journeys = read_journeys(connection, include_censored=include_censored)
    touchpoints, conversions = read_eligible(connection)

    def exposure_cells(channels):
        # one query per window: a single query over all windows (shared CTEs, grouped by window) was measured slower
        # on the demo market (4.0 s against 3.4 s for the five windows): the window expansion dominates, not the reads
        return {w: read_exposure_cells(connection, channels, w, as_of_date) for w in exposure_windows}

    result = fit_data_driven(journeys, touchpoints, conversions, shapley_options,
                             exposure_cells=exposure_cells if exposure_windows else None)
    written = write_tables(connection, result, as_of_date)
    return result, written
