-- One row per day x channel x country: paid media as the platforms report it
-- (spend converted to the reporting currency; platform-claimed conversions kept apart).
select
    date_day::date as date_day,
    channel,
    country_code,
    sum(spend)::double as spend,
    sum(impressions)::bigint as impressions,
    sum(clicks)::bigint as clicks,
    sum(platform_conversions)::double as platform_conversions,
    sum(platform_conversion_value)::double as platform_conversion_value
from marts.fct_ad_performance_daily
group by all
order by 1, 2, 3
