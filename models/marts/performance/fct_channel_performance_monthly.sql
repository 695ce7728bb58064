{#- One row per month × channel × market × attribution model: fct_channel_performance_daily rolled up, ratios recomputed. -#}
with

daily as (

    select * from {{ ref('fct_channel_performance_daily') }}

),

monthly as (

    select
        month_start,
        channel,
        is_unattributed,
        market_code,
        region,
        model,
        {{ sum_performance_measures() }}
    from daily
    group by
        month_start,
        channel,
        is_unattributed,
        market_code,
        region,
        model

),

final as (

    select
        {{ compound_key(['month_start', 'channel', 'market_code', 'model']) }} as channel_performance_key,
        month_start,
        channel,
        is_unattributed,
        market_code,
        region,
        model,
        {{- cast_performance_measures() | indent(4) }}
        {{ performance_ratio_columns() | indent(8) }}
    from monthly

)

select * from final
