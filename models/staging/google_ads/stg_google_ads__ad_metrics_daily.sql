with

metrics as (
    select * from {{ ref('base_google_ads__ad_metrics_daily') }}
),

accepted as (
    select * from metrics
    where quarantine_rule is null
)

select
    ad_metric_key,
    account_id,
    campaign_id,
    ad_group_id,
    ad_id,
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
