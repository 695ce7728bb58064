with

final_urls as (
    {{ select_dlt_value_list(source('google_ads', 'ads__ad_group_ad__ad__final_urls')) }}
),

ads as (
    select
        cast(ad_group_ad__ad__id as {{ dbt.type_string() }}) as ad_id,
        _dlt_id as ad_row_id,
        row_number() over (
            partition by ad_group_ad__ad__id
            order by _dlt_load_id desc, _dlt_id desc
        ) as version_rank
    from {{ source('google_ads', 'ads') }}
),

latest_ads as (
    select * from ads
    where version_rank = 1
),

renamed as (
    select
        {{ compound_key(['latest_ads.ad_id', 'final_urls._dlt_list_idx']) }} as ad_final_url_id,
        latest_ads.ad_id,
        final_urls._dlt_list_idx as url_position,
        final_urls.value as final_url,
        {{ url_parameter('final_urls.value', 'utm_source') }} as utm_source,
        {{ url_parameter('final_urls.value', 'utm_medium') }} as utm_medium,
        {{ url_parameter('final_urls.value', 'utm_campaign') }} as utm_campaign
    from final_urls
    inner join latest_ads
        on final_urls._dlt_parent_id = latest_ads.ad_row_id
)

select
    ad_final_url_id,
    ad_id,
    url_position,
    final_url,
    utm_source,
    utm_medium,
    utm_campaign
from renamed
