{%- set refunds = source('shopify', 'orders__refunds') -%}

with

refunds as (
    select * from {{ refunds }}
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
        refunds.id as refund_id,
        orders.order_id,
        {{ column_or_null(refunds, 'note', qualifier='refunds') }} as refund_note,
        orders.currency_code,
        {{ as_utc_timestamp('refunds.created_at') }} as created_at
    from refunds
    inner join orders
        on refunds._dlt_parent_id = orders.source_row_id
),

ranked as (
    select
        *,
        row_number() over (
            partition by refund_id
            order by created_at desc
        ) as version_rank
    from renamed
)

select
    refund_id,
    order_id,
    refund_note,
    currency_code,
    created_at
from ranked
where version_rank = 1
