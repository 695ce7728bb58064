with

target_countries as (
    {{ select_dlt_value_list(source('meta_ads', 'adsets__targeting__geo_locations__countries')) }}
),

adsets as (
    select
        cast(id as {{ dbt.type_string() }}) as adset_id,
        _dlt_id as adset_row_id,
        row_number() over (
            partition by id
            order by _dlt_load_id desc, _dlt_id desc
        ) as version_rank
    from {{ source('meta_ads', 'adsets') }}
),

latest_adsets as (
    select * from adsets
    where version_rank = 1
),

renamed as (
    select
        {{ compound_key(['latest_adsets.adset_id', 'upper(target_countries.value)']) }} as adset_target_country_id,
        latest_adsets.adset_id,
        upper(target_countries.value) as country_code
    from target_countries
    inner join latest_adsets
        on target_countries._dlt_parent_id = latest_adsets.adset_row_id
)

select distinct
    adset_target_country_id,
    adset_id,
    country_code
from renamed
