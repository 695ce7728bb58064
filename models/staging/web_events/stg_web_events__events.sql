{%- set events = source('web_events', 'events') -%}

with

source as (
    select * from {{ events }}
),

renamed as (
    select
        cast(event_id as {{ dbt.type_string() }}) as event_id,
        anonymous_id,
        cast({{ column_or_null(events, 'user_id') }} as {{ dbt.type_string() }}) as login_user_id,
        cast({{ column_or_null(events, 'transaction_id') }} as {{ dbt.type_string() }}) as transaction_id,
        cast({{ column_or_null(events, 'item_id') }} as {{ dbt.type_string() }}) as item_id,
        event_name,
        platform,
        case when platform = 'app' then 'app_instance' else 'cookie' end as anonymous_id_type,
        {{ column_or_null(events, 'device_category') }} as device_category,
        {{ column_or_null(events, 'os') }} as operating_system,
        {{ column_or_null(events, 'user_agent') }} as user_agent,
        upper({{ column_or_null(events, 'country') }}) as country_code,
        {{ column_or_null(events, 'page_url') }} as page_url,
        {{ column_or_null(events, 'page_referrer') }} as page_referrer,
        {{ url_host(column_or_null(events, 'page_referrer')) }} as referrer_host,
        {{ url_parameter(column_or_null(events, 'page_url'), 'utm_source') }} as utm_source,
        {{ url_parameter(column_or_null(events, 'page_url'), 'utm_medium') }} as utm_medium,
        {{ url_parameter(column_or_null(events, 'page_url'), 'utm_campaign') }} as utm_campaign,
        {{ url_parameter(column_or_null(events, 'page_url'), 'utm_content') }} as utm_content,
        {{ url_parameter(column_or_null(events, 'page_url'), 'utm_term') }} as utm_term,
        {{ url_parameter(column_or_null(events, 'page_url'), 'gclid') }} as gclid,
        {{ url_parameter(column_or_null(events, 'page_url'), 'fbclid') }} as fbclid,
        {{ url_parameter(column_or_null(events, 'page_url'), 'ttclid') }} as ttclid,
        upper({{ column_or_null(events, 'currency') }}) as currency_code,
        {{ parse_money(column_or_null(events, 'value')) }} as event_value_local,
        {{ as_utc_timestamp('event_timestamp') }} as event_at,
        {{ dlt_loaded_at(column_or_null(events, '_dlt_load_id')) }} as loaded_at,
        {{ column_or_null(events, '_dlt_load_id') }} as source_load_id,
        {{ column_or_null(events, '_dlt_id') }} as source_row_id
    from source
),

ranked as (
    {#- Partitioned by the event's UTC date as well as its id (a re-sent event keeps its
        timestamp), so date filters of downstream incremental models push down through it. -#}
    select
        *,
        row_number() over (
            partition by cast(event_at as date), event_id
            order by source_load_id desc nulls last, source_row_id desc nulls last, page_url asc
        ) as version_rank
    from renamed
)

select
    event_id,
    anonymous_id,
    anonymous_id_type,
    login_user_id,
    transaction_id,
    item_id,
    event_name,
    platform,
    device_category,
    operating_system,
    user_agent,
    country_code,
    page_url,
    page_referrer,
    referrer_host,
    utm_source,
    utm_medium,
    utm_campaign,
    utm_content,
    utm_term,
    gclid,
    fbclid,
    ttclid,
    currency_code,
    event_value_local,
    event_at,
    loaded_at
from ranked
where version_rank = 1
