{%- set variants = source('experiments', 'experiments__variants') -%}

with

variants as (
    select * from {{ variants }}
),

experiments as (
    select
        cast(id as {{ dbt.type_string() }}) as experiment_id,
        _dlt_id as experiment_row_id,
        row_number() over (
            partition by id
            order by {{ as_utc_timestamp('updated_at') }} desc, _dlt_load_id desc, _dlt_id desc
        ) as version_rank
    from {{ source('experiments', 'experiments') }}
),

latest_experiments as (
    select * from experiments
    where version_rank = 1
),

renamed as (
    select
        cast(variants.id as {{ dbt.type_string() }}) as variant_id,
        latest_experiments.experiment_id,
        variants.name as variant_name,
        cast(variants.is_control as {{ dbt.type_boolean() }}) as is_control,
        {{ safe_decimal('variants.traffic_share', 10, 6) }} as traffic_share
    from variants
    inner join latest_experiments
        on variants._dlt_parent_id = latest_experiments.experiment_row_id
)

select
    variant_id,
    experiment_id,
    variant_name,
    is_control,
    traffic_share
from renamed
