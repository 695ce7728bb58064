{%- set ad_groups = source('google_ads', 'ad_groups') -%}

with

source as (
    select * from {{ ad_groups }}
),

renamed as (
    select
        cast(ad_group__id as {{ dbt.type_string() }}) as ad_group_id,
        cast(campaign__id as {{ dbt.type_string() }}) as campaign_id,
        cast({{ column_or_null(ad_groups, 'customer__id') }} as {{ dbt.type_string() }}) as account_id,
        {{ column_or_null(ad_groups, 'ad_group__name') }} as ad_group_name,
        {{ column_or_null(ad_groups, 'ad_group__status') }} as ad_group_status,
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
    account_id,
    ad_group_name,
    ad_group_status,
    loaded_at
from ranked
where version_rank = 1
