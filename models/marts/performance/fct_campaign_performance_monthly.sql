{#- One row per month × platform × campaign × market × attribution model: fct_campaign_performance_daily rolled up, ratios recomputed. -#}
with

daily as (

    select * from {{ ref('fct_campaign_performance_daily') }}

),

monthly as (

    select
        month_start,
        platform,
        campaign_id,
        campaign_name,
        channel,
        market_code,
        region,
        model,
        {{ sum_performance_measures() }}
    from daily
    group by
        month_start,
        platform,
        campaign_id,
        campaign_name,
        channel,
        market_code,
        region,
        model

),

final as (

    select
        {{ compound_key(['month_start', 'platform', 'campaign_id', 'channel', 'market_code', 'model']) }}
            as campaign_performance_key,
        month_start,
        platform,
        campaign_id,
        campaign_name,
        channel,
        market_code,
        region,
        model,
        {{- cast_performance_measures() | indent(4) }}
        {{ performance_ratio_columns() | indent(8) }}
    from monthly

)

select * from final
