{%- set src = source('meta_ads', 'creatives') -%}

with

source as (
    select * from {{ src }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as creative_id,
        cast({{ column_or_null(src, 'account_id') }} as {{ dbt.type_string() }}) as account_id,
        {{ column_or_null(src, 'name') }} as creative_name,
        {{ column_or_null(src, 'object_type') }} as creative_type,
        {{ column_or_null(src, 'creator_handle') }} as creator_handle,
        {{ column_or_null(src, 'creator_handle') }} is not null as is_creator_content,
        {{ dlt_loaded_at() }} as loaded_at,
        _dlt_load_id as source_load_id,
        _dlt_id as source_row_id
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by creative_id
            order by source_load_id desc, source_row_id desc
        ) as version_rank
    from renamed
)

select
    creative_id,
    account_id,
    creative_name,
    creative_type,
    creator_handle,
    is_creator_content,
    loaded_at
from ranked
where version_rank = 1
