{#-
    One row per person known to have ordered before the warehouse's order history begins, with how
    many orders that was. Source: the storefront's customer records. Shopify's orders_count counts
    every order of the customer, the warehouse holds only the orders since its data began; the
    difference is the customer's history before it. Counted only for records created before the
    warehouse's first order: a customer created since has all their orders in the warehouse, and
    an orders_count ahead of them is an order the orders stream has not loaded yet, not history.
    Amazon buyers have no such record; their history starts with the data.
-#}
with

customers as (

    select
        cast(customer_id as {{ dbt.type_string() }}) as shopify_customer_id,
        orders_count,
        created_at
    from {{ ref('stg_shopify__customers') }}
    where orders_count > 0

),

orders_in_warehouse as (

    select
        shopify_customer_id,
        count(*) as orders
    from {{ ref('int_orders__enriched') }}
    where shopify_customer_id is not null
    group by shopify_customer_id

),

history_start as (

    select min(ordered_at) as first_ordered_at
    from {{ ref('int_orders__enriched') }}

),

identity_map as (

    select
        identifier,
        person_id
    from {{ ref('int_identity__map') }}
    where
        identifier_type = 'shopify_customer_id'
        and not is_super_identifier

),

prior_by_customer as (

    select
        identity_map.person_id,
        customers.shopify_customer_id,
        customers.orders_count - coalesce(orders_in_warehouse.orders, 0) as prior_orders
    from customers
    inner join identity_map
        on customers.shopify_customer_id = identity_map.identifier
    left join orders_in_warehouse
        on customers.shopify_customer_id = orders_in_warehouse.shopify_customer_id
    cross join history_start
    where
        customers.orders_count > coalesce(orders_in_warehouse.orders, 0)
        and customers.created_at < history_start.first_ordered_at

),

final as (

    select
        person_id,
        cast(sum(prior_orders) as {{ dbt.type_bigint() }}) as prior_order_count,
        count(*) as customer_records
    from prior_by_customer
    group by person_id

)

select * from final
