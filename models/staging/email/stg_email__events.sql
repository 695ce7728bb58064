{%- set events = source('email', 'events') -%}

with

source as (
    select * from {{ events }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as email_event_id,
        cast({{ column_or_null(events, 'attributes__profile_id') }} as {{ dbt.type_string() }}) as email_profile_id,
        cast({{ column_or_null(events, 'attributes__campaign_id') }} as {{ dbt.type_string() }}) as email_campaign_id,
        cast({{ column_or_null(events, 'attributes__flow_id') }} as {{ dbt.type_string() }}) as email_flow_id,
        {{ hash_email(column_or_null(events, 'attributes__email')) }} as email_hash,
        attributes__metric as event_type,
        {{ column_or_null(events, 'attributes__url') }} as click_url,
        {{ url_parameter(column_or_null(events, 'attributes__url'), 'utm_source') }} as utm_source,
        {{ url_parameter(column_or_null(events, 'attributes__url'), 'utm_medium') }} as utm_medium,
        {{ url_parameter(column_or_null(events, 'attributes__url'), 'utm_campaign') }} as utm_campaign,
        {{ as_utc_timestamp('attributes__datetime') }} as occurred_at,
        {{ dlt_loaded_at() }} as loaded_at,
        _dlt_load_id as source_load_id,
        _dlt_id as source_row_id
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by email_event_id
            order by source_load_id desc, source_row_id desc
        ) as version_rank
    from renamed
)

select
    email_event_id,
    email_profile_id,
    email_campaign_id,
    email_flow_id,
    email_hash,
    event_type,
    click_url,
    utm_source,
    utm_medium,
    utm_campaign,
    occurred_at,
    loaded_at
from ranked
where version_rank = 1
