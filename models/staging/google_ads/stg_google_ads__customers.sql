{%- set customers = source('google_ads', 'customers') -%}

with

source as (
    select * from {{ customers }}
),

renamed as (
    select
        cast(customer__id as {{ dbt.type_string() }}) as account_id,
        {{ column_or_null(customers, 'customer__descriptive_name') }} as account_name,
        upper(customer__currency_code) as currency_code,
        customer__time_zone as account_timezone,
        {{ dlt_loaded_at() }} as loaded_at,
        _dlt_load_id as source_load_id,
        _dlt_id as source_row_id
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by account_id
            order by source_load_id desc, source_row_id desc
        ) as version_rank
    from renamed
)

select
    account_id,
    account_name,
    currency_code,
    account_timezone,
    loaded_at
from ranked
where version_rank = 1
