{%- set insights = source('meta_ads', 'insights_daily') -%}

with

source as (
    select * from {{ insights }}
),

accounts as (
    select * from {{ ref('stg_meta_ads__ad_accounts') }}
),

actions as (
    select
        _dlt_parent_id,
        sum({{ safe_decimal('value') }}) as platform_purchases
    from {{ source('meta_ads', 'insights_daily__actions') }}
    where action_type = 'offsite_conversion.fb_pixel_purchase'
    group by _dlt_parent_id
),

action_values as (
    select
        _dlt_parent_id,
        sum({{ parse_money('value') }}) as platform_purchase_value_local
    from {{ source('meta_ads', 'insights_daily__action_values') }}
    where action_type = 'offsite_conversion.fb_pixel_purchase'
    group by _dlt_parent_id
),

renamed as (
    select
        cast(source.account_id as {{ dbt.type_string() }}) as account_id,
        cast(source.campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(source.adset_id as {{ dbt.type_string() }}) as adset_id,
        cast(source.ad_id as {{ dbt.type_string() }}) as ad_id,
        upper(source.country) as country_code,
        source.publisher_platform,
        {{ as_date('source.date_start') }} as date_local,
        accounts.account_timezone,
        upper(coalesce({{ column_or_null(insights, 'account_currency', qualifier='source') }}, accounts.currency_code)) as currency_code,
        {{ safe_integer('source.impressions') }} as impressions,
        {{ safe_integer(column_or_null(insights, 'inline_link_clicks', qualifier='source')) }} as clicks,
        {{ parse_money('source.spend') }} as spend_local,
        coalesce(actions.platform_purchases, 0) as platform_conversions,
        coalesce(action_values.platform_purchase_value_local, 0) as platform_conversion_value_local,
        {{ dlt_loaded_at('source._dlt_load_id') }} as loaded_at,
        source._dlt_load_id as source_load_id,
        source._dlt_id as source_row_id
    from source
    left join accounts
        on cast(source.account_id as {{ dbt.type_string() }}) = accounts.account_id
    left join actions
        on source._dlt_id = actions._dlt_parent_id
    left join action_values
        on source._dlt_id = action_values._dlt_parent_id
),

ranked as (
    select
        *,
        row_number() over (
            partition by date_local, ad_id, country_code, publisher_platform
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
    {{ compound_key(['date_local', 'ad_id', 'country_code', 'publisher_platform']) }} as ad_metric_key,
    account_id,
    campaign_id,
    adset_id,
    ad_id,
    country_code,
    publisher_platform,
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
