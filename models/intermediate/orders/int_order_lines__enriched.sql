{#-
    Shopify line items and Amazon order items in one shape, with the money split the way
    DESIGN.md section 6 defines it: gross (excl. tax), discounts, refunds and returns (excl. tax),
    tax separately, COGS, marketplace fees; converted to the reporting currency at the FX rate of
    the order date (UTC), original-currency amounts kept with suffix _local.
    Tax-inclusive prices (Shopify `taxes_included`) are brought to tax-exclusive amounts by
    dividing by (1 + the line's total tax rate); see docs/decisions.md, "Orders: money".
-#}
with

shopify_orders as (

    select * from {{ ref('stg_shopify__orders') }}

),

shopify_lines as (

    select * from {{ ref('stg_shopify__order_lines') }}

),

shopify_line_taxes as (

    select * from {{ ref('stg_shopify__order_line_taxes') }}

),

shopify_refund_lines as (

    select * from {{ ref('stg_shopify__refund_lines') }}

),

shopify_refunds as (

    select * from {{ ref('stg_shopify__refunds') }}

),

amazon_orders as (

    select * from {{ ref('stg_amazon_sp__orders') }}

),

amazon_items as (

    select * from {{ ref('stg_amazon_sp__order_items') }}

),

amazon_returns as (

    select * from {{ ref('stg_amazon_sp__returns') }}

),

variants as (

    select * from {{ ref('stg_shopify__product_variants') }}

),

variants_by_sku as (

    select
        sku,
        min(product_id) as product_id,
        min(variant_id) as variant_id,
        min(unit_cost_local) as unit_cost_local,
        min(currency_code) as currency_code
    from variants
    group by sku

),

fx_rates as (

    select
        rate_date,
        currency_code,
        rate_to_reporting
    from {{ ref('int_fx_rates__daily') }}

),

shopify_taxes_per_line as (

    select
        order_line_id,
        cast(sum(tax_amount_local) as {{ type_money() }}) as tax_amount_local,
        sum(tax_rate) as tax_rate
    from shopify_line_taxes
    group by order_line_id

),

shopify_refunds_per_line as (

    select
        shopify_refund_lines.order_line_id,
        cast(sum(shopify_refund_lines.subtotal_local) as {{ type_money() }}) as refund_amount_local,
        cast(sum(shopify_refund_lines.quantity) as {{ dbt.type_bigint() }}) as refunded_quantity,
        max(shopify_refunds.created_at) as last_refunded_at
    from shopify_refund_lines
    left join shopify_refunds
        on shopify_refund_lines.refund_id = shopify_refunds.refund_id
    group by shopify_refund_lines.order_line_id

),

shopify_order_lines as (

    select
        {{ dbt.concat(["'shopify:'", dbt.safe_cast('shopify_lines.order_line_id', dbt.type_string())]) }}
            as order_line_id,
        {{ dbt.concat(["'shopify:'", dbt.safe_cast('shopify_orders.order_id', dbt.type_string())]) }}
            as order_id,
        'shopify' as sales_channel,
        cast(shopify_orders.order_id as {{ dbt.type_string() }}) as source_order_id,
        cast(shopify_lines.product_id as {{ dbt.type_string() }}) as product_id,
        cast(shopify_lines.variant_id as {{ dbt.type_string() }}) as variant_id,
        shopify_lines.sku,
        case
            when shopify_orders.customer_id is not null then 'shopify_customer_id'
            when shopify_orders.email_hash is not null then 'email'
        end as customer_identifier_type,
        coalesce(
            cast(shopify_orders.customer_id as {{ dbt.type_string() }}),
            shopify_orders.email_hash
        ) as customer_identifier,
        shopify_orders.shipping_country_code,
        shopify_lines.currency_code,
        shopify_orders.is_cancelled,
        shopify_lines.quantity,
        coalesce(shopify_refunds_per_line.refunded_quantity, 0) as refunded_quantity,
        cast(0 as {{ dbt.type_bigint() }}) as returned_quantity,
        case
            when shopify_orders.is_tax_included
                then 1 / (1 + coalesce(shopify_taxes_per_line.tax_rate, 0))
            else 1
        end as tax_exclusion_factor,
        shopify_lines.gross_amount_local as gross_amount_as_charged_local,
        coalesce(shopify_lines.total_discount_local, 0) as discount_amount_as_charged_local,
        coalesce(shopify_refunds_per_line.refund_amount_local, 0) as refund_amount_as_charged_local,
        cast(0 as {{ type_money() }}) as return_amount_as_charged_local,
        coalesce(shopify_taxes_per_line.tax_amount_local, 0) as tax_amount_local,
        cast(0 as {{ type_money() }}) as marketplace_fee_amount_local,
        shopify_orders.created_at as ordered_at,
        case
            when shopify_refunds_per_line.last_refunded_at > shopify_orders.updated_at
                then shopify_refunds_per_line.last_refunded_at
            else shopify_orders.updated_at
        end as source_updated_at
    from shopify_lines
    inner join shopify_orders
        on shopify_lines.order_id = shopify_orders.order_id
    left join shopify_taxes_per_line
        on shopify_lines.order_line_id = shopify_taxes_per_line.order_line_id
    left join shopify_refunds_per_line
        on shopify_lines.order_line_id = shopify_refunds_per_line.order_line_id

),

amazon_returns_per_item as (

    select
        amazon_order_id,
        sku,
        cast(sum(refund_amount_local) as {{ type_money() }}) as return_amount_local,
        cast(sum(quantity) as {{ dbt.type_bigint() }}) as returned_quantity,
        max(updated_at) as last_returned_at
    from amazon_returns
    group by
        amazon_order_id,
        sku

),

amazon_order_lines as (

    select
        {{ dbt.concat([
            "'amazon:'", 'amazon_items.amazon_order_id', "':'",
            dbt.safe_cast('amazon_items.order_item_id', dbt.type_string()),
        ]) }} as order_line_id,
        {{ dbt.concat(["'amazon:'", 'amazon_items.amazon_order_id']) }} as order_id,
        'amazon' as sales_channel,
        amazon_items.amazon_order_id as source_order_id,
        cast(variants.product_id as {{ dbt.type_string() }}) as product_id,
        cast(variants.variant_id as {{ dbt.type_string() }}) as variant_id,
        amazon_items.sku,
        case when amazon_orders.amazon_buyer_id is not null then 'amazon_buyer_id' end as customer_identifier_type,
        amazon_orders.amazon_buyer_id as customer_identifier,
        amazon_orders.shipping_country_code,
        amazon_items.currency_code,
        amazon_orders.is_cancelled,
        amazon_items.quantity,
        cast(0 as {{ dbt.type_bigint() }}) as refunded_quantity,
        coalesce(amazon_returns_per_item.returned_quantity, 0) as returned_quantity,
        1 as tax_exclusion_factor,
        amazon_items.item_price_local as gross_amount_as_charged_local,
        coalesce(amazon_items.promotion_discount_local, 0) as discount_amount_as_charged_local,
        cast(0 as {{ type_money() }}) as refund_amount_as_charged_local,
        coalesce(amazon_returns_per_item.return_amount_local, 0) as return_amount_as_charged_local,
        coalesce(amazon_items.item_tax_local, 0) as tax_amount_local,
        coalesce(amazon_items.referral_fee_local, 0) as marketplace_fee_amount_local,
        amazon_orders.purchased_at as ordered_at,
        case
            when amazon_returns_per_item.last_returned_at > amazon_orders.updated_at
                then amazon_returns_per_item.last_returned_at
            else amazon_orders.updated_at
        end as source_updated_at
    from amazon_items
    inner join amazon_orders
        on amazon_items.amazon_order_id = amazon_orders.amazon_order_id
    left join amazon_returns_per_item
        on
            amazon_items.amazon_order_id = amazon_returns_per_item.amazon_order_id
            and amazon_items.sku = amazon_returns_per_item.sku
    left join variants_by_sku as variants
        on amazon_items.sku = variants.sku

),

order_lines as (

    select * from shopify_order_lines
    union all
    select * from amazon_order_lines

),

order_lines_excl_tax as (

    select
        order_lines.*,
        cast(order_lines.ordered_at as date) as order_date,
        {#- tax-inclusive: gross takes the rounding so that gross - discount = charged - reported tax #}
        cast(
            case
                when order_lines.tax_exclusion_factor < 1
                    then
                        order_lines.gross_amount_as_charged_local
                        - order_lines.discount_amount_as_charged_local
                        - order_lines.tax_amount_local
                        + order_lines.discount_amount_as_charged_local * order_lines.tax_exclusion_factor
                else order_lines.gross_amount_as_charged_local
            end
            as {{ type_money() }}
        ) as gross_amount_local,
        cast(
            order_lines.discount_amount_as_charged_local * order_lines.tax_exclusion_factor as {{ type_money() }}
        ) as discount_amount_local,
        cast(
            order_lines.refund_amount_as_charged_local * order_lines.tax_exclusion_factor as {{ type_money() }}
        ) as refund_amount_local,
        cast(
            order_lines.return_amount_as_charged_local * order_lines.tax_exclusion_factor as {{ type_money() }}
        ) as return_amount_local
    from order_lines

),

order_lines_with_cost as (

    select
        order_lines_excl_tax.*,
        variants.unit_cost_local,
        variants.currency_code as cost_currency_code
    from order_lines_excl_tax
    left join variants_by_sku as variants
        on order_lines_excl_tax.sku = variants.sku

),

converted as (

    select
        order_lines_with_cost.order_line_id,
        order_lines_with_cost.order_id,
        order_lines_with_cost.sales_channel,
        order_lines_with_cost.source_order_id,
        order_lines_with_cost.product_id,
        order_lines_with_cost.variant_id,
        order_lines_with_cost.sku,
        order_lines_with_cost.customer_identifier_type,
        order_lines_with_cost.customer_identifier,
        order_lines_with_cost.shipping_country_code,
        order_lines_with_cost.currency_code,
        order_lines_with_cost.is_cancelled,
        order_lines_with_cost.quantity,
        order_lines_with_cost.refunded_quantity,
        order_lines_with_cost.returned_quantity,
        order_lines_with_cost.gross_amount_local,
        order_lines_with_cost.discount_amount_local,
        order_lines_with_cost.refund_amount_local,
        order_lines_with_cost.return_amount_local,
        order_lines_with_cost.tax_amount_local,
        order_lines_with_cost.marketplace_fee_amount_local,
        cast(
            case
                when order_lines_with_cost.is_cancelled then 0
                else
                    order_lines_with_cost.gross_amount_local
                    - order_lines_with_cost.discount_amount_local
                    - order_lines_with_cost.refund_amount_local
                    - order_lines_with_cost.return_amount_local
            end
            as {{ type_money() }}
        ) as net_revenue_local,
        order_fx.rate_to_reporting as fx_rate_to_reporting,
        cast(order_lines_with_cost.gross_amount_local * order_fx.rate_to_reporting as {{ type_money() }})
            as gross_amount,
        cast(order_lines_with_cost.discount_amount_local * order_fx.rate_to_reporting as {{ type_money() }})
            as discount_amount,
        cast(order_lines_with_cost.refund_amount_local * order_fx.rate_to_reporting as {{ type_money() }})
            as refund_amount,
        cast(order_lines_with_cost.return_amount_local * order_fx.rate_to_reporting as {{ type_money() }})
            as return_amount,
        cast(order_lines_with_cost.tax_amount_local * order_fx.rate_to_reporting as {{ type_money() }})
            as tax_amount,
        cast(
            order_lines_with_cost.marketplace_fee_amount_local * order_fx.rate_to_reporting as {{ type_money() }}
        ) as marketplace_fee_amount,
        cast(
            case
                when order_lines_with_cost.is_cancelled then 0
                else
                    (
                        order_lines_with_cost.gross_amount_local
                        - order_lines_with_cost.discount_amount_local
                        - order_lines_with_cost.refund_amount_local
                        - order_lines_with_cost.return_amount_local
                    ) * order_fx.rate_to_reporting
            end
            as {{ type_money() }}
        ) as net_revenue,
        cast(
            order_lines_with_cost.quantity * order_lines_with_cost.unit_cost_local * cost_fx.rate_to_reporting
            as {{ type_money() }}
        ) as cogs_amount,
        order_lines_with_cost.order_date,
        order_lines_with_cost.ordered_at,
        order_lines_with_cost.source_updated_at
    from order_lines_with_cost
    left join fx_rates as order_fx
        on
            order_lines_with_cost.order_date = order_fx.rate_date
            and order_lines_with_cost.currency_code = order_fx.currency_code
    left join fx_rates as cost_fx
        on
            order_lines_with_cost.order_date = cost_fx.rate_date
            and order_lines_with_cost.cost_currency_code = cost_fx.currency_code

)

select * from converted
