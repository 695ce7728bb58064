{%- set transactions = source('shopify', 'orders__refunds__transactions') -%}

with

transactions as (
    select * from {{ transactions }}
),

refunds as (
    select * from {{ source('shopify', 'orders__refunds') }}
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
        {{ compound_key(['refunds.id', 'transactions._dlt_list_idx']) }} as refund_transaction_id,
        {{ column_or_null(transactions, 'id', dbt.type_bigint(), 'transactions') }} as shopify_transaction_id,
        refunds.id as refund_id,
        orders.order_id,
        transactions.kind as transaction_kind,
        orders.currency_code,
        {{ parse_money('transactions.amount') }} as amount_local
    from transactions
    inner join refunds
        on transactions._dlt_parent_id = refunds._dlt_id
    inner join orders
        on refunds._dlt_parent_id = orders.source_row_id
)

select
    refund_transaction_id,
    shopify_transaction_id,
    refund_id,
    order_id,
    transaction_kind,
    currency_code,
    amount_local
from renamed
