{%- set consent_events = source('privacy', 'consent_events') -%}

with

source as (
    select * from {{ consent_events }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as consent_event_id,
        {{ column_or_null(consent_events, 'subject_customer_id', dbt.type_bigint()) }} as shopify_customer_id,
        {{ hash_email('subject_email') }} as email_hash,
        purpose as consent_purpose,
        status as consent_status,
        status = 'granted' as is_granted,
        {{ column_or_null(consent_events, 'source') }} as consent_source,
        {{ as_utc_timestamp('changed_at') }} as changed_at,
        {{ as_utc_timestamp('updated_at') }} as updated_at,
        {{ dlt_loaded_at() }} as loaded_at,
        _dlt_load_id as source_load_id,
        _dlt_id as source_row_id
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by consent_event_id
            order by updated_at desc, source_load_id desc, source_row_id desc
        ) as version_rank
    from renamed
)

select
    consent_event_id,
    shopify_customer_id,
    email_hash,
    consent_purpose,
    consent_status,
    is_granted,
    consent_source,
    changed_at,
    updated_at,
    loaded_at
from ranked
where version_rank = 1
