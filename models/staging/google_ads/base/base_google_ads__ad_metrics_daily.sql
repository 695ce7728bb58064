{%- set metrics = source('google_ads', 'ad_metrics_daily') -%}

with

source as (
    select * from {{ metrics }}
),

accounts as (
    select * from {{ ref('stg_google_ads__customers') }}
),

renamed as (
    select
        cast(source.customer__id as {{ dbt.type_string() }}) as account_id,
        cast(source.campaign__id as {{ dbt.type_string() }}) as campaign_id,
        cast(source.ad_group__id as {{ dbt.type_string() }}) as ad_group_id,
        cast(source.ad_group_ad__ad__id as {{ dbt.type_string() }}) as ad_id,
        upper(source.segments__geo_target_country) as country_code,
        {{ as_date('source.segments__date') }} as date_local,
        coalesce(
            {{ column_or_null(metrics, 'customer__time_zone', qualifier='source') }},
            accounts.account_timezone
        ) as account_timezone,
        upper(coalesce(
            {{ column_or_null(metrics, 'customer__currency_code', qualifier='source') }},
            accounts.currency_code
        )) as currency_code,
        {{ safe_integer('source.metrics__impressions') }} as impressions,
        {{ safe_integer('source.metrics__clicks') }} as clicks,
        {{ micros_to_money('source.metrics__cost_micros') }} as spend_local,
        {{ safe_decimal(column_or_null(metrics, 'metrics__conversions', qualifier='source')) }} as platform_conversions,
        {{ parse_money(column_or_null(metrics, 'metrics__conversions_value', qualifier='source')) }} as platform_conversion_value_local,
        {{ dlt_loaded_at('source._dlt_load_id') }} as loaded_at,
        source._dlt_load_id as source_load_id,
        source._dlt_id as source_row_id
    from source
    left join accounts
        on cast(source.customer__id as {{ dbt.type_string() }}) = accounts.account_id
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
    account_id,
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
    platform_conversion_value_local,
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
