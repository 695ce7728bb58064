{%- set refund_line_items = source('shopify', 'orders__refunds__refund_line_items') -%}

with

refund_line_items as (
    select * from {{ refund_line_items }}
),

refunds as (
    select * from {{ source('shopify', 'orders__refunds') }}
),

orders as (
    select
        order_id,
        source_row_id,
        currency_code
    from {{ ref('base_shopify__orders') }}
    where quarantine_rule is null
),

renamed as (
    select
        {{ compound_key(['refunds.id', 'refund_line_items._dlt_list_idx']) }} as refund_line_id,
        {{ column_or_null(refund_line_items, 'id', dbt.type_bigint(), 'refund_line_items') }} as shopify_refund_line_item_id,
        refunds.id as refund_id,
        orders.order_id,
        refund_line_items.line_item_id as order_line_id,
        orders.currency_code,
        cast(refund_line_items.quantity as {{ dbt.type_int() }}) as quantity,
        {{ parse_money('refund_line_items.subtotal') }} as subtotal_local
    from refund_line_items
    inner join refunds
        on refund_line_items._dlt_parent_id = refunds._dlt_id
    inner join orders
        on refunds._dlt_parent_id = orders.source_row_id
)

select
    refund_line_id,
    shopify_refund_line_item_id,
    refund_id,
    order_id,
    order_line_id,
    currency_code,
    quantity,
    subtotal_local
from renamed
