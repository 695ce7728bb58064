{%- set src = source('amazon_ads', 'profiles') -%}

with

source as (
    select * from {{ src }}
),

renamed as (
    select
        cast(profile_id as {{ dbt.type_string() }}) as profile_id,
        {{ column_or_null(src, 'account_info__marketplace_string_id') }} as marketplace_id,
        {{ column_or_null(src, 'account_info__name') }} as account_name,
        {{ column_or_null(src, 'account_info__type') }} as account_type,
        upper(country_code) as country_code,
        upper(currency_code) as currency_code,
        timezone as account_timezone,
        {{ dlt_loaded_at() }} as loaded_at,
        _dlt_load_id as source_load_id,
        _dlt_id as source_row_id
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by profile_id
            order by source_load_id desc, source_row_id desc
        ) as version_rank
    from renamed
)

select
    profile_id,
    marketplace_id,
    account_name,
    account_type,
    country_code,
    currency_code,
    account_timezone,
    loaded_at
from ranked
where version_rank = 1
