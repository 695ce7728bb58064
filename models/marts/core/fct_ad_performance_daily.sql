{{
    config(
        materialized='incremental',
        unique_key='ad_performance_id',
        incremental_strategy='replace_window',
        late_window_column='date_day',
        on_schema_change='fail',
        post_hook="{{ report_rows_affected() }}",
    )
}}

{#-
    Feeds budget decisions: built only from staged rows that passed the business-rule checks
    (quarantined rows never reach staging's accepted models; the `excludes_quarantined` tests
    guard it). Platforms restate recent days, so the late-arriving window is rebuilt each run.
-#}
{%- set window_start = incremental_window_start('date_day') -%}

with

ad_performance as (

    select * from {{ ref('int_ad_performance__unioned') }}
    {%- if window_start is not none %}
    where date_day >= {{ window_start }}
    {%- endif %}

),

campaigns as (

    select
        platform,
        campaign_id,
        channel
    from {{ ref('dim_campaigns') }}

),

final as (

    select
        ad_performance.ad_performance_id,
        ad_performance.platform,
        ad_performance.account_id,
        ad_performance.campaign_id,
        ad_performance.ad_group_id,
        ad_performance.ad_id,
        ad_performance.country_code,
        coalesce(
            campaigns.channel,
            case ad_performance.platform
                when 'meta_ads' then 'paid_social_meta'
                when 'tiktok_ads' then 'paid_social_tiktok'
                when 'amazon_ads' then 'amazon_ads'
                else 'paid_search'
            end
        ) as channel,
        ad_performance.account_timezone,
        ad_performance.currency_code,
        ad_performance.impressions,
        ad_performance.clicks,
        ad_performance.platform_conversions,
        ad_performance.spend_local,
        ad_performance.platform_conversion_value_local,
        ad_performance.fx_rate_to_reporting,
        ad_performance.spend,
        ad_performance.platform_conversion_value,
        ad_performance.date_day,
        ad_performance.day_started_at
    from ad_performance
    left join campaigns
        on
            ad_performance.platform = campaigns.platform
            and ad_performance.campaign_id = campaigns.campaign_id

)

select * from final
