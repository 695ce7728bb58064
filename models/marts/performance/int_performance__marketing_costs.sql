{{
    config(
        schema='intermediate',
        materialized='table',
    )
}}

{#-
    One row per cost line: ad platform spend per ad account-local day × platform × campaign ×
    country (with delivery and platform-claimed conversions), and creator fees per payment day ×
    creator × post (channel affiliate_kol, market = the creator's country), in the reporting
    currency at the payment day's FX rate.
-#}
with

ad_performance as (

    select * from {{ ref('fct_ad_performance_daily') }}

),

creator_fees as (

    select * from {{ ref('stg_creators__fees') }}

),

creators as (

    select * from {{ ref('stg_creators__creators') }}

),

creator_posts as (

    select * from {{ ref('stg_creators__posts') }}

),

fx_rates as (

    select
        rate_date,
        currency_code,
        rate_to_reporting
    from {{ ref('int_fx_rates__daily') }}

),

ad_costs as (

    select
        'ad_spend' as cost_type,
        date_day,
        channel,
        coalesce(country_code, 'ZZ') as market_code,
        platform,
        campaign_id,
        cast(null as {{ dbt.type_string() }}) as creator_id,
        cast(null as {{ dbt.type_string() }}) as post_id,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(platform_conversions) as platform_conversions,
        sum(platform_conversion_value) as platform_conversion_value
    from ad_performance
    group by
        date_day,
        channel,
        coalesce(country_code, 'ZZ'),
        platform,
        campaign_id

),

creator_costs as (

    select
        'creator_fee' as cost_type,
        cast(coalesce(creator_fees.paid_at, creator_posts.posted_at) as date) as date_day,
        'affiliate_kol' as channel,
        coalesce(creators.country_code, 'ZZ') as market_code,
        'creators' as platform,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(creator_fees.creator_id as {{ dbt.type_string() }}) as creator_id,
        cast(creator_fees.post_id as {{ dbt.type_string() }}) as post_id,
        sum(creator_fees.fee_amount_local * fx_rates.rate_to_reporting) as spend,
        0 as impressions,
        0 as clicks,
        0 as platform_conversions,
        0 as platform_conversion_value
    from creator_fees
    left join creator_posts
        on cast(creator_fees.post_id as {{ dbt.type_string() }}) = creator_posts.post_id
    left join creators
        on cast(creator_fees.creator_id as {{ dbt.type_string() }}) = cast(creators.creator_id as {{ dbt.type_string() }})
    left join fx_rates
        on
            cast(coalesce(creator_fees.paid_at, creator_posts.posted_at) as date) = fx_rates.rate_date
            and creator_fees.currency_code = fx_rates.currency_code
    where coalesce(creator_fees.paid_at, creator_posts.posted_at) is not null
    group by
        cast(coalesce(creator_fees.paid_at, creator_posts.posted_at) as date),
        coalesce(creators.country_code, 'ZZ'),
        cast(creator_fees.creator_id as {{ dbt.type_string() }}),
        cast(creator_fees.post_id as {{ dbt.type_string() }})

),

costs as (

    select * from ad_costs
    union all
    select * from creator_costs

),

final as (

    select
        {{ compound_key(['cost_type', 'date_day', 'platform', 'campaign_id', 'creator_id', 'post_id', 'market_code']) }}
            as cost_line_id,
        cost_type,
        channel,
        market_code,
        platform,
        campaign_id,
        creator_id,
        post_id,
        cast(spend as {{ type_money() }}) as spend,
        cast(impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(clicks as {{ dbt.type_bigint() }}) as clicks,
        cast(platform_conversions as {{ type_double() }}) as platform_conversions,
        cast(platform_conversion_value as {{ type_money() }}) as platform_conversion_value,
        date_day
    from costs

)

select * from final
