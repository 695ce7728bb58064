{%- set customers = source('shopify', 'customers') -%}

with

source as (
    select * from {{ customers }}
),

renamed as (
    select
        id as customer_id,
        {{ dbt.concat(["'u_'", dbt.safe_cast('id', dbt.type_string())]) }} as login_user_id,
        {{ hash_email('email') }} as email_hash,
        {{ hash_phone(column_or_null(customers, 'phone')) }} as phone_hash,
        upper({{ column_or_null(customers, 'default_address__country_code') }}) as country_code,
        state as account_state,
        {{ column_or_null(customers, 'verified_email', dbt.type_boolean()) }} as is_email_verified,
        {{ column_or_null(customers, 'accepts_marketing', dbt.type_boolean()) }} as accepts_marketing,
        {{ column_or_null(customers, 'email_marketing_consent__state') }} as email_marketing_consent_state,
        {{ column_or_null(customers, 'email_marketing_consent__opt_in_level') }} as email_marketing_opt_in_level,
        {{ column_or_null(customers, 'tags') }} as customer_tags,
        cast({{ column_or_null(customers, 'orders_count', dbt.type_bigint()) }} as {{ dbt.type_int() }}) as orders_count,
        {{ as_utc_timestamp(
            column_or_null(customers, 'email_marketing_consent__consent_updated_at')
        ) }} as email_marketing_consent_updated_at,
        {{ as_utc_timestamp('created_at') }} as created_at,
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
            partition by customer_id
            order by updated_at desc, source_load_id desc, source_row_id desc
        ) as version_rank
    from renamed
)

select
    customer_id,
    login_user_id,
    email_hash,
    phone_hash,
    country_code,
    account_state,
    is_email_verified,
    accepts_marketing,
    email_marketing_consent_state,
    email_marketing_opt_in_level,
    customer_tags,
    orders_count,
    email_marketing_consent_updated_at,
    created_at,
    updated_at,
    loaded_at
from ranked
where version_rank = 1
