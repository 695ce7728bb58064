{%- set variants = source('shopify', 'products__variants') -%}

with

variants as (
    select * from {{ variants }}
),

products as (
    select
        id as product_id,
        _dlt_id as product_row_id,
        row_number() over (
            partition by id
            order by {{ as_utc_timestamp('updated_at') }} desc, _dlt_load_id desc, _dlt_id desc
        ) as version_rank
    from {{ source('shopify', 'products') }}
),

latest_products as (
    select * from products
    where version_rank = 1
),

renamed as (
    select
        variants.id as variant_id,
        latest_products.product_id,
        variants.sku,
        {{ column_or_null(variants, 'option1') }} as variant_option,
        {{ column_or_null(variants, 'inventory_item_id', dbt.type_bigint()) }} as inventory_item_id,
        {{ parse_money('variants.price') }} as price_local,
        {{ parse_money(column_or_null(variants, 'cost')) }} as unit_cost_local,
        '{{ var("shopify_shop_currency") }}' as currency_code
    from variants
    inner join latest_products
        on variants._dlt_parent_id = latest_products.product_row_id
)

select
    variant_id,
    product_id,
    sku,
    variant_option,
    inventory_item_id,
    price_local,
    unit_cost_local,
    currency_code
from renamed
