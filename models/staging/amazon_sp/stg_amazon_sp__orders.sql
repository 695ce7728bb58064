with

orders as (
    select * from {{ ref('base_amazon_sp__orders') }}
),

accepted as (
    select * from orders
    where quarantine_rule is null
)

select
    amazon_order_id,
    amazon_buyer_id,
    marketplace_id,
    sales_channel,
    fulfillment_channel,
    order_status,
    order_status = 'Canceled' as is_cancelled,
    shipping_country_code,
    currency_code,
    order_total_local,
    purchased_at,
    updated_at,
    loaded_at
from accepted
