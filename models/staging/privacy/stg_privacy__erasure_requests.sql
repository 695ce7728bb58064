with

source as (
    select * from {{ source('privacy', 'erasure_requests') }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as erasure_request_id,
        {{ hash_email('subject_email') }} as email_hash,
        regulation,
        status as request_status,
        {{ as_utc_timestamp('requested_at') }} as requested_at,
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
            partition by erasure_request_id
            order by updated_at desc, source_load_id desc, source_row_id desc
        ) as version_rank
    from renamed
)

select
    erasure_request_id,
    email_hash,
    regulation,
    request_status,
    requested_at,
    updated_at,
    loaded_at
from ranked
where version_rank = 1
