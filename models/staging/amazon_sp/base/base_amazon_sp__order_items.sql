{%- set order_items = source('amazon_sp', 'orders__order_items') -%}

with

order_items as (
    select * from {{ order_items }}
),

orders as (
    select
        amazon_order_id,
        source_row_id,
        currency_code as order_currency_code,
        order_status,
        quarantine_rule as order_quarantine_rule,
        updated_at as order_updated_at,
        loaded_at
    from {{ ref('base_amazon_sp__orders') }}
),

renamed as (
    select
        order_items.order_item_id,
        orders.amazon_order_id,
        order_items.asin,
        order_items.seller_sku as sku,
        {{ column_or_null(order_items, 'title', qualifier='order_items') }} as product_title,
        orders.order_status,
        upper(coalesce(
            {{ column_or_null(order_items, 'item_price__currency_code', qualifier='order_items') }},
            orders.order_currency_code
        )) as currency_code,
        orders.order_quarantine_rule,
        cast(order_items.quantity_ordered as {{ dbt.type_int() }}) as quantity,
        {{ parse_money(column_or_null(order_items, 'item_price__amount', qualifier='order_items')) }} as item_price_local,
        {{ parse_money(column_or_null(order_items, 'item_tax__amount', qualifier='order_items')) }} as item_tax_local,
        {{ parse_money(column_or_null(order_items, 'promotion_discount__amount', qualifier='order_items')) }} as promotion_discount_local,
        {{ parse_money(column_or_null(order_items, 'shipping_price__amount', qualifier='order_items')) }} as shipping_price_local,
        {{ parse_money(column_or_null(order_items, 'referral_fee__amount', qualifier='order_items')) }} as referral_fee_local,
        orders.order_updated_at,
        orders.loaded_at,
        order_items._dlt_id as source_row_id
    from order_items
    inner join orders
        on order_items._dlt_parent_id = orders.source_row_id
),

ranked as (
    select
        *,
        row_number() over (
            partition by amazon_order_id, order_item_id
            order by order_updated_at desc, source_row_id desc
        ) as version_rank
    from renamed
),

checked as (
    select
        *,
        case
            when quantity <= 0 and order_status != 'Canceled' then 'non_positive_quantity'
            when
                item_price_local < 0
                or item_tax_local < 0
                or promotion_discount_local < 0
                or shipping_price_local < 0
                or referral_fee_local < 0
                then 'negative_amount'
        end as quarantine_rule
    from ranked
    where version_rank = 1
)

select
    {{ compound_key(['amazon_order_id', 'order_item_id']) }} as amazon_order_item_key,
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
    order_updated_at,
    loaded_at,
    order_quarantine_rule,
    quarantine_rule,
    case
        when quarantine_rule = 'non_positive_quantity'
            then {{ dbt.concat(["'quantity '", dbt.safe_cast('quantity', dbt.type_string())]) }}
        when quarantine_rule = 'negative_amount'
            then {{ dbt.concat(["'item_price_local '", dbt.safe_cast('item_price_local', dbt.type_string())]) }}
    end as quarantine_details
from checked
