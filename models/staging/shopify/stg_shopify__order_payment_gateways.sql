with

gateway_names as (
    select * from {{ source('shopify', 'orders__payment_gateway_names') }}
),

orders as (
    select
        order_id,
        source_row_id
    from {{ ref('base_shopify__orders') }}
    where quarantine_rule is null
),

renamed as (
    select
        {{ compound_key(['orders.order_id', 'gateway_names._dlt_list_idx']) }} as order_payment_gateway_id,
        orders.order_id,
        gateway_names.value as payment_gateway
    from gateway_names
    inner join orders
        on gateway_names._dlt_parent_id = orders.source_row_id
)

select
    order_payment_gateway_id,
    order_id,
    payment_gateway
from renamed
