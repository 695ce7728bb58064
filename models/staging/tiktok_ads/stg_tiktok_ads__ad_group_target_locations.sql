with

location_codes as (
    {{ select_dlt_value_list(source('tiktok_ads', 'adgroups__location_codes')) }}
),

ad_groups as (
    select
        cast(adgroup_id as {{ dbt.type_string() }}) as ad_group_id,
        _dlt_id as ad_group_row_id,
        row_number() over (
            partition by adgroup_id
            order by _dlt_load_id desc, _dlt_id desc
        ) as version_rank
    from {{ source('tiktok_ads', 'adgroups') }}
),

latest_ad_groups as (
    select * from ad_groups
    where version_rank = 1
),

renamed as (
    select
        {{ compound_key(['latest_ad_groups.ad_group_id', 'upper(location_codes.value)']) }} as ad_group_target_location_id,
        latest_ad_groups.ad_group_id,
        upper(location_codes.value) as location_code
    from location_codes
    inner join latest_ad_groups
        on location_codes._dlt_parent_id = latest_ad_groups.ad_group_row_id
)

select distinct
    ad_group_target_location_id,
    ad_group_id,
    location_code
from renamed
