{{
    config(
        materialized='incremental',
        unique_key='order_line_id',
        incremental_strategy='replace_window',
        on_schema_change='fail',
        post_hook="{{ report_rows_affected() }}",
    )
}}

{#-
    Incremental by the source's update time: an order line is recomputed when its order, a
    refund or a return of it changed within the late-arriving window; lines whose order now
    resolves to another person (a new identity link) are re-merged with the new person_id.
-#}
{%- set window_start = incremental_window_start('source_updated_at') -%}

with

order_lines as (

    select * from {{ ref('int_order_lines__enriched') }}

),

orders as (

    select
        order_id,
        person_id
    from {{ ref('fct_orders') }}

),

{% if window_start is not none %}
changed_lines as (

    select order_lines.*
    from order_lines
    where order_lines.source_updated_at >= cast({{ window_start }} as {{ dbt.type_timestamp() }})

),

existing_lines as (

    select * from {{ this }}

),

lines_with_new_person as (

    select
        existing_lines.order_line_id,
        orders.person_id
    from existing_lines
    inner join orders
        on existing_lines.order_id = orders.order_id
    where
        existing_lines.person_id <> orders.person_id
        and existing_lines.order_line_id not in (select changed_lines.order_line_id from changed_lines)

),

lines_in_batch as (

    select changed_lines.*
    from changed_lines

    union all

    select order_lines.*
    from order_lines
    inner join lines_with_new_person
        on order_lines.order_line_id = lines_with_new_person.order_line_id

),
{% else %}
lines_in_batch as (

    select * from order_lines

),
{% endif %}

final as (

    select
        lines_in_batch.order_line_id,
        lines_in_batch.order_id,
        orders.person_id,
        lines_in_batch.sales_channel,
        lines_in_batch.source_order_id,
        lines_in_batch.product_id,
        lines_in_batch.variant_id,
        lines_in_batch.sku,
        lines_in_batch.customer_identifier_type,
        lines_in_batch.customer_identifier,
        lines_in_batch.shipping_country_code,
        lines_in_batch.currency_code,
        lines_in_batch.is_cancelled,
        lines_in_batch.quantity,
        lines_in_batch.refunded_quantity,
        lines_in_batch.returned_quantity,
        lines_in_batch.gross_amount_local,
        lines_in_batch.discount_amount_local,
        lines_in_batch.refund_amount_local,
        lines_in_batch.return_amount_local,
        lines_in_batch.tax_amount_local,
        lines_in_batch.marketplace_fee_amount_local,
        lines_in_batch.net_revenue_local,
        lines_in_batch.fx_rate_to_reporting,
        lines_in_batch.gross_amount,
        lines_in_batch.discount_amount,
        lines_in_batch.refund_amount,
        lines_in_batch.return_amount,
        lines_in_batch.tax_amount,
        lines_in_batch.marketplace_fee_amount,
        lines_in_batch.net_revenue,
        lines_in_batch.cogs_amount,
        lines_in_batch.order_date,
        lines_in_batch.ordered_at,
        lines_in_batch.source_updated_at
    from lines_in_batch
    inner join orders
        on lines_in_batch.order_id = orders.order_id

)

select * from final
