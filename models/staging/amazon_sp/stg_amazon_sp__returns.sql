{%- set returns = source('amazon_sp', 'returns') -%}

with

source as (
    select * from {{ returns }}
),

renamed as (
    select
        return_id,
        amazon_order_id,
        seller_sku as sku,
        asin,
        {{ column_or_null(returns, 'reason') }} as return_reason,
        {{ column_or_null(returns, 'status') }} as return_status,
        upper({{ column_or_null(returns, 'refund_amount__currency_code') }}) as currency_code,
        cast(quantity as {{ dbt.type_int() }}) as quantity,
        {{ parse_money(column_or_null(returns, 'refund_amount__amount')) }} as refund_amount_local,
        {{ as_utc_timestamp('return_date') }} as returned_at,
        {{ as_utc_timestamp('last_update_date') }} as updated_at,
        {{ dlt_loaded_at() }} as loaded_at,
        _dlt_load_id as source_load_id,
        _dlt_id as source_row_id
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by return_id
            order by updated_at desc, source_load_id desc, source_row_id desc
        ) as version_rank
    from renamed
)

select
    return_id,
    amazon_order_id,
    sku,
    asin,
    return_reason,
    return_status,
    currency_code,
    quantity,
    refund_amount_local,
    returned_at,
    updated_at,
    loaded_at
from ranked
where version_rank = 1
