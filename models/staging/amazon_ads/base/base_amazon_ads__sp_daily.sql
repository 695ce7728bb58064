{%- set report = source('amazon_ads', 'sp_daily') -%}

with

source as (
    select * from {{ report }}
),

profiles as (
    select * from {{ ref('stg_amazon_ads__profiles') }}
),

renamed as (
    select
        cast(source.profile_id as {{ dbt.type_string() }}) as profile_id,
        cast(source.campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(source.ad_group_id as {{ dbt.type_string() }}) as ad_group_id,
        source.advertised_sku,
        {{ column_or_null(report, 'advertised_asin', qualifier='source') }} as advertised_asin,
        {{ column_or_null(report, 'campaign_name', qualifier='source') }} as campaign_name,
        upper(coalesce({{ column_or_null(report, 'country_code', qualifier='source') }}, profiles.country_code)) as country_code,
        {{ as_date('source.date') }} as date_local,
        profiles.account_timezone,
        upper(coalesce({{ column_or_null(report, 'currency_code', qualifier='source') }}, profiles.currency_code)) as currency_code,
        {{ safe_integer('source.impressions') }} as impressions,
        {{ safe_integer('source.clicks') }} as clicks,
        {{ parse_money('source.cost') }} as spend_local,
        {{ safe_decimal(column_or_null(report, 'purchases7d', qualifier='source')) }} as platform_conversions,
        {{ parse_money(column_or_null(report, 'sales7d', qualifier='source')) }} as platform_conversion_value_local,
        {{ dlt_loaded_at('source._dlt_load_id') }} as loaded_at,
        source._dlt_load_id as source_load_id,
        source._dlt_id as source_row_id
    from source
    left join profiles
        on cast(source.profile_id as {{ dbt.type_string() }}) = profiles.profile_id
),

ranked as (
    select
        *,
        row_number() over (
            partition by date_local, profile_id, campaign_id, ad_group_id, advertised_sku
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
    {{ compound_key(['date_local', 'profile_id', 'campaign_id', 'ad_group_id', 'advertised_sku']) }} as ad_metric_key,
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
