{#-
    Ad platforms report whole days in the ad account's timezone. The unified grain keeps that
    account-local date (`date_day`) rather than re-bucketing into UTC days, which would need
    hourly data the platforms do not give at this grain; `day_started_at` is the UTC instant
    the local day began, for readers who need to line it up with UTC facts
    (docs/decisions.md, "Ad performance: account-local dates").
-#}
with

google_ads as (

    select * from {{ ref('stg_google_ads__ad_metrics_daily') }}

),

meta_ads as (

    select * from {{ ref('stg_meta_ads__insights_daily') }}

),

tiktok_ads as (

    select * from {{ ref('stg_tiktok_ads__report_daily') }}

),

amazon_ads as (

    select * from {{ ref('stg_amazon_ads__sp_daily') }}

),

fx_rates as (

    select
        rate_date,
        currency_code,
        rate_to_reporting
    from {{ ref('int_fx_rates__daily') }}

),

google_ads_rows as (

    select
        'google_ads' as platform,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(ad_group_id as {{ dbt.type_string() }}) as ad_group_id,
        cast(ad_id as {{ dbt.type_string() }}) as ad_id,
        country_code,
        account_timezone,
        currency_code,
        date_local as date_day,
        date_local_started_at as day_started_at,
        impressions,
        clicks,
        spend_local,
        platform_conversions,
        platform_conversion_value_local
    from google_ads

),

meta_ads_rows as (

    select
        'meta_ads' as platform,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(adset_id as {{ dbt.type_string() }}) as ad_group_id,
        cast(ad_id as {{ dbt.type_string() }}) as ad_id,
        country_code,
        account_timezone,
        currency_code,
        date_local as date_day,
        date_local_started_at as day_started_at,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(spend_local) as spend_local,
        sum(platform_conversions) as platform_conversions,
        sum(platform_conversion_value_local) as platform_conversion_value_local
    from meta_ads
    group by
        account_id,
        campaign_id,
        adset_id,
        ad_id,
        country_code,
        account_timezone,
        currency_code,
        date_local,
        date_local_started_at

),

tiktok_ads_rows as (

    select
        'tiktok_ads' as platform,
        cast(advertiser_id as {{ dbt.type_string() }}) as account_id,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(ad_group_id as {{ dbt.type_string() }}) as ad_group_id,
        cast(ad_id as {{ dbt.type_string() }}) as ad_id,
        country_code,
        account_timezone,
        currency_code,
        date_local as date_day,
        date_local_started_at as day_started_at,
        impressions,
        clicks,
        spend_local,
        platform_conversions,
        cast(null as {{ type_money() }}) as platform_conversion_value_local
    from tiktok_ads

),

amazon_ads_rows as (

    select
        'amazon_ads' as platform,
        cast(profile_id as {{ dbt.type_string() }}) as account_id,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(ad_group_id as {{ dbt.type_string() }}) as ad_group_id,
        cast(advertised_sku as {{ dbt.type_string() }}) as ad_id,
        country_code,
        account_timezone,
        currency_code,
        date_local as date_day,
        date_local_started_at as day_started_at,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(spend_local) as spend_local,
        sum(platform_conversions) as platform_conversions,
        sum(platform_conversion_value_local) as platform_conversion_value_local
    from amazon_ads
    group by
        profile_id,
        campaign_id,
        ad_group_id,
        advertised_sku,
        country_code,
        account_timezone,
        currency_code,
        date_local,
        date_local_started_at

),

unioned as (

    select * from google_ads_rows
    union all
    select * from meta_ads_rows
    union all
    select * from tiktok_ads_rows
    union all
    select * from amazon_ads_rows

),

converted as (

    select
        {{ compound_key([
            'unioned.platform', 'unioned.account_id', 'unioned.campaign_id', 'unioned.ad_group_id',
            'unioned.ad_id', 'unioned.country_code', 'unioned.date_day'
        ]) }}
            as ad_performance_id,
        unioned.platform,
        unioned.account_id,
        unioned.campaign_id,
        unioned.ad_group_id,
        unioned.ad_id,
        unioned.country_code,
        unioned.account_timezone,
        unioned.currency_code,
        unioned.date_day,
        cast(unioned.impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(unioned.clicks as {{ dbt.type_bigint() }}) as clicks,
        cast(unioned.platform_conversions as decimal(18, 4)) as platform_conversions,
        cast(unioned.spend_local as {{ type_money() }}) as spend_local,
        cast(unioned.spend_local * fx_rates.rate_to_reporting as {{ type_money() }}) as spend,
        cast(unioned.platform_conversion_value_local as {{ type_money() }}) as platform_conversion_value_local,
        cast(
            unioned.platform_conversion_value_local * fx_rates.rate_to_reporting as {{ type_money() }}
        ) as platform_conversion_value,
        fx_rates.rate_to_reporting as fx_rate_to_reporting,
        unioned.day_started_at
    from unioned
    left join fx_rates
        on
            unioned.date_day = fx_rates.rate_date
            and unioned.currency_code = fx_rates.currency_code

)

select * from converted
