{%- set products = source('shopify', 'products') -%}

with

source as (
    select * from {{ products }}
),

renamed as (
    select
        id as product_id,
        title as product_title,
        {{ column_or_null(products, 'product_type') }} as product_type,
        {{ column_or_null(products, 'vendor') }} as vendor,
        status as product_status,
        {{ as_utc_timestamp('created_at') }} as created_at,
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
            partition by product_id
            order by updated_at desc, source_load_id desc, source_row_id desc
        ) as version_rank
    from renamed
)

select
    product_id,
    product_title,
    product_type,
    vendor,
    product_status,
    created_at,
    updated_at,
    loaded_at
from ranked
where version_rank = 1
