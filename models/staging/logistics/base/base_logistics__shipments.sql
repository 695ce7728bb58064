{%- set shipments = source('logistics', 'shipments') -%}

with

source as (
    select * from {{ shipments }}
),

renamed as (
    select
        cast(shipment_id as {{ dbt.type_string() }}) as shipment_id,
        order_ref,
        {{ dbt.split_part('order_ref', "':'", 1) }} as order_source,
        {{ dbt.split_part('order_ref', "':'", 2) }} as source_order_id,
        carrier,
        {{ column_or_null(shipments, 'origin_warehouse') }} as origin_warehouse,
        upper(destination_country) as destination_country_code,
        status as shipment_status,
        upper({{ column_or_null(shipments, 'currency') }}) as currency_code,
        {{ parse_money(column_or_null(shipments, 'cost')) }} as shipping_cost_local,
        {{ as_utc_timestamp(column_or_null(shipments, 'shipped_at')) }} as shipped_at,
        {{ as_utc_timestamp(column_or_null(shipments, 'delivered_at')) }} as delivered_at,
        {{ as_utc_timestamp('updated_at') }} as updated_at,
        {{ dlt_loaded_at() }} as loaded_at,
        _dlt_load_id as source_load_id,
        _dlt_id as source_row_id
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by shipment_id
            order by updated_at desc, source_load_id desc, source_row_id desc
        ) as version_rank
    from renamed
),

checked as (
    select
        *,
        case
            when delivered_at < shipped_at then 'delivered_before_shipped'
            when shipping_cost_local < 0 then 'negative_amount'
            when shipped_at >= {{ as_of_end_at() }} or delivered_at >= {{ as_of_end_at() }} then 'date_after_as_of'
        end as quarantine_rule
    from ranked
    where version_rank = 1
)

select
    shipment_id,
    order_ref,
    order_source,
    source_order_id,
    carrier,
    origin_warehouse,
    destination_country_code,
    shipment_status,
    currency_code,
    shipping_cost_local,
    shipped_at,
    delivered_at,
    updated_at,
    loaded_at,
    quarantine_rule,
    case
        when quarantine_rule in ('delivered_before_shipped', 'date_after_as_of')
            then {{ dbt.concat([
                "'shipped_at '", dbt.safe_cast('shipped_at', dbt.type_string()),
                "' delivered_at '", dbt.safe_cast('delivered_at', dbt.type_string()),
            ]) }}
        when quarantine_rule = 'negative_amount'
            then {{ dbt.concat(["'shipping_cost_local '", dbt.safe_cast('shipping_cost_local', dbt.type_string())]) }}
    end as quarantine_details
from checked
