{%- set src = source('meta_ads', 'campaigns') -%}

with

source as (
    select * from {{ src }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as campaign_id,
        cast({{ column_or_null(src, 'account_id') }} as {{ dbt.type_string() }}) as account_id,
        name as campaign_name,
        {{ column_or_null(src, 'objective') }} as campaign_objective,
        {{ column_or_null(src, 'status') }} as campaign_status,
        {{ as_utc_timestamp(column_or_null(src, 'created_time')) }} as created_at,
        {{ as_utc_timestamp(column_or_null(src, 'updated_time')) }} as updated_at,
        {{ dlt_loaded_at() }} as loaded_at,
        _dlt_load_id as source_load_id,
        _dlt_id as source_row_id
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by campaign_id
            order by source_load_id desc, source_row_id desc
        ) as version_rank
    from renamed
)

select
    campaign_id,
    account_id,
    campaign_name,
    campaign_objective,
    campaign_status,
    created_at,
    updated_at,
    loaded_at
from ranked
where version_rank = 1
