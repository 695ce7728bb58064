{{
    config(
        schema='intermediate',
        materialized='table',
    )
}}

{#-
    Conversion × eligible touchpoint, the grain every attribution model writes credit to.
    Eligibility is the reference rule of analytics.attribution.paths.eligible_touchpoints:
    same person, converted_at - lookback <= touched_at <= converted_at, then in time order a
    touchpoint is dropped when the previous touchpoint of the same channel for the same conversion
    (kept or not) came less than var('touchpoint_dedupe_minutes') earlier. Order within a
    conversion: touched_at, then touchpoint_id (the oracle's tie-break).
-#}
{%- set lookback_days = var('attribution_lookback_days', 30) -%}
{%- set dedupe_milliseconds = var('touchpoint_dedupe_minutes', 30) * 60000 -%}

with

conversions as (

    select
        order_id as conversion_id,
        person_id,
        sales_channel,
        shipping_country_code as market_code,
        is_first_order,
        net_revenue as conversion_value,
        contribution_before_ad_spend,
        order_date as conversion_date,
        ordered_at as converted_at
    from {{ ref('fct_orders') }}
    where not is_cancelled

),

touchpoints as (

    select * from {{ ref('int_attribution__touchpoints') }}
    where not is_navigational

),

candidates as (

    select
        conversions.conversion_id,
        conversions.person_id,
        touchpoints.touchpoint_id,
        touchpoints.touchpoint_type,
        touchpoints.channel,
        touchpoints.platform,
        touchpoints.campaign_id,
        touchpoints.ad_id,
        touchpoints.creator_id,
        touchpoints.post_id,
        touchpoints.country_code as touchpoint_country_code,
        conversions.sales_channel,
        conversions.market_code,
        conversions.is_first_order,
        conversions.conversion_value,
        conversions.contribution_before_ad_spend,
        conversions.conversion_date,
        conversions.converted_at,
        touchpoints.touchpoint_at as touched_at
    from conversions
    inner join touchpoints
        on
            conversions.person_id = touchpoints.person_id
            and conversions.converted_at >= touchpoints.touchpoint_at
            and {{ dbt.dateadd('day', -1 * lookback_days, 'conversions.converted_at') }}
            <= touchpoints.touchpoint_at

),

candidates_with_previous as (

    select
        *,
        lag(touched_at) over (
            partition by conversion_id, channel
            order by touched_at, touchpoint_id
        ) as previous_same_channel_at
    from candidates

),

deduplicated as (

    select *
    from candidates_with_previous
    where
        previous_same_channel_at is null
        or {{ milliseconds_between('previous_same_channel_at', 'touched_at') }}
        >= {{ dedupe_milliseconds }}

),

positioned as (

    select
        *,
        row_number() over (
            partition by conversion_id
            order by touched_at, touchpoint_id
        ) - 1 as touchpoint_position,
        count(*) over (partition by conversion_id) as conversion_touchpoints
    from deduplicated

),

final as (

    select
        {{ compound_key(['conversion_id', 'touchpoint_id']) }} as conversion_touchpoint_id,
        conversion_id,
        person_id,
        touchpoint_id,
        touchpoint_type,
        channel,
        platform,
        campaign_id,
        ad_id,
        creator_id,
        post_id,
        touchpoint_country_code,
        sales_channel,
        market_code,
        is_first_order,
        cast(touchpoint_position as {{ dbt.type_int() }}) as touchpoint_position,
        cast(conversion_touchpoints as {{ dbt.type_int() }}) as conversion_touchpoints,
        conversion_value,
        contribution_before_ad_spend,
        {{ fractional_days_between('touched_at', 'converted_at') }} as days_before_conversion,
        conversion_date,
        converted_at,
        touched_at
    from positioned

)

select * from final
