with

actions as (
    select * from {{ source('meta_ads', 'insights_daily__actions') }}
),

action_values as (
    select * from {{ source('meta_ads', 'insights_daily__action_values') }}
),

{#- Schema drift: the thruplay list only exists from the drift day on, so read it only when dlt created it. #}
{%- set thruplay = source('meta_ads', 'insights_daily__video_thruplay_watched_actions') %}
{%- set has_thruplay = relation_exists(thruplay) %}
{%- if has_thruplay %}

thruplay_actions as (
    select * from {{ thruplay }}
),
{%- endif %}

insight_versions as (
    select
        _dlt_id,
        {{ as_date('date_start') }} as date_local,
        cast(ad_id as {{ dbt.type_string() }}) as ad_id,
        upper(country) as country_code,
        publisher_platform,
        row_number() over (
            partition by date_start, ad_id, country, publisher_platform
            order by _dlt_load_id desc, _dlt_id desc
        ) as version_rank
    from {{ source('meta_ads', 'insights_daily') }}
),

insights as (
    select * from insight_versions
    where version_rank = 1
),

actions_unioned as (
    select
        _dlt_parent_id,
        action_type,
        {{ safe_decimal('value') }} as action_count,
        cast(null as {{ type_money() }}) as action_value_local
    from actions

    union all

    select
        _dlt_parent_id,
        action_type,
        cast(null as {{ type_money() }}) as action_count,
        {{ parse_money('value') }} as action_value_local
    from action_values
    {%- if has_thruplay %}

    union all

    select
        _dlt_parent_id,
        'video_thruplay_watched' as action_type,
        {{ safe_decimal('value') }} as action_count,
        cast(null as {{ type_money() }}) as action_value_local
    from thruplay_actions
    {%- endif %}
),

aggregated as (
    select
        insights.date_local,
        insights.ad_id,
        insights.country_code,
        insights.publisher_platform,
        actions_unioned.action_type,
        sum(actions_unioned.action_count) as action_count,
        sum(actions_unioned.action_value_local) as action_value_local
    from actions_unioned
    inner join insights
        on actions_unioned._dlt_parent_id = insights._dlt_id
    group by
        insights.date_local,
        insights.ad_id,
        insights.country_code,
        insights.publisher_platform,
        actions_unioned.action_type
)

select
    {{ compound_key(['date_local', 'ad_id', 'country_code', 'publisher_platform']) }} as ad_metric_key,
    {{ compound_key(['date_local', 'ad_id', 'country_code', 'publisher_platform', 'action_type']) }} as insight_action_key,
    date_local,
    ad_id,
    country_code,
    publisher_platform,
    action_type,
    action_count,
    action_value_local
from aggregated
