{#-
    One row per order (Shopify and Amazon), with the line money rolled up and the order-level
    money added: shipping charged, payment and marketplace fees, shipping cost from logistics,
    all converted at the order date's FX rate. Carries every identifier the order showed
    (customer id, e-mail and phone hashes, Amazon buyer proxy, the device of the purchase event),
    so fct_orders can resolve the person through the current identity map.
-#}
with

order_lines as (

    select * from {{ ref('int_order_lines__enriched') }}

),

shopify_orders as (

    select * from {{ ref('stg_shopify__orders') }}

),

shopify_discount_codes as (

    select * from {{ ref('stg_shopify__order_discount_codes') }}

),

amazon_orders as (

    select * from {{ ref('stg_amazon_sp__orders') }}

),

amazon_items as (

    select * from {{ ref('stg_amazon_sp__order_items') }}

),

shipments as (

    select * from {{ ref('stg_logistics__shipments') }}

),

web_events as (

    select * from {{ ref('stg_web_events__events') }}

),

fx_rates as (

    select
        rate_date,
        currency_code,
        rate_to_reporting
    from {{ ref('int_fx_rates__daily') }}

),

line_totals as (

    select
        order_id,
        min(sales_channel) as sales_channel,
        min(source_order_id) as source_order_id,
        min(currency_code) as currency_code,
        min(order_date) as order_date,
        min(ordered_at) as ordered_at,
        max(source_updated_at) as source_updated_at,
        count(*) as order_lines,
        cast(sum(quantity) as {{ dbt.type_bigint() }}) as units,
        cast(sum(gross_amount_local) as {{ type_money() }}) as gross_amount_local,
        cast(sum(discount_amount_local) as {{ type_money() }}) as discount_amount_local,
        cast(sum(refund_amount_local) as {{ type_money() }}) as refund_amount_local,
        cast(sum(return_amount_local) as {{ type_money() }}) as return_amount_local,
        cast(sum(tax_amount_local) as {{ type_money() }}) as tax_amount_local,
        cast(sum(net_revenue_local) as {{ type_money() }}) as net_revenue_local,
        cast(sum(marketplace_fee_amount_local) as {{ type_money() }}) as marketplace_fee_amount_local,
        cast(sum(gross_amount) as {{ type_money() }}) as gross_amount,
        cast(sum(discount_amount) as {{ type_money() }}) as discount_amount,
        cast(sum(refund_amount) as {{ type_money() }}) as refund_amount,
        cast(sum(return_amount) as {{ type_money() }}) as return_amount,
        cast(sum(tax_amount) as {{ type_money() }}) as tax_amount,
        cast(sum(net_revenue) as {{ type_money() }}) as net_revenue,
        cast(sum(marketplace_fee_amount) as {{ type_money() }}) as marketplace_fee_amount,
        cast(sum(cogs_amount) as {{ type_money() }}) as cogs_amount
    from order_lines
    group by order_id

),

shopify_codes as (

    select
        order_id,
        min(discount_code) as discount_code,
        count(*) as discount_codes
    from shopify_discount_codes
    group by order_id

),

purchase_devices as (

    select
        transaction_id,
        min(anonymous_id_type) as purchase_anonymous_id_type,
        min(anonymous_id) as purchase_anonymous_id
    from web_events
    where
        event_name = 'purchase'
        and transaction_id is not null
    group by transaction_id

),

shopify_order_facts as (

    select
        {{ dbt.concat(["'shopify:'", dbt.safe_cast('shopify_orders.order_id', dbt.type_string())]) }} as order_id,
        cast(shopify_orders.customer_id as {{ dbt.type_string() }}) as shopify_customer_id,
        shopify_orders.email_hash,
        shopify_orders.phone_hash,
        cast(null as {{ dbt.type_string() }}) as amazon_buyer_id,
        purchase_devices.purchase_anonymous_id_type,
        purchase_devices.purchase_anonymous_id,
        shopify_orders.shipping_country_code,
        shopify_orders.is_cancelled,
        shopify_orders.financial_status as order_status,
        shopify_orders.source_name,
        shopify_orders.utm_source,
        shopify_orders.utm_medium,
        shopify_orders.utm_campaign,
        shopify_codes.discount_code,
        coalesce(shopify_orders.total_shipping_local, 0) as shipping_charged_local,
        coalesce(shopify_orders.total_fees_local, 0) as payment_fee_amount_local
    from shopify_orders
    left join shopify_codes
        on shopify_orders.order_id = shopify_codes.order_id
    left join purchase_devices
        on cast(shopify_orders.order_id as {{ dbt.type_string() }}) = purchase_devices.transaction_id

),

amazon_shipping as (

    select
        amazon_order_id,
        cast(sum(shipping_price_local) as {{ type_money() }}) as shipping_charged_local
    from amazon_items
    group by amazon_order_id

),

amazon_order_facts as (

    select
        {{ dbt.concat(["'amazon:'", 'amazon_orders.amazon_order_id']) }} as order_id,
        cast(null as {{ dbt.type_string() }}) as shopify_customer_id,
        cast(null as {{ dbt.type_string() }}) as email_hash,
        cast(null as {{ dbt.type_string() }}) as phone_hash,
        amazon_orders.amazon_buyer_id,
        cast(null as {{ dbt.type_string() }}) as purchase_anonymous_id_type,
        cast(null as {{ dbt.type_string() }}) as purchase_anonymous_id,
        amazon_orders.shipping_country_code,
        amazon_orders.is_cancelled,
        amazon_orders.order_status,
        amazon_orders.sales_channel as source_name,
        cast(null as {{ dbt.type_string() }}) as utm_source,
        cast(null as {{ dbt.type_string() }}) as utm_medium,
        cast(null as {{ dbt.type_string() }}) as utm_campaign,
        cast(null as {{ dbt.type_string() }}) as discount_code,
        coalesce(amazon_shipping.shipping_charged_local, 0) as shipping_charged_local,
        cast(0 as {{ type_money() }}) as payment_fee_amount_local
    from amazon_orders
    left join amazon_shipping
        on amazon_orders.amazon_order_id = amazon_shipping.amazon_order_id

),

order_facts as (

    select * from shopify_order_facts
    union all
    select * from amazon_order_facts

),

shipment_facts as (

    select
        order_ref as order_id,
        count(*) as shipments,
        min(shipped_at) as first_shipped_at,
        max(delivered_at) as delivered_at,
        max(case when shipment_status = 'delivered' then 1 else 0 end) = 1 as is_delivered,
        min(currency_code) as shipping_cost_currency_code,
        cast(sum(shipping_cost_local) as {{ type_money() }}) as shipping_cost_local
    from shipments
    group by order_ref

),

orders_joined as (

    select
        line_totals.order_id,
        line_totals.sales_channel,
        line_totals.source_order_id,
        order_facts.shopify_customer_id,
        order_facts.email_hash,
        order_facts.phone_hash,
        order_facts.amazon_buyer_id,
        order_facts.purchase_anonymous_id_type,
        order_facts.purchase_anonymous_id,
        order_facts.shipping_country_code,
        order_facts.source_name,
        order_facts.order_status,
        order_facts.utm_source,
        order_facts.utm_medium,
        order_facts.utm_campaign,
        order_facts.discount_code,
        line_totals.currency_code,
        order_facts.is_cancelled,
        coalesce(shipment_facts.is_delivered, false) as is_delivered,
        line_totals.order_lines,
        line_totals.units,
        line_totals.gross_amount_local,
        line_totals.discount_amount_local,
        line_totals.refund_amount_local,
        line_totals.return_amount_local,
        line_totals.tax_amount_local,
        line_totals.net_revenue_local,
        order_facts.shipping_charged_local,
        order_facts.payment_fee_amount_local,
        line_totals.marketplace_fee_amount_local,
        shipment_facts.shipping_cost_currency_code,
        shipment_facts.shipping_cost_local,
        line_totals.gross_amount,
        line_totals.discount_amount,
        line_totals.refund_amount,
        line_totals.return_amount,
        line_totals.tax_amount,
        line_totals.net_revenue,
        line_totals.marketplace_fee_amount,
        line_totals.cogs_amount,
        line_totals.order_date,
        line_totals.ordered_at,
        shipment_facts.first_shipped_at,
        shipment_facts.delivered_at,
        line_totals.source_updated_at
    from line_totals
    inner join order_facts
        on line_totals.order_id = order_facts.order_id
    left join shipment_facts
        on line_totals.order_id = shipment_facts.order_id

),

orders_converted as (

    select
        orders_joined.*,
        cast(orders_joined.shipping_charged_local * order_fx.rate_to_reporting as {{ type_money() }})
            as shipping_charged_amount,
        cast(orders_joined.payment_fee_amount_local * order_fx.rate_to_reporting as {{ type_money() }})
            as payment_fee_amount,
        cast(
            coalesce(orders_joined.shipping_cost_local, 0) * coalesce(shipping_fx.rate_to_reporting, 0)
            as {{ type_money() }}
        ) as shipping_cost_amount,
        order_fx.rate_to_reporting as fx_rate_to_reporting
    from orders_joined
    left join fx_rates as order_fx
        on
            orders_joined.order_date = order_fx.rate_date
            and orders_joined.currency_code = order_fx.currency_code
    left join fx_rates as shipping_fx
        on
            orders_joined.order_date = shipping_fx.rate_date
            and orders_joined.shipping_cost_currency_code = shipping_fx.currency_code

),

orders_enriched as (

    select
        order_id,
        sales_channel,
        source_order_id,
        shopify_customer_id,
        email_hash,
        phone_hash,
        amazon_buyer_id,
        purchase_anonymous_id_type,
        purchase_anonymous_id,
        shipping_country_code,
        source_name,
        order_status,
        utm_source,
        utm_medium,
        utm_campaign,
        discount_code,
        currency_code,
        is_cancelled,
        is_delivered,
        order_lines,
        units,
        gross_amount_local,
        discount_amount_local,
        refund_amount_local,
        return_amount_local,
        tax_amount_local,
        net_revenue_local,
        shipping_charged_local,
        payment_fee_amount_local,
        marketplace_fee_amount_local,
        shipping_cost_currency_code,
        shipping_cost_local,
        gross_amount,
        discount_amount,
        refund_amount,
        return_amount,
        tax_amount,
        net_revenue,
        marketplace_fee_amount,
        cogs_amount,
        order_date,
        ordered_at,
        first_shipped_at,
        delivered_at,
        source_updated_at,
        shipping_charged_amount,
        payment_fee_amount,
        shipping_cost_amount,
        fx_rate_to_reporting,
        cast(
            net_revenue - cogs_amount - shipping_cost_amount - payment_fee_amount - marketplace_fee_amount
            as {{ type_money() }}
        ) as contribution_before_ad_spend,
        delivered_at is not null
        and delivered_at <= {{ dbt.dateadd('day', 7, 'ordered_at') }} as is_delivered_within_7_days
    from orders_converted

)

select * from orders_enriched
