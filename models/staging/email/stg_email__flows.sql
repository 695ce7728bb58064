{%- set flows = source('email', 'flows') -%}

with

source as (
    select * from {{ flows }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as email_flow_id,
        {{ column_or_null(flows, 'attributes__name') }} as email_flow_name,
        {{ column_or_null(flows, 'attributes__status') }} as email_flow_status,
        {{ column_or_null(flows, 'attributes__trigger_type') }} as trigger_type,
        {{ as_utc_timestamp(column_or_null(flows, 'attributes__created')) }} as created_at,
        {{ as_utc_timestamp(column_or_null(flows, 'attributes__updated')) }} as updated_at,
        {{ dlt_loaded_at() }} as loaded_at,
        _dlt_load_id as source_load_id,
        _dlt_id as source_row_id
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by email_flow_id
            order by updated_at desc, source_load_id desc, source_row_id desc
        ) as version_rank
    from renamed
)

select
    email_flow_id,
    email_flow_name,
    email_flow_status,
    trigger_type,
    created_at,
    updated_at,
    loaded_at
from ranked
where version_rank = 1
