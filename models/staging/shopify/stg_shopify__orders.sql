with

orders as (
    select * from {{ ref('base_shopify__orders') }}
),

accepted as (
    select * from orders
    where quarantine_rule is null
)

select
    order_id,
    order_name,
    customer_id,
    cart_token,
    email_hash,
    phone_hash,
    shipping_address_hash,
    browser_ip_hash,
    shipping_country_code,
    billing_country_code,
    currency_code,
    presentment_currency_code,
    financial_status,
    fulfillment_status,
    cancel_reason,
    source_name,
    is_tax_included,
    cancelled_at is not null as is_cancelled,
    landing_site,
    referring_site,
    utm_source,
    utm_medium,
    utm_campaign,
    gclid,
    fbclid,
    ttclid,
    referrer_host,
    subtotal_price_local,
    total_discounts_local,
    total_tax_local,
    total_shipping_local,
    total_price_local,
    total_fees_local,
    created_at,
    processed_at,
    cancelled_at,
    updated_at,
    loaded_at
from accepted
