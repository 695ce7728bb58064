with

order_lines as (
    select * from {{ ref('base_shopify__order_lines') }}
),

accepted as (
    select * from order_lines
    where
        quarantine_rule is null
        and order_quarantine_rule is null
)

select
    order_line_id,
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
    quantity * unit_price_local as gross_amount_local,
    order_updated_at
from accepted
