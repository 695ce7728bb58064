{#-
    One row per content item (creator post) over its life, under the reporting attribution model:
    reach -> engagement -> sessions -> orders -> revenue, and cost.
-#}
{%- set reporting_model = reporting_attribution_model() -%}

with

posts as (

    select * from {{ ref('stg_creators__posts') }}

),

creators as (

    select * from {{ ref('stg_creators__creators') }}

),

daily as (

    select * from {{ ref('fct_content_performance_daily') }}
    where model = '{{ reporting_model }}'

),

totals as (

    select
        post_id,
        sum(cost) as cost,  -- contract column name -- noqa: RF04
        sum(sessions) as sessions,
        sum(attributed_orders) as attributed_orders,
        sum(attributed_revenue) as attributed_revenue
    from daily
    group by post_id

),

final as (

    select
        cast(posts.post_id as {{ dbt.type_string() }}) as post_id,
        cast(posts.creator_id as {{ dbt.type_string() }}) as creator_id,
        creators.creator_handle,
        creators.creator_tier,
        posts.social_platform as platform,
        posts.affiliate_code,
        '{{ reporting_model }}' as model,  -- contract column name -- noqa: RF04
        cast(coalesce(posts.reach, 0) as {{ dbt.type_bigint() }}) as reach,
        cast(
            coalesce(posts.likes, 0) + coalesce(posts.comments, 0) + coalesce(posts.shares, 0) + coalesce(posts.saves, 0)
            as {{ dbt.type_bigint() }}
        ) as engagements,
        cast(coalesce(posts.video_views, 0) as {{ dbt.type_bigint() }}) as video_views,
        cast(coalesce(posts.video_completions, 0) as {{ dbt.type_bigint() }}) as video_completions,
        cast(coalesce(totals.sessions, 0) as {{ dbt.type_bigint() }}) as sessions,
        cast(coalesce(totals.attributed_orders, 0) as {{ type_double() }}) as orders,
        cast(coalesce(totals.attributed_revenue, 0) as {{ type_money() }}) as attributed_revenue,
        cast(coalesce(totals.cost, 0) as {{ type_money() }}) as cost,  -- contract column name -- noqa: RF04
        cast({{ safe_ratio('totals.attributed_revenue', 'totals.cost') }} as {{ type_double() }}) as return_on_ad_spend,
        posts.posted_at
    from posts
    left join creators
        on posts.creator_id = cast(creators.creator_id as {{ dbt.type_string() }})
    left join totals
        on cast(posts.post_id as {{ dbt.type_string() }}) = totals.post_id

)

select * from final
