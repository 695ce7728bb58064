{%- set stock_levels = source('inventory', 'stock_levels') -%}

with

source as (
    select * from {{ stock_levels }}
),

renamed as (
    select
        sku,
        {{ column_or_null(stock_levels, 'product_id', dbt.type_bigint()) }} as product_id,
        cast(warehouse_id as {{ dbt.type_string() }}) as warehouse_id,
        {{ as_date('date') }} as stock_date,
        {{ safe_integer('on_hand') }} as on_hand_units,
        {{ safe_integer(column_or_null(stock_levels, 'reserved')) }} as reserved_units,
        {{ safe_integer(column_or_null(stock_levels, 'inbound')) }} as inbound_units,
        {{ safe_integer(column_or_null(stock_levels, 'safety_stock')) }} as safety_stock_units,
        {{ dlt_loaded_at() }} as loaded_at,
        _dlt_load_id as source_load_id,
        _dlt_id as source_row_id
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by stock_date, sku, warehouse_id
            order by source_load_id desc, source_row_id desc
        ) as version_rank
    from renamed
)

select
    {{ compound_key(['stock_date', 'sku', 'warehouse_id']) }} as stock_level_key,
    sku,
    product_id,
    warehouse_id,
    stock_date,
    on_hand_units,
    reserved_units,
    inbound_units,
    safety_stock_units,
    on_hand_units - coalesce(reserved_units, 0) as available_units,
    on_hand_units - coalesce(reserved_units, 0) < coalesce(safety_stock_units, 0) as is_below_safety_stock,
    loaded_at
from ranked
where version_rank = 1
