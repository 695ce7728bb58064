{%- set report = source('tiktok_ads', 'report_daily') -%}

with

source as (
    select * from {{ report }}
),

ads as (
    select * from {{ ref('stg_tiktok_ads__ads') }}
),

advertisers as (
    select * from {{ ref('stg_tiktok_ads__advertisers') }}
),

renamed as (
    select
        coalesce({{ column_or_null(report, 'advertiser_id', qualifier='source') }}, ads.advertiser_id) as advertiser_id,
        ads.campaign_id,
        ads.ad_group_id,
        cast(source.dimensions__ad_id as {{ dbt.type_string() }}) as ad_id,
        upper(source.dimensions__country_code) as country_code,
        {{ as_date('source.dimensions__stat_time_day') }} as date_local,
        advertisers.account_timezone,
        upper(coalesce({{ column_or_null(report, 'metrics__currency', qualifier='source') }}, advertisers.currency_code)) as currency_code,
        {{ safe_integer('source.metrics__impressions') }} as impressions,
        {{ safe_integer('source.metrics__clicks') }} as clicks,
        {{ parse_money('source.metrics__spend') }} as spend_local,
        {{ safe_decimal(column_or_null(report, 'metrics__complete_payment', qualifier='source')) }} as platform_conversions,
        {{ safe_decimal(column_or_null(report, 'metrics__conversion', qualifier='source')) }} as platform_optimisation_events,
        {{ safe_integer(column_or_null(report, 'metrics__video_play_actions', qualifier='source')) }} as video_plays,
        {{ safe_integer(column_or_null(report, 'metrics__video_watched_6s', qualifier='source')) }} as video_watched_6s,
        {{ dlt_loaded_at('source._dlt_load_id') }} as loaded_at,
        source._dlt_load_id as source_load_id,
        source._dlt_id as source_row_id
    from source
    left join ads
        on cast(source.dimensions__ad_id as {{ dbt.type_string() }}) = ads.ad_id
    left join advertisers
        on coalesce({{ column_or_null(report, 'advertiser_id', qualifier='source') }}, ads.advertiser_id) = advertisers.advertiser_id
),

ranked as (
    select
        *,
        row_number() over (
            partition by date_local, ad_id, country_code
            order by source_load_id desc, source_row_id desc
        ) as version_rank
    from renamed
),

checked as (
    select
        *,
        case
            when spend_local < 0 then 'negative_spend'
            when impressions < 0 or clicks < 0 then 'negative_metric'
            when date_local > {{ dbt.dateadd('day', var('ad_date_future_tolerance_days'), as_of_date()) }} then 'date_after_as_of'
        end as quarantine_rule
    from ranked
    where version_rank = 1
)

select
    {{ compound_key(['date_local', 'ad_id', 'country_code']) }} as ad_metric_key,
    advertiser_id,
    campaign_id,
    ad_group_id,
    ad_id,
    country_code,
    account_timezone,
    currency_code,
    date_local,
    {{ to_utc('date_local', 'account_timezone') }} as date_local_started_at,
    {{ to_utc(dbt.dateadd('day', 1, 'date_local'), 'account_timezone') }} as date_local_ended_at,
    impressions,
    clicks,
    spend_local,
    platform_conversions,
    platform_optimisation_events,
    video_plays,
    video_watched_6s,
    loaded_at,
    quarantine_rule,
    case
        when quarantine_rule = 'negative_spend'
            then {{ dbt.concat(["'spend_local '", dbt.safe_cast('spend_local', dbt.type_string())]) }}
        when quarantine_rule = 'negative_metric'
            then {{ dbt.concat([
                "'impressions '", dbt.safe_cast('impressions', dbt.type_string()),
                "' clicks '", dbt.safe_cast('clicks', dbt.type_string()),
            ]) }}
        when quarantine_rule = 'date_after_as_of'
            then {{ dbt.concat(["'date_local '", dbt.safe_cast('date_local', dbt.type_string())]) }}
    end as quarantine_details
from checked
