{%- set campaigns = source('email', 'campaigns') -%}

with

source as (
    select * from {{ campaigns }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as email_campaign_id,
        {{ column_or_null(campaigns, 'attributes__name') }} as email_campaign_name,
        {{ column_or_null(campaigns, 'attributes__status') }} as email_campaign_status,
        {{ as_utc_timestamp(column_or_null(campaigns, 'attributes__send_time')) }} as sent_at,
        {{ as_utc_timestamp(column_or_null(campaigns, 'attributes__created_at')) }} as created_at,
        coalesce(
            {{ as_utc_timestamp(column_or_null(campaigns, 'attributes__updated')) }},
            {{ as_utc_timestamp(column_or_null(campaigns, 'attributes__updated_at')) }}
        ) as updated_at,
        {{ dlt_loaded_at() }} as loaded_at,
        _dlt_load_id as source_load_id,
        _dlt_id as source_row_id
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by email_campaign_id
            order by updated_at desc, source_load_id desc, source_row_id desc
        ) as version_rank
    from renamed
)

select
    email_campaign_id,
    email_campaign_name,
    email_campaign_status,
    sent_at,
    created_at,
    updated_at,
    loaded_at
from ranked
where version_rank = 1
