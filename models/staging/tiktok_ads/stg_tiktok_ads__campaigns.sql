{%- set src = source('tiktok_ads', 'campaigns') -%}

with

source as (
    select * from {{ src }}
),

renamed as (
    select
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(advertiser_id as {{ dbt.type_string() }}) as advertiser_id,
        campaign_name,
        {{ column_or_null(src, 'objective_type') }} as campaign_objective,
        {{ column_or_null(src, 'operation_status') }} as campaign_status,
        {{ dlt_loaded_at() }} as loaded_at,
        _dlt_load_id as source_load_id,
        _dlt_id as source_row_id
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by campaign_id
            order by source_load_id desc, source_row_id desc
        ) as version_rank
    from renamed
)

select
    campaign_id,
    advertiser_id,
    campaign_name,
    campaign_objective,
    campaign_status,
    loaded_at
from ranked
where version_rank = 1
