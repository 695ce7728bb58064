{%- set creators = source('creators', 'creators') -%}

with

source as (
    select * from {{ creators }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as creator_id,
        handle as creator_handle,
        platform as social_platform,
        upper({{ column_or_null(creators, 'affiliate_code') }}) as affiliate_code,
        tier as creator_tier,
        upper({{ column_or_null(creators, 'country') }}) as country_code,
        cast({{ column_or_null(creators, 'followers', dbt.type_bigint()) }} as {{ dbt.type_bigint() }}) as followers,
        {{ as_utc_timestamp('updated_at') }} as updated_at,
        {{ dlt_loaded_at() }} as loaded_at,
        _dlt_load_id as source_load_id,
        _dlt_id as source_row_id
    from source
),

ranked as (
    select
        *,
        row_number() over (
            partition by creator_id
            order by updated_at desc, source_load_id desc, source_row_id desc
        ) as version_rank
    from renamed
)

select
    creator_id,
    creator_handle,
    social_platform,
    affiliate_code,
    creator_tier,
    country_code,
    followers,
    updated_at,
    loaded_at
from ranked
where version_rank = 1
