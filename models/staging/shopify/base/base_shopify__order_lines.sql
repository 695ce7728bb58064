{%- set line_items = source('shopify', 'orders__line_items') -%}

with

line_items as (
    select * from {{ line_items }}
),

orders as (
    select
        order_id,
        source_row_id,
        currency_code,
        quarantine_rule as order_quarantine_rule,
        updated_at as order_updated_at,
        loaded_at
    from {{ ref('base_shopify__orders') }}
),

renamed as (
    select
        line_items.id as order_line_id,
        line_items._dlt_id as source_row_id,
        orders.order_id,
        line_items.product_id,
        line_items.variant_id,
        line_items.sku,
        line_items.title as product_title,
        {{ column_or_null(line_items, 'variant_title', qualifier='line_items') }} as variant_title,
        orders.currency_code,
        orders.order_quarantine_rule,
        line_items._dlt_list_idx as line_number,
        cast(line_items.quantity as {{ dbt.type_int() }}) as quantity,
        {{ parse_money('line_items.price') }} as unit_price_local,
        {{ parse_money(column_or_null(line_items, 'total_discount', qualifier='line_items')) }} as total_discount_local,
        orders.order_updated_at,
        orders.loaded_at
    from line_items
    inner join orders
        on line_items._dlt_parent_id = orders.source_row_id
),

ranked as (
    select
        *,
        row_number() over (
            partition by order_line_id
            order by order_updated_at desc, source_row_id desc
        ) as version_rank
    from renamed
),

checked as (
    select
        *,
        case
            when quantity <= 0 then 'non_positive_quantity'
            when unit_price_local < 0 or total_discount_local < 0 then 'negative_amount'
        end as quarantine_rule
    from ranked
    where version_rank = 1
)

select
    order_line_id,
    source_row_id,
    order_id,
    product_id,
    variant_id,
    sku,
    product_title,
    variant_title,
    currency_code,
    line_number,
    quantity,
    unit_price_local,
    total_discount_local,
    order_updated_at,
    loaded_at,
    order_quarantine_rule,
    quarantine_rule,
    case
        when quarantine_rule = 'non_positive_quantity'
            then {{ dbt.concat(["'quantity '", dbt.safe_cast('quantity', dbt.type_string())]) }}
        when quarantine_rule = 'negative_amount'
            then {{ dbt.concat(["'unit_price_local '", dbt.safe_cast('unit_price_local', dbt.type_string())]) }}
    end as quarantine_details
from checked
