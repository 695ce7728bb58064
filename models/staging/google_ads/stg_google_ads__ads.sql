{%- set ads = source('google_ads', 'ads') -%}

with

source as (
    select * from {{ ads }}
),

renamed as (
    select
        cast(ad_group_ad__ad__id as {{ dbt.type_string() }}) as ad_id,
        cast(ad_group__id as {{ dbt.type_string() }}) as ad_group_id,
        cast({{ column_or_null(ads, 'campaign__id') }} as {{ dbt.type_string() }}) as campaign_id,
        cast({{ column_or_null(ads, 'customer__id') }} as {{ dbt.type_string() }}) as account_id,
        {{ column_or_null(ads, 'ad_group_ad__ad__name') }} as ad_name,
        {{ column_or_null(ads, 'ad_group_ad__ad__type') }} as ad_type,
        {{ column_or_null(ads, 'ad_group_ad__status') }} as ad_status,
        {{ dlt_loaded_at() }} as loaded_at,
        _dlt_load_id as source_load_id,
        _dlt_id as source_row_id
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by ad_id
            order by source_load_id desc, source_row_id desc
        ) as version_rank
    from renamed
)

select
    ad_id,
    ad_group_id,
    campaign_id,
    account_id,
    ad_name,
    ad_type,
    ad_status,
    loaded_at
from ranked
where version_rank = 1
