{%- set src = source('tiktok_ads', 'advertisers') -%}

with

source as (
    select * from {{ src }}
),

renamed as (
    select
        cast(advertiser_id as {{ dbt.type_string() }}) as advertiser_id,
        {{ column_or_null(src, 'advertiser_name') }} as advertiser_name,
        upper(currency) as currency_code,
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
            partition by advertiser_id
            order by source_load_id desc, source_row_id desc
        ) as version_rank
    from renamed
)

select
    advertiser_id,
    advertiser_name,
    currency_code,
    account_timezone,
    loaded_at
from ranked
where version_rank = 1
