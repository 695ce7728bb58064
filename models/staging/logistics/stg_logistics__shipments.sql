with

shipments as (
    select * from {{ ref('base_logistics__shipments') }}
),

accepted as (
    select * from shipments
    where quarantine_rule is null
)

select
    shipment_id,
    order_ref,
    order_source,
    source_order_id,
    carrier,
    origin_warehouse,
    destination_country_code,
    shipment_status,
    currency_code,
    shipping_cost_local,
    shipped_at,
    delivered_at,
    {{ dbt.datediff('shipped_at', 'delivered_at', 'minute') }}
    / 1440.0 as delivery_days,
    updated_at,
    loaded_at
from accepted
