{#-
    Person resolution (docs/decisions.md, "Identity: facts resolve through the current map"):
    the first identifier of the order that the current identity map knows and that is not a
    super identifier, in the order Shopify customer id, e-mail, phone, Amazon buyer proxy,
    device of the purchase event. An order with none of them is a person of its own.
    person_order_number counts the person's orders before the warehouse's history too
    (int_orders__prior_history: the storefront's customer records), so a customer who had bought
    before the data began has no first order here.
-#}
with

orders as (

    select * from {{ ref('int_orders__enriched') }}

),

prior_history as (

    select * from {{ ref('int_orders__prior_history') }}

),

identity_map as (

    select
        identifier_type,
        identifier,
        person_id
    from {{ ref('int_identity__map') }}
    where not is_super_identifier

),

orders_resolved as (

    select
        orders.*,
        coalesce(
            by_customer.person_id,
            by_email.person_id,
            by_phone.person_id,
            by_amazon_buyer.person_id,
            by_device.person_id,
            {{ dbt.hash(dbt.concat(["'order:'", 'orders.order_id'])) }}
        ) as person_id
    from orders
    left join identity_map as by_customer
        on
            orders.shopify_customer_id = by_customer.identifier
            and by_customer.identifier_type = 'shopify_customer_id'
    left join identity_map as by_email
        on
            orders.email_hash = by_email.identifier
            and by_email.identifier_type = 'email'
    left join identity_map as by_phone
        on
            orders.phone_hash = by_phone.identifier
            and by_phone.identifier_type = 'phone'
    left join identity_map as by_amazon_buyer
        on
            orders.amazon_buyer_id = by_amazon_buyer.identifier
            and by_amazon_buyer.identifier_type = 'amazon_buyer_id'
    left join identity_map as by_device
        on
            orders.purchase_anonymous_id = by_device.identifier
            and orders.purchase_anonymous_id_type = by_device.identifier_type

),

orders_sequenced as (

    select
        orders_resolved.*,
        coalesce(prior_history.prior_order_count, 0) as prior_order_count,
        case
            when not orders_resolved.is_cancelled
                then
                    coalesce(prior_history.prior_order_count, 0)
                    + row_number() over (
                        partition by orders_resolved.person_id, orders_resolved.is_cancelled
                        order by orders_resolved.ordered_at asc, orders_resolved.order_id asc
                    )
        end as person_order_number
    from orders_resolved
    left join prior_history
        on orders_resolved.person_id = prior_history.person_id

),

final as (

    select
        order_id,
        person_id,
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
        prior_order_count,
        person_order_number,
        coalesce(person_order_number = 1, false) as is_first_order,
        is_cancelled,
        is_delivered,
        is_delivered_within_7_days,
        order_lines,
        units,
        gross_amount_local,
        discount_amount_local,
        refund_amount_local,
        return_amount_local,
        tax_amount_local,
        net_revenue_local,
        shipping_charged_local,
        fx_rate_to_reporting,
        gross_amount,
        discount_amount,
        refund_amount,
        return_amount,
        tax_amount,
        net_revenue,
        shipping_charged_amount,
        shipping_cost_amount,
        payment_fee_amount,
        marketplace_fee_amount,
        cogs_amount,
        contribution_before_ad_spend,
        order_date,
        ordered_at,
        first_shipped_at,
        delivered_at,
        source_updated_at
    from orders_sequenced

)

select * from final
