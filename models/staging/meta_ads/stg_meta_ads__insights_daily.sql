with

insights as (
    select * from {{ ref('base_meta_ads__insights_daily') }}
),

accepted as (
    select * from insights
    where quarantine_rule is null
)

select
    ad_metric_key,
    account_id,
    campaign_id,
    adset_id,
    ad_id,
    country_code,
    publisher_platform,
    account_timezone,
    currency_code,
    date_local,
    date_local_started_at,
    date_local_ended_at,
    impressions,
    clicks,
    spend_local,
    platform_conversions,
    platform_conversion_value_local,
    loaded_at
from accepted
