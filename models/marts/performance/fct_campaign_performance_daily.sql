{#-
    One row per day × platform × campaign × market (country) × attribution model, for campaigns
    of the ad platforms and of e-mail. Touchpoints of those platforms whose campaign could not be
    matched are kept under campaign_id '(unmatched)'. Model-independent measures repeat on each
    model's row: filter one model before summing them.
-#}
with

costs as (

    select * from {{ ref('int_performance__marketing_costs') }}
    where cost_type = 'ad_spend'

),

touchpoints as (

    select * from {{ ref('int_attribution__touchpoints') }}
    where
        touchpoint_type = 'web_session'
        and platform is not null

),

attribution as (

    select * from {{ ref('fct_attribution') }}
    where platform is not null

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

markets as (

    select * from {{ ref('dim_markets') }}

),

models as (

    {{ attribution_models_relation() }}

),

model_independent as (

    select
        date_day,
        platform,
        coalesce(campaign_id, '(unmatched)') as campaign_id,
        channel,
        market_code,
        spend,
        spend as ad_spend,
        0 as creator_fees,
        impressions,
        clicks,
        0 as sessions,
        platform_conversions,
        platform_conversion_value
    from costs

    union all

    select
        touchpoint_date as date_day,
        platform,
        coalesce(campaign_id, '(unmatched)') as campaign_id,
        channel,
        coalesce(country_code, 'ZZ') as market_code,
        0 as spend,
        0 as ad_spend,
        0 as creator_fees,
        0 as impressions,
        0 as clicks,
        1 as sessions,
        0 as platform_conversions,
        0 as platform_conversion_value
    from touchpoints

),

components as (

    select
        model_independent.date_day,
        model_independent.platform,
        model_independent.campaign_id,
        model_independent.channel,
        model_independent.market_code,
        models.model,
        {{- performance_measure_columns(performance_model_independent_measures(), 'model_independent') | indent(4) }},
        {{- performance_zero_columns(performance_attributed_measures()) | indent(4) }}
    from model_independent
    cross join models

    union all

    select
        conversion_date as date_day,
        platform,
        coalesce(campaign_id, '(unmatched)') as campaign_id,
        channel,
        coalesce(market_code, 'ZZ') as market_code,
        model,
        {{- performance_zero_columns(performance_model_independent_measures()) | indent(4) }},
        {{ attribution_row_measures() | indent(4) }}
    from attribution

),

daily as (

    select
        date_day,
        platform,
        campaign_id,
        channel,
        market_code,
        model,
        {{ sum_performance_measures() }}
    from components
    group by
        date_day,
        platform,
        campaign_id,
        channel,
        market_code,
        model

),

final as (

    select
        {{ compound_key(['daily.date_day', 'daily.platform', 'daily.campaign_id', 'daily.channel', 'daily.market_code', 'daily.model']) }}
            as campaign_performance_key,
        daily.date_day,
        {{ month_start('daily.date_day') }} as month_start,
        daily.platform,
        daily.campaign_id,
        campaigns.campaign_name,
        daily.channel,
        daily.market_code,
        coalesce(markets.region, 'UNKNOWN') as region,
        daily.model,
        {{- cast_performance_measures('daily') | indent(4) }}
        {{ performance_ratio_columns() | indent(8) }}
    from daily
    left join campaigns
        on
            daily.platform = campaigns.platform
            and daily.campaign_id = campaigns.campaign_id
    left join markets
        on daily.market_code = markets.country_code

)

select * from final
