with

products as (

    select * from {{ ref('stg_shopify__products') }}

),

variants as (

    select * from {{ ref('stg_shopify__product_variants') }}

),

fx_rates as (

    select
        rate_date,
        currency_code,
        rate_to_reporting
    from {{ ref('int_fx_rates__daily') }}
    where rate_date = {{ as_of_date() }}

),

variant_summary as (

    select
        variants.product_id,
        count(*) as variants,
        min(variants.sku) as first_sku,
        min(variants.currency_code) as currency_code,
        min(variants.price_local) as min_price_local,
        max(variants.price_local) as max_price_local,
        avg(variants.unit_cost_local) as average_unit_cost_local
    from variants
    group by variants.product_id

),

final as (

    select
        cast(products.product_id as {{ dbt.type_string() }}) as product_id,
        products.product_title,
        products.product_type,
        products.vendor,
        products.product_status,
        coalesce(variant_summary.variants, 0) as variants,
        variant_summary.first_sku,
        variant_summary.currency_code,
        variant_summary.min_price_local,
        variant_summary.max_price_local,
        cast(variant_summary.average_unit_cost_local as {{ type_money() }}) as average_unit_cost_local,
        cast(
            variant_summary.average_unit_cost_local * fx_rates.rate_to_reporting as {{ type_money() }}
        ) as average_unit_cost,
        products.created_at,
        products.updated_at
    from products
    left join variant_summary
        on products.product_id = variant_summary.product_id
    left join fx_rates
        on variant_summary.currency_code = fx_rates.currency_code

)

select * from final
