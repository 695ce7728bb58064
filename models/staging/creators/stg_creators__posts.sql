{%- set posts = source('creators', 'posts') -%}

with

source as (
    select * from {{ posts }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as post_id,
        cast(creator_id as {{ dbt.type_string() }}) as creator_id,
        platform as social_platform,
        {{ column_or_null(posts, 'url') }} as post_url,
        upper({{ column_or_null(posts, 'affiliate_code') }}) as affiliate_code,
        {{ column_or_null(posts, 'landing_url') }} as landing_url,
        {{ url_parameter(column_or_null(posts, 'landing_url'), 'utm_source') }} as utm_source,
        {{ url_parameter(column_or_null(posts, 'landing_url'), 'utm_medium') }} as utm_medium,
        {{ url_parameter(column_or_null(posts, 'landing_url'), 'utm_campaign') }} as utm_campaign,
        {{ safe_integer(column_or_null(posts, 'reach')) }} as reach,
        {{ safe_integer(column_or_null(posts, 'likes')) }} as likes,
        {{ safe_integer(column_or_null(posts, 'comments')) }} as comments,
        {{ safe_integer(column_or_null(posts, 'shares')) }} as shares,
        {{ safe_integer(column_or_null(posts, 'saves')) }} as saves,
        {{ safe_integer(column_or_null(posts, 'video_views')) }} as video_views,
        {{ safe_integer(column_or_null(posts, 'video_completions')) }} as video_completions,
        {{ as_utc_timestamp('posted_at') }} as posted_at,
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
            partition by post_id
            order by updated_at desc, source_load_id desc, source_row_id desc
        ) as version_rank
    from renamed
)

select
    post_id,
    creator_id,
    social_platform,
    post_url,
    affiliate_code,
    landing_url,
    utm_source,
    utm_medium,
    utm_campaign,
    reach,
    likes,
    comments,
    shares,
    saves,
    video_views,
    video_completions,
    posted_at,
    updated_at,
    loaded_at
from ranked
where version_rank = 1
