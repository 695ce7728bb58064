{%- set assignments = source('experiments', 'assignments') -%}

with

source as (
    select * from {{ assignments }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as assignment_id,
        cast(experiment_id as {{ dbt.type_string() }}) as experiment_id,
        cast(variant_id as {{ dbt.type_string() }}) as variant_id,
        anonymous_id,
        cast({{ column_or_null(assignments, 'user_id') }} as {{ dbt.type_string() }}) as login_user_id,
        {{ as_utc_timestamp('assigned_at') }} as assigned_at,
        {{ as_utc_timestamp(column_or_null(assignments, 'updated_at')) }} as updated_at,
        {{ dlt_loaded_at() }} as loaded_at,
        _dlt_load_id as source_load_id,
        _dlt_id as source_row_id
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by assignment_id
            order by updated_at desc, source_load_id desc, source_row_id desc
        ) as version_rank
    from renamed
)

select
    assignment_id,
    experiment_id,
    variant_id,
    anonymous_id,
    login_user_id,
    assigned_at,
    updated_at,
    loaded_at
from ranked
where version_rank = 1
