{%- set profiles = source('email', 'profiles') -%}

with

source as (
    select * from {{ profiles }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as email_profile_id,
        {{ hash_email(column_or_null(profiles, 'attributes__email')) }} as email_hash,
        {{ hash_phone(column_or_null(profiles, 'attributes__phone_number')) }} as phone_hash,
        upper({{ column_or_null(profiles, 'attributes__location__country') }}) as country_code,
        upper({{ column_or_null(profiles, 'attributes__subscriptions__email__marketing__consent') }}) as email_marketing_consent,
        {{ as_utc_timestamp(
            column_or_null(profiles, 'attributes__subscriptions__email__marketing__timestamp')
        ) }} as email_marketing_consent_at,
        {{ as_utc_timestamp(column_or_null(profiles, 'attributes__created')) }} as created_at,
        {{ as_utc_timestamp(column_or_null(profiles, 'attributes__updated')) }} as updated_at,
        {{ dlt_loaded_at() }} as loaded_at,
        _dlt_load_id as source_load_id,
        _dlt_id as source_row_id
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by email_profile_id
            order by updated_at desc, source_load_id desc, source_row_id desc
        ) as version_rank
    from renamed
)

select
    email_profile_id,
    email_hash,
    phone_hash,
    country_code,
    email_marketing_consent,
    email_marketing_consent_at,
    created_at,
    updated_at,
    loaded_at
from ranked
where version_rank = 1
