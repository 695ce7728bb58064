with

tax_lines as (
    select * from {{ source('shopify', 'orders__line_items__tax_lines') }}
),

order_lines as (
    select
        order_line_id,
        source_row_id,
        order_id,
        currency_code
    from {{ ref('base_shopify__order_lines') }}
    where
        quarantine_rule is null
        and order_quarantine_rule is null
),

renamed as (
    select
        {{ compound_key(['order_lines.order_line_id', 'tax_lines._dlt_list_idx']) }} as order_line_tax_id,
        order_lines.order_line_id,
        order_lines.order_id,
        tax_lines.title as tax_title,
        order_lines.currency_code,
        {{ safe_decimal('tax_lines.rate', 10, 6) }} as tax_rate,
        {{ parse_money('tax_lines.price') }} as tax_amount_local
    from tax_lines
    inner join order_lines
        on tax_lines._dlt_parent_id = order_lines.source_row_id
)

select
    order_line_tax_id,
    order_line_id,
    order_id,
    tax_title,
    currency_code,
    tax_rate,
    tax_amount_local
from renamed
