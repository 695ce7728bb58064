{#-
    One row per day × platform × campaign × ad × market (country) × attribution model, for the ads
    of the ad platforms: spend, delivery and platform claims from the platforms' ad reports
    (fct_ad_performance_daily), sessions that landed from the ad, and the orders, revenue and
    contribution each model credits to those sessions. Touchpoints of a platform whose ad could not
    be matched are kept under ad_id '(unmatched)'. Amazon Ads has no user-level touchpoints, so its
    ads carry spend and claims but no credited orders. Model-independent measures repeat on each
    model's row: filter one model before summing them.
-#}
with

ads as (

    select * from {{ ref('fct_ad_performance_daily') }}

),

touchpoints as (

    select * from {{ ref('int_attribution__touchpoints') }}
    where
        touchpoint_type = 'web_session'
        and platform in (select distinct ads.platform from ads)

),

attribution as (

    select * from {{ ref('fct_attribution') }}
    where platform in (select distinct ads.platform from ads)

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
        campaign_id,
        ad_id,
        channel,
        country_code as market_code,
        spend,
        spend as ad_spend,
        0 as creator_fees,
        impressions,
        clicks,
        0 as sessions,
        platform_conversions,
        platform_conversion_value
    from ads

    union all

    select
        touchpoint_date as date_day,
        platform,
        coalesce(campaign_id, '(unmatched)') as campaign_id,
        coalesce(ad_id, '(unmatched)') as ad_id,
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
        model_independent.ad_id,
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
        coalesce(ad_id, '(unmatched)') as ad_id,
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
        ad_id,
        channel,
        market_code,
        model,
        {{ sum_performance_measures() }}
    from components
    group by
        date_day,
        platform,
        campaign_id,
        ad_id,
        channel,
        market_code,
        model

),

final as (

    select
        {{ compound_key([
            'daily.date_day', 'daily.platform', 'daily.campaign_id', 'daily.ad_id', 'daily.channel',
            'daily.market_code', 'daily.model',
        ]) }} as ad_performance_key,
        daily.date_day,
        {{ month_start('daily.date_day') }} as month_start,
        daily.platform,
        daily.campaign_id,
        daily.ad_id,
        daily.channel,
        daily.market_code,
        coalesce(markets.region, 'UNKNOWN') as region,
        daily.model,
        {{- cast_performance_measures('daily') | indent(4) }}
        {{ performance_ratio_columns() | indent(8) }}
    from daily
    left join markets
        on daily.market_code = markets.country_code

)

select * from final
