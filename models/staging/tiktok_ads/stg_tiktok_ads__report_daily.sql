with

report as (
    select * from {{ ref('base_tiktok_ads__report_daily') }}
),

accepted as (
    select * from report
    where quarantine_rule is null
)

select
    ad_metric_key,
    advertiser_id,
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
    platform_optimisation_events,
    video_plays,
    video_watched_6s,
    loaded_at
from accepted
