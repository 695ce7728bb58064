{#-
    One row per creator over the whole warehouse period, under the reporting attribution model
    (macro reporting_attribution_model): reach -> engagement -> sessions -> orders -> revenue, and cost.
-#}
{%- set reporting_model = reporting_attribution_model() -%}

with

daily as (

    select * from {{ ref('fct_creator_performance_daily') }}
    where model = '{{ reporting_model }}'

),

creators as (

    select * from {{ ref('stg_creators__creators') }}

),

totals as (

    select
        creator_id,
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
    group by creator_id

),

final as (

    select
        cast(creators.creator_id as {{ dbt.type_string() }}) as creator_id,
        creators.creator_handle,
        creators.creator_tier,
        creators.social_platform as platform,
        creators.country_code,
        cast(creators.followers as {{ dbt.type_bigint() }}) as followers,
        '{{ reporting_model }}' as model,  -- contract column name -- noqa: RF04
        cast(coalesce(totals.posts, 0) as {{ dbt.type_bigint() }}) as posts,
        cast(coalesce(totals.reach, 0) as {{ dbt.type_bigint() }}) as reach,
        cast(coalesce(totals.engagements, 0) as {{ dbt.type_bigint() }}) as engagements,
        cast(coalesce(totals.video_views, 0) as {{ dbt.type_bigint() }}) as video_views,
        cast(coalesce(totals.sessions, 0) as {{ dbt.type_bigint() }}) as sessions,
        cast(coalesce(totals.code_redemptions, 0) as {{ dbt.type_bigint() }}) as code_redemptions,
        cast(coalesce(totals.attributed_orders, 0) as {{ type_double() }}) as orders,
        cast(coalesce(totals.attributed_new_customers, 0) as {{ type_double() }}) as new_customers,
        cast(coalesce(totals.attributed_revenue, 0) as {{ type_money() }}) as attributed_revenue,
        cast(coalesce(totals.creator_fees, 0) as {{ type_money() }}) as creator_cost,
        cast(
            coalesce(totals.attributed_contribution_before_ad_spend, 0) - coalesce(totals.creator_fees, 0)
            as {{ type_money() }}
        ) as contribution_margin,
        cast({{ safe_ratio('totals.engagements', 'totals.reach') }} as {{ type_double() }}) as engagement_rate,
        cast({{ safe_ratio('totals.attributed_revenue', 'totals.creator_fees') }} as {{ type_double() }})
            as return_on_ad_spend,
        cast({{ safe_ratio('totals.creator_fees', 'totals.attributed_orders') }} as {{ type_money() }})
            as cost_per_acquisition
    from creators
    left join totals
        on cast(creators.creator_id as {{ dbt.type_string() }}) = totals.creator_id

)

select * from final
