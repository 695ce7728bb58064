{#- One row per month × creator × attribution model: fct_creator_performance_daily rolled up, ratios recomputed. -#}
with

daily as (

    select * from {{ ref('fct_creator_performance_daily') }}

),

monthly as (

    select
        month_start,
        creator_id,
        creator_handle,
        creator_tier,
        platform,
        country_code,
        model,
        sum(creator_fees) as creator_fees,
        sum(posts) as posts,
        sum(reach) as reach,
        sum(engagements) as engagements,
        sum(video_views) as video_views,
        sum(sessions) as sessions,
        sum(code_redemptions) as code_redemptions,
        sum(attributed_orders) as attributed_orders,
        sum(attributed_new_customers) as attributed_new_customers,
        sum(attributed_revenue) as attributed_revenue,
        sum(attributed_contribution_before_ad_spend) as attributed_contribution_before_ad_spend
    from daily
    group by
        month_start,
        creator_id,
        creator_handle,
        creator_tier,
        platform,
        country_code,
        model

),

final as (

    select
        {{ compound_key(['month_start', 'creator_id', 'model']) }} as creator_performance_key,
        month_start,
        creator_id,
        creator_handle,
        creator_tier,
        platform,
        country_code,
        model,
        {{ creator_performance_columns() | indent(8) }}
    from monthly

)

select * from final
