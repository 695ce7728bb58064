with

order_items as (
    select * from {{ ref('base_amazon_sp__order_items') }}
),

accepted as (
    select * from order_items
    where
        quarantine_rule is null
        and order_quarantine_rule is null
)

select
    amazon_order_item_key,
    order_item_id,
    amazon_order_id,
    asin,
    sku,
    product_title,
    currency_code,
    quantity,
    item_price_local,
    item_tax_local,
    promotion_discount_local,
    shipping_price_local,
    referral_fee_local,
    order_updated_at
from accepted
