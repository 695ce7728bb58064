{%- set members = source('loyalty', 'members') -%}

with

source as (
    select * from {{ members }}
),

renamed as (
    select
        cast(member_id as {{ dbt.type_string() }}) as member_id,
        {{ column_or_null(members, 'shopify_customer_id', dbt.type_bigint()) }} as shopify_customer_id,
        {{ hash_email('email') }} as email_hash,
        {{ hash_email(column_or_null(members, 'amazon_buyer_email')) }} as amazon_buyer_id,
        tier as loyalty_tier,
        {{ safe_integer(column_or_null(members, 'points_balance')) }} as points_balance,
        {{ as_utc_timestamp(column_or_null(members, 'joined_at')) }} as joined_at,
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
            partition by member_id
            order by updated_at desc, source_load_id desc, source_row_id desc
        ) as version_rank
    from renamed
)

select
    member_id,
    shopify_customer_id,
    email_hash,
    amazon_buyer_id,
    loyalty_tier,
    points_balance,
    joined_at,
    updated_at,
    loaded_at
from ranked
where version_rank = 1
