{{
    config(
        schema='intermediate',
        materialized='table',
    )
}}

{#-
    Human user-level touchpoints with what they promoted: the ad platform, campaign and ad of a
    paid landing, the e-mail campaign/flow of an e-mail touch, the creator (and post) of a creator
    landing or redeemed affiliate code. Matching rules are in the YAML description.
    A navigational session is a purchase session whose channel is one of
    var('attribution_navigational_channels'): the visit the buyer made to place the order, not a
    marketing touch (docs/decisions.md, "Attribution marts: navigational purchase sessions").
-#}
{%- set navigational_channels = var('attribution_navigational_channels', ['direct', 'organic_search']) -%}
{%- set navigational_list = "'" ~ (navigational_channels | join("', '")) ~ "'" -%}

with

touchpoints as (

    select * from {{ ref('fct_touchpoints') }}
    where not is_bot_session

),

sessions as (

    select
        session_id,
        landing_page_url,
        purchase_transaction_id
    from {{ ref('fct_sessions') }}

),

ad_performance as (

    select * from {{ ref('fct_ad_performance_daily') }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

creator_posts as (

    select * from {{ ref('stg_creators__posts') }}

),

ads as (

    select
        platform,
        ad_id,
        min(campaign_id) as campaign_id
    from ad_performance
    where ad_id is not null
    group by
        platform,
        ad_id

),

campaign_slugs as (

    select
        platform,
        {{ utm_slug('campaign_name') }} as campaign_slug,
        min(campaign_id) as campaign_id
    from campaigns
    where campaign_name is not null
    group by
        platform,
        {{ utm_slug('campaign_name') }}

),

post_links as (

    select
        {{ url_parameter('landing_url', 'utm_content') }} as utm_content,
        min(post_id) as post_id,
        min(creator_id) as creator_id
    from creator_posts
    where {{ url_parameter('landing_url', 'utm_content') }} is not null
    group by {{ url_parameter('landing_url', 'utm_content') }}

),

creator_sources as (

    select
        utm_source,
        min(creator_id) as creator_id
    from creator_posts
    where utm_source is not null
    group by utm_source
    having count(distinct creator_id) = 1

),

touchpoints_with_landing as (

    select
        touchpoints.*,
        {{ url_parameter('sessions.landing_page_url', 'utm_content') }} as utm_content,
        case
            when sessions.purchase_transaction_id is not null
                then {{ dbt.concat(["'shopify:'", 'sessions.purchase_transaction_id']) }}
        end as purchase_order_id,
        case touchpoints.channel
            when 'paid_search' then 'google_ads'
            when 'shopping' then 'google_ads'
            when 'paid_social_meta' then 'meta_ads'
            when 'paid_social_tiktok' then 'tiktok_ads'
            when 'email' then 'email'
        end as platform
    from touchpoints
    left join sessions
        on touchpoints.session_id = sessions.session_id

),

touchpoints_mapped as (

    select
        touchpoints_with_landing.touchpoint_id,
        touchpoints_with_landing.person_id,
        touchpoints_with_landing.session_id,
        touchpoints_with_landing.touchpoint_type,
        touchpoints_with_landing.channel,
        touchpoints_with_landing.platform,
        case
            when touchpoints_with_landing.platform = 'email'
                then coalesce(touchpoints_with_landing.email_campaign_id, campaign_slugs.campaign_id)
            else coalesce(ads.campaign_id, campaign_slugs.campaign_id)
        end as campaign_id,
        ads.ad_id,
        coalesce(
            touchpoints_with_landing.creator_id,
            post_links.creator_id,
            creator_sources.creator_id
        ) as creator_id,
        post_links.post_id,
        touchpoints_with_landing.country_code,
        touchpoints_with_landing.device_category,
        touchpoints_with_landing.utm_source,
        touchpoints_with_landing.utm_medium,
        touchpoints_with_landing.utm_campaign,
        touchpoints_with_landing.utm_content,
        touchpoints_with_landing.purchase_order_id,
        {%- if navigational_channels %}
        touchpoints_with_landing.purchase_order_id is not null
        and touchpoints_with_landing.channel in ({{ navigational_list }}) as is_navigational,
        {%- else %}
        false as is_navigational,
        {%- endif %}
        touchpoints_with_landing.touchpoint_at,
        touchpoints_with_landing.touchpoint_date
    from touchpoints_with_landing
    left join ads
        on
            touchpoints_with_landing.platform = ads.platform
            and touchpoints_with_landing.utm_content = ads.ad_id
    left join campaign_slugs
        on
            touchpoints_with_landing.platform = campaign_slugs.platform
            and touchpoints_with_landing.utm_campaign = campaign_slugs.campaign_slug
    left join post_links
        on
            touchpoints_with_landing.channel = 'affiliate_kol'
            and touchpoints_with_landing.utm_content = post_links.utm_content
    left join creator_sources
        on
            touchpoints_with_landing.channel = 'affiliate_kol'
            and touchpoints_with_landing.utm_source = creator_sources.utm_source

)

select * from touchpoints_mapped
