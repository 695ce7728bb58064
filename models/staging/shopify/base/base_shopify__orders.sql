{%- set orders = source('shopify', 'orders') -%}

with

source as (
    select * from {{ orders }}
),

renamed as (
    select
        id as order_id,
        _dlt_id as source_row_id,
        name as order_name,
        customer__id as customer_id,
        cart_token,
        {{ hash_email('coalesce(email, customer__email)') }} as email_hash,
        {{ hash_phone(
            'coalesce(' ~ column_or_null(orders, 'phone') ~ ', ' ~ column_or_null(orders, 'customer__phone') ~ ')'
        ) }} as phone_hash,
        {{ hash_pii(dbt.concat([
            "lower(trim(coalesce(" ~ column_or_null(orders, 'shipping_address__address1') ~ ", '')))",
            "'|'",
            "lower(trim(coalesce(" ~ column_or_null(orders, 'shipping_address__zip') ~ ", '')))",
            "'|'",
            "coalesce(shipping_address__country_code, '')",
        ])) }} as shipping_address_hash,
        {{ hash_pii(column_or_null(orders, 'client_details__browser_ip')) }} as browser_ip_hash,
        upper(shipping_address__country_code) as shipping_country_code,
        upper({{ column_or_null(orders, 'billing_address__country_code') }}) as billing_country_code,
        upper(currency) as currency_code,
        upper(presentment_currency) as presentment_currency_code,
        financial_status,
        {{ column_or_null(orders, 'fulfillment_status') }} as fulfillment_status,
        {{ column_or_null(orders, 'cancel_reason') }} as cancel_reason,
        source_name,
        {{ column_or_null(orders, 'taxes_included', dbt.type_boolean()) }} as is_tax_included,
        landing_site,
        referring_site,
        {{ url_parameter('landing_site', 'utm_source') }} as utm_source,
        {{ url_parameter('landing_site', 'utm_medium') }} as utm_medium,
        {{ url_parameter('landing_site', 'utm_campaign') }} as utm_campaign,
        {{ url_parameter('landing_site', 'gclid') }} as gclid,
        {{ url_parameter('landing_site', 'fbclid') }} as fbclid,
        {{ url_parameter('landing_site', 'ttclid') }} as ttclid,
        {{ url_host('referring_site') }} as referrer_host,
        {{ parse_money('subtotal_price') }} as subtotal_price_local,
        {{ parse_money('total_discounts') }} as total_discounts_local,
        {{ parse_money('total_tax') }} as total_tax_local,
        {{ parse_money(column_or_null(orders, 'total_shipping_price')) }} as total_shipping_local,
        {{ parse_money('total_price') }} as total_price_local,
        {{ parse_money(column_or_null(orders, 'total_fees')) }} as total_fees_local,
        {{ as_utc_timestamp('created_at') }} as created_at,
        {{ as_utc_timestamp(column_or_null(orders, 'processed_at')) }} as processed_at,
        {{ as_utc_timestamp(column_or_null(orders, 'cancelled_at')) }} as cancelled_at,
        {{ as_utc_timestamp('updated_at') }} as updated_at,
        {{ dlt_loaded_at() }} as loaded_at,
        _dlt_load_id as source_load_id
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by order_id
            order by updated_at desc, source_load_id desc, source_row_id desc
        ) as version_rank
    from renamed
),

checked as (
    select
        *,
        case
            when created_at >= {{ as_of_end_at() }} then 'date_after_as_of'
            when
                subtotal_price_local < 0
                or total_discounts_local < 0
                or total_tax_local < 0
                or total_shipping_local < 0
                or total_price_local < 0
                then 'negative_amount'
        end as quarantine_rule
    from ranked
    where version_rank = 1
)

select
    order_id,
    source_row_id,
    order_name,
    customer_id,
    cart_token,
    email_hash,
    phone_hash,
    shipping_address_hash,
    browser_ip_hash,
    shipping_country_code,
    billing_country_code,
    currency_code,
    presentment_currency_code,
    financial_status,
    fulfillment_status,
    cancel_reason,
    source_name,
    is_tax_included,
    landing_site,
    referring_site,
    utm_source,
    utm_medium,
    utm_campaign,
    gclid,
    fbclid,
    ttclid,
    referrer_host,
    subtotal_price_local,
    total_discounts_local,
    total_tax_local,
    total_shipping_local,
    total_price_local,
    total_fees_local,
    created_at,
    processed_at,
    cancelled_at,
    updated_at,
    loaded_at,
    quarantine_rule,
    case
        when quarantine_rule = 'date_after_as_of'
            then {{ dbt.concat(["'created_at '", dbt.safe_cast('created_at', dbt.type_string())]) }}
        when quarantine_rule = 'negative_amount'
            then {{ dbt.concat(["'total_price_local '", dbt.safe_cast('total_price_local', dbt.type_string())]) }}
    end as quarantine_details
from checked
