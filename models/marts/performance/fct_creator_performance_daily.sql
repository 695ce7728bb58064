{#-
    One row per day × creator × attribution model: the creator's fees (payment day), posts
    published and their latest reach/engagement (post day), sessions landing from the creator's
    links and affiliate codes redeemed (visit/order day), and the orders and revenue the model
    credits to the creator's touchpoints (order day). Model-independent measures repeat on each
    model's row: filter one model before summing them.
-#}
with

creators as (

    select * from {{ ref('stg_creators__creators') }}

),

posts as (

    select * from {{ ref('stg_creators__posts') }}

),

costs as (

    select * from {{ ref('int_performance__marketing_costs') }}
    where cost_type = 'creator_fee'

),

touchpoints as (

    select * from {{ ref('int_attribution__touchpoints') }}
    where creator_id is not null

),

attribution as (

    select * from {{ ref('fct_attribution') }}
    where creator_id is not null

),

models as (

    {{ attribution_models_relation() }}

),

model_independent as (

    select
        date_day,
        creator_id,
        spend as creator_fees,
        0 as posts,
        0 as reach,
        0 as engagements,
        0 as video_views,
        0 as sessions,
        0 as code_redemptions
    from costs

    union all

    select
        cast(posted_at as date) as date_day,
        cast(creator_id as {{ dbt.type_string() }}) as creator_id,
        0 as creator_fees,
        1 as posts,
        coalesce(reach, 0) as reach,
        coalesce(likes, 0) + coalesce(comments, 0) + coalesce(shares, 0) + coalesce(saves, 0) as engagements,
        coalesce(video_views, 0) as video_views,
        0 as sessions,
        0 as code_redemptions
    from posts
    where posted_at is not null

    union all

    select
        touchpoint_date as date_day,
        creator_id,
        0 as creator_fees,
        0 as posts,
        0 as reach,
        0 as engagements,
        0 as video_views,
        case when touchpoint_type = 'web_session' then 1 else 0 end as sessions,
        case when touchpoint_type = 'affiliate_code' then 1 else 0 end as code_redemptions
    from touchpoints

),

components as (

    select
        model_independent.date_day,
        model_independent.creator_id,
        models.model,
        model_independent.creator_fees,
        model_independent.posts,
        model_independent.reach,
        model_independent.engagements,
        model_independent.video_views,
        model_independent.sessions,
        model_independent.code_redemptions,
        0 as attributed_orders,
        0 as attributed_new_customers,
        0 as attributed_revenue,
        0 as attributed_contribution_before_ad_spend
    from model_independent
    cross join models

    union all

    select
        conversion_date as date_day,
        creator_id,
        model,
        0 as creator_fees,
        0 as posts,
        0 as reach,
        0 as engagements,
        0 as video_views,
        0 as sessions,
        0 as code_redemptions,
        credit as attributed_orders,
        case when is_first_order then credit else 0 end as attributed_new_customers,
        attributed_revenue,
        attributed_contribution_before_ad_spend
    from attribution

),

daily as (

    select
        date_day,
        creator_id,
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
    from components
    group by
        date_day,
        creator_id,
        model

),

final as (

    select
        {{ compound_key(['daily.date_day', 'daily.creator_id', 'daily.model']) }} as creator_performance_key,
        daily.date_day,
        {{ month_start('daily.date_day') }} as month_start,
        daily.creator_id,
        creators.creator_handle,
        creators.creator_tier,
        creators.social_platform as platform,
        creators.country_code,
        daily.model,
        {{ creator_performance_columns('daily') | indent(8) }}
    from daily
    left join creators
        on daily.creator_id = cast(creators.creator_id as {{ dbt.type_string() }})

)

select * from final
