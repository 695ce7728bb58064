{%- set ledger = source('loyalty', 'points_ledger') -%}

with

source as (
    select * from {{ ledger }}
),

renamed as (
    select
        cast(entry_id as {{ dbt.type_string() }}) as ledger_entry_id,
        cast(member_id as {{ dbt.type_string() }}) as member_id,
        {{ column_or_null(ledger, 'order_ref') }} as order_ref,
        reason as points_reason,
        {{ safe_integer('points') }} as points,
        {{ as_utc_timestamp('created_at') }} as created_at,
        {{ dlt_loaded_at() }} as loaded_at,
        _dlt_load_id as source_load_id,
        _dlt_id as source_row_id
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by ledger_entry_id
            order by source_load_id desc, source_row_id desc
        ) as version_rank
    from renamed
)

select
    ledger_entry_id,
    member_id,
    order_ref,
    points_reason,
    points,
    created_at,
    loaded_at
from ranked
where version_rank = 1
