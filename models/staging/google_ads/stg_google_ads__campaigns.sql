{%- set campaigns = source('google_ads', 'campaigns') -%}

with

source as (
    select * from {{ campaigns }}
),

renamed as (
    select
        cast(campaign__id as {{ dbt.type_string() }}) as campaign_id,
        cast(customer__id as {{ dbt.type_string() }}) as account_id,
        campaign__name as campaign_name,
        {{ column_or_null(campaigns, 'campaign__status') }} as campaign_status,
        {{ column_or_null(campaigns, 'campaign__advertising_channel_type') }} as advertising_channel_type,
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
    account_id,
    campaign_name,
    campaign_status,
    advertising_channel_type,
    loaded_at
from ranked
where version_rank = 1
