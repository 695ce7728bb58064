with

discount_codes as (
    select * from {{ source('shopify', 'orders__discount_codes') }}
),

orders as (
    select
        order_id,
        source_row_id,
        currency_code
    from {{ ref('base_shopify__orders') }}
    where quarantine_rule is null
),

renamed as (
    select
        {{ compound_key(['orders.order_id', 'discount_codes._dlt_list_idx']) }} as order_discount_code_id,
        orders.order_id,
        upper(trim(discount_codes.code)) as discount_code,
        discount_codes.type as discount_type,
        orders.currency_code,
        {{ parse_money('discount_codes.amount') }} as discount_amount_local
    from discount_codes
    inner join orders
        on discount_codes._dlt_parent_id = orders.source_row_id
)

select
    order_discount_code_id,
    order_id,
    discount_code,
    discount_type,
    currency_code,
    discount_amount_local
from renamed
