{%- set src = source('tiktok_ads', 'adgroups') -%}

with

source as (
    select * from {{ src }}
),

renamed as (
    select
        cast(adgroup_id as {{ dbt.type_string() }}) as ad_group_id,
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast({{ column_or_null(src, 'advertiser_id') }} as {{ dbt.type_string() }}) as advertiser_id,
        {{ column_or_null(src, 'adgroup_name') }} as ad_group_name,
        {{ column_or_null(src, 'operation_status') }} as ad_group_status,
        {{ dlt_loaded_at() }} as loaded_at,
        _dlt_load_id as source_load_id,
        _dlt_id as source_row_id
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by ad_group_id
            order by source_load_id desc, source_row_id desc
        ) as version_rank
    from renamed
)

select
    ad_group_id,
    campaign_id,
    advertiser_id,
    ad_group_name,
    ad_group_status,
    loaded_at
from ranked
where version_rank = 1
