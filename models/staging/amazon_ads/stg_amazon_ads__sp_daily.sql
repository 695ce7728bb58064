with

report as (
    select * from {{ ref('base_amazon_ads__sp_daily') }}
),

accepted as (
    select * from report
    where quarantine_rule is null
)

select
    ad_metric_key,
    profile_id,
    campaign_id,
    ad_group_id,
    advertised_sku,
    advertised_asin,
    campaign_name,
    country_code,
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
