{%- set orders = source('amazon_sp', 'orders') -%}

with

source as (
    select * from {{ orders }}
),

renamed as (
    select
        amazon_order_id,
        _dlt_id as source_row_id,
        {{ hash_email(column_or_null(orders, 'buyer_info__buyer_email')) }} as amazon_buyer_id,
        marketplace_id,
        sales_channel,
        fulfillment_channel,
        order_status,
        upper({{ column_or_null(orders, 'shipping_address__country_code') }}) as shipping_country_code,
        upper({{ column_or_null(orders, 'order_total__currency_code') }}) as currency_code,
        {{ parse_money(column_or_null(orders, 'order_total__amount')) }} as order_total_local,
        {{ as_utc_timestamp('purchase_date') }} as purchased_at,
        {{ as_utc_timestamp('last_update_date') }} as updated_at,
        {{ dlt_loaded_at() }} as loaded_at,
        _dlt_load_id as source_load_id
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by amazon_order_id
            order by updated_at desc, source_load_id desc, source_row_id desc
        ) as version_rank
    from renamed
),

checked as (
    select
        *,
        case
            when purchased_at >= {{ as_of_end_at() }} then 'date_after_as_of'
            when order_total_local < 0 then 'negative_amount'
        end as quarantine_rule
    from ranked
    where version_rank = 1
)

select
    amazon_order_id,
    source_row_id,
    amazon_buyer_id,
    marketplace_id,
    sales_channel,
    fulfillment_channel,
    order_status,
    shipping_country_code,
    currency_code,
    order_total_local,
    purchased_at,
    updated_at,
    loaded_at,
    quarantine_rule,
    case
        when quarantine_rule = 'date_after_as_of'
            then {{ dbt.concat(["'purchased_at '", dbt.safe_cast('purchased_at', dbt.type_string())]) }}
        when quarantine_rule = 'negative_amount'
            then {{ dbt.concat(["'order_total_local '", dbt.safe_cast('order_total_local', dbt.type_string())]) }}
    end as quarantine_details
from checked
