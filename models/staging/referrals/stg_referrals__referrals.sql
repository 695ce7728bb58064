{%- set referrals = source('referrals', 'referrals') -%}

with

source as (
    select * from {{ referrals }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as referral_id,
        {{ column_or_null(referrals, 'referrer_customer_id', dbt.type_bigint()) }} as referrer_customer_id,
        {{ column_or_null(referrals, 'referee_customer_id', dbt.type_bigint()) }} as referee_customer_id,
        {{ column_or_null(referrals, 'converted_order_id', dbt.type_bigint()) }} as converted_order_id,
        {{ hash_email(column_or_null(referrals, 'referrer_email')) }} as referrer_email_hash,
        {{ hash_email(column_or_null(referrals, 'referee_email')) }} as referee_email_hash,
        upper(code) as referral_code,
        {{ column_or_null(referrals, 'share_channel') }} as share_channel,
        upper({{ column_or_null(referrals, 'currency') }}) as currency_code,
        {{ parse_money(column_or_null(referrals, 'reward_amount')) }} as reward_amount_local,
        {{ as_utc_timestamp('shared_at') }} as shared_at,
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
            partition by referral_id
            order by updated_at desc, source_load_id desc, source_row_id desc
        ) as version_rank
    from renamed
)

select
    referral_id,
    referrer_customer_id,
    referee_customer_id,
    converted_order_id,
    referrer_email_hash,
    referee_email_hash,
    referral_code,
    share_channel,
    converted_order_id is not null as is_converted,
    currency_code,
    reward_amount_local,
    shared_at,
    updated_at,
    loaded_at
from ranked
where version_rank = 1
