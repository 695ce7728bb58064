{%- set experiments = source('experiments', 'experiments') -%}

with

source as (
    select * from {{ experiments }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as experiment_id,
        name as experiment_name,
        {{ column_or_null(experiments, 'hypothesis') }} as hypothesis,
        {{ column_or_null(experiments, 'primary_metric') }} as primary_metric,
        status as experiment_status,
        {{ as_utc_timestamp(column_or_null(experiments, 'start_at')) }} as started_at,
        {{ as_utc_timestamp(column_or_null(experiments, 'end_at')) }} as ended_at,
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
            partition by experiment_id
            order by updated_at desc, source_load_id desc, source_row_id desc
        ) as version_rank
    from renamed
)

select
    experiment_id,
    experiment_name,
    hypothesis,
    primary_metric,
    experiment_status,
    started_at,
    ended_at,
    updated_at,
    loaded_at
from ranked
where version_rank = 1
