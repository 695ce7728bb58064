{#-
    One row per journey, converting and non-converting (definitions in the YAML description and
    docs/decisions.md, "Attribution marts: journeys"). Converting journeys are exactly the eligible
    touchpoints of one conversion, so the data-driven models are fitted on the paths they credit.
-#}
{%- set lookback_days = var('attribution_lookback_days', 30) -%}
{%- set dedupe_milliseconds = var('touchpoint_dedupe_minutes', 30) * 60000 -%}

with

conversions as (

    select
        order_id as conversion_id,
        person_id,
        net_revenue as conversion_value,
        order_date as conversion_date,
        ordered_at as converted_at,
        person_order_number > 1 as is_returning_customer  -- an earlier order, here or before the data began
    from {{ ref('fct_orders') }}
    where not is_cancelled

),

prior_history as (

    select person_id from {{ ref('int_orders__prior_history') }}

),

eligible as (

    select * from {{ ref('int_attribution__eligible_touchpoints') }}

),

touchpoints as (

    select * from {{ ref('int_attribution__touchpoints') }}

),

converting_paths as (

    select
        conversion_id,
        {{ dbt.listagg('channel', "' > '", 'order by touched_at, touchpoint_id') }} as path,  -- contract column name -- noqa: RF04
        count(*) as touchpoints,
        count(distinct channel) as distinct_channels,
        min(touched_at) as first_touch_at,
        max(touched_at) as last_touch_at
    from eligible
    group by conversion_id

),

converting_journeys as (

    select
        {{ dbt.concat(["'conversion:'", 'conversions.conversion_id']) }} as journey_id,
        conversions.person_id,
        conversions.conversion_id,
        'conversion' as journey_type,
        coalesce(converting_paths.path, '') as path,  -- contract column name -- noqa: RF04
        coalesce(converting_paths.touchpoints, 0) as touchpoints,
        coalesce(converting_paths.distinct_channels, 0) as distinct_channels,
        true as converted,
        false as is_censored,
        conversions.conversion_value,
        conversions.is_returning_customer,
        converting_paths.first_touch_at,
        converting_paths.last_touch_at,
        conversions.converted_at,
        conversions.conversion_date as journey_date
    from conversions
    left join converting_paths
        on conversions.conversion_id = converting_paths.conversion_id

),

unconverted_touchpoints as (

    select
        touchpoints.touchpoint_id,
        touchpoints.person_id,
        touchpoints.channel,
        touchpoints.touchpoint_at
    from touchpoints
    where
        not touchpoints.is_navigational
        and touchpoints.touchpoint_at < {{ as_of_end_at() }}
        and not exists (
            select 1 as is_eligible
            from eligible
            where eligible.touchpoint_id = touchpoints.touchpoint_id
        )

),

person_timeline as (

    select
        person_id,
        touchpoint_id,
        channel,
        touchpoint_at as event_at,
        0 as is_order
    from unconverted_touchpoints

    union all

    select
        person_id,
        cast(null as {{ dbt.type_string() }}) as touchpoint_id,
        cast(null as {{ dbt.type_string() }}) as channel,
        converted_at as event_at,
        1 as is_order
    from conversions
    where person_id in (select unconverted_touchpoints.person_id from unconverted_touchpoints)

),

touchpoints_segmented as (

    select
        person_id,
        touchpoint_id,
        channel,
        event_at as touchpoint_at,
        sum(is_order) over (
            partition by person_id
            order by event_at asc, is_order desc, touchpoint_id asc
            rows between unbounded preceding and current row
        ) as orders_before
    from person_timeline

),

touchpoints_windowed as (

    select
        person_id,
        touchpoint_id,
        channel,
        touchpoint_at,
        orders_before,
        min(touchpoint_at) over (partition by person_id, orders_before) as segment_started_at
    from touchpoints_segmented
    where touchpoint_id is not null

),

touchpoints_in_journeys as (

    select
        {{ dbt.concat([
            "'journey:'", 'person_id', "':'",
            dbt.safe_cast('orders_before', dbt.type_string()), "':'",
            dbt.safe_cast(
                'floor(' ~ fractional_days_between('segment_started_at', 'touchpoint_at') ~ ' / ' ~ lookback_days ~ ')',
                dbt.type_string()
            ),
        ]) }} as journey_id,
        person_id,
        touchpoint_id,
        channel,
        touchpoint_at,
        orders_before > 0
        or person_id in (select prior_history.person_id from prior_history) as is_returning_customer
    from touchpoints_windowed

),

touchpoints_with_previous as (

    select
        *,
        lag(touchpoint_at) over (
            partition by journey_id, channel
            order by touchpoint_at, touchpoint_id
        ) as previous_same_channel_at
    from touchpoints_in_journeys

),

non_converting_journeys as (

    select
        journey_id,
        person_id,
        cast(null as {{ dbt.type_string() }}) as conversion_id,
        'non_converting' as journey_type,
        {{ dbt.listagg('channel', "' > '", 'order by touchpoint_at, touchpoint_id') }} as path,  -- contract column name -- noqa: RF04
        count(*) as touchpoints,
        count(distinct channel) as distinct_channels,
        false as converted,
        max(touchpoint_at)
        > {{ dbt.dateadd('day', -1 * lookback_days, as_of_end_at()) }} as is_censored,
        cast(null as {{ type_money() }}) as conversion_value,
        {{ dbt.bool_or('is_returning_customer') }} as is_returning_customer,
        min(touchpoint_at) as first_touch_at,
        max(touchpoint_at) as last_touch_at,
        cast(null as {{ dbt.type_timestamp() }}) as converted_at,
        cast(max(touchpoint_at) as date) as journey_date
    from touchpoints_with_previous
    where
        previous_same_channel_at is null
        or {{ milliseconds_between('previous_same_channel_at', 'touchpoint_at') }}
        >= {{ dedupe_milliseconds }}
    group by
        journey_id,
        person_id

),

journeys as (

    select * from converting_journeys
    union all
    select * from non_converting_journeys

),

final as (

    select
        journey_id,
        person_id,
        conversion_id,
        journey_type,
        path,
        cast(touchpoints as {{ dbt.type_int() }}) as touchpoints,
        cast(distinct_channels as {{ dbt.type_int() }}) as distinct_channels,
        converted,
        touchpoints = 0 as is_unattributed,
        is_censored,
        cast(conversion_value as {{ type_money() }}) as conversion_value,
        is_returning_customer,
        case
            when converted and first_touch_at is not null
                then {{ fractional_days_between('first_touch_at', 'converted_at') }}
        end as days_to_conversion,
        first_touch_at,
        last_touch_at,
        converted_at,
        journey_date
    from journeys

)

select * from final
