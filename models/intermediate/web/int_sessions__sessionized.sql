{{
    config(
        materialized='incremental',
        unique_key='session_id',
        incremental_strategy='replace_window',
        late_window_column='session_start_date',
        on_schema_change='fail',
        post_hook="{{ report_rows_affected() }}",
    )
}}

{%- set window_start = incremental_window_start('session_start_date') -%}
{%- set timeout_minutes = var('session_timeout_minutes', 30) -%}

with

events as (

    select
        event_id,
        event_name,
        anonymous_id,
        anonymous_id_type,
        login_user_id,
        platform,
        device_category,
        operating_system,
        user_agent,
        country_code,
        page_url,
        referrer_host,
        utm_source,
        utm_medium,
        utm_campaign,
        gclid,
        fbclid,
        ttclid,
        transaction_id,
        event_at
    from {{ ref('stg_web_events__events') }}
    where anonymous_id is not null
        {% if window_start is not none %}
        and event_at >= {{ dbt.dateadd('day', -1, window_start) }}
        {% endif %}

),

events_with_previous as (

    select
        *,
        lag(event_at) over (
            partition by anonymous_id
            order by event_at, event_id
        ) as previous_event_at
    from events

),

events_flagged as (

    select
        *,
        case
            when previous_event_at is null then 1
            when event_at > {{ dbt.dateadd('minute', timeout_minutes, 'previous_event_at') }} then 1
            else 0
        end as is_session_start
    from events_with_previous

),

events_numbered as (

    select
        *,
        sum(is_session_start) over (
            partition by anonymous_id
            order by event_at, event_id
            rows between unbounded preceding and current row
        ) as session_number
    from events_flagged

),

events_in_sessions as (

    select
        *,
        min(event_at) over (partition by anonymous_id, session_number) as session_start_at,
        row_number() over (
            partition by anonymous_id, session_number
            order by event_at, event_id
        ) as event_sequence
    from events_numbered

),

events_with_session_key as (

    select
        *,
        {{ dbt.concat(['anonymous_id', "'|'", dbt.safe_cast('session_start_at', dbt.type_string())]) }}
            as session_key
    from events_in_sessions

),

events_keyed as (

    select
        *,
        {{ dbt.hash('session_key') }} as session_id,
        {{ dbt.datediff('previous_event_at', 'event_at', 'second') }}
            as seconds_since_previous_event
    from events_with_session_key

),

landing_events as (

    select
        session_id,
        anonymous_id_type,
        platform,
        device_category,
        operating_system,
        user_agent,
        country_code,
        page_url as landing_page_url,
        referrer_host,
        utm_source,
        utm_medium,
        utm_campaign,
        gclid,
        fbclid,
        ttclid
    from events_keyed
    where event_sequence = 1

),

session_activity as (

    select
        session_id,
        anonymous_id,
        min(login_user_id) as login_user_id,
        count(distinct login_user_id) as distinct_login_user_ids,
        min(transaction_id) as purchase_transaction_id,
        count(*) as events,
        cast(sum(case when event_name = 'page_view' then 1 else 0 end) as {{ dbt.type_bigint() }}) as page_views,
        cast(sum(case when event_name = 'view_item' then 1 else 0 end) as {{ dbt.type_bigint() }}) as item_views,
        cast(sum(case when event_name = 'add_to_cart' then 1 else 0 end) as {{ dbt.type_bigint() }}) as add_to_carts,
        cast(sum(case when event_name = 'begin_checkout' then 1 else 0 end) as {{ dbt.type_bigint() }}) as checkouts,
        cast(sum(case when event_name = 'purchase' then 1 else 0 end) as {{ dbt.type_bigint() }}) as purchases,
        cast(sum(case when event_name = 'login' then 1 else 0 end) as {{ dbt.type_bigint() }}) as logins,
        cast(sum(
            case when event_sequence > 1 and seconds_since_previous_event < 1 then 1 else 0 end
        ) as {{ dbt.type_bigint() }}) as sub_second_events,
        min(event_at) as session_start_at,
        max(event_at) as session_end_at
    from events_keyed
    group by
        session_id,
        anonymous_id

),

sessions as (

    select
        session_activity.session_id,
        session_activity.anonymous_id,
        landing_events.anonymous_id_type,
        session_activity.login_user_id,
        session_activity.distinct_login_user_ids,
        session_activity.purchase_transaction_id,
        landing_events.platform,
        landing_events.device_category,
        landing_events.operating_system,
        landing_events.user_agent,
        landing_events.country_code,
        landing_events.landing_page_url,
        landing_events.referrer_host,
        landing_events.utm_source,
        landing_events.utm_medium,
        landing_events.utm_campaign,
        landing_events.gclid,
        landing_events.fbclid,
        landing_events.ttclid,
        session_activity.events,
        session_activity.page_views,
        session_activity.item_views,
        session_activity.add_to_carts,
        session_activity.checkouts,
        session_activity.purchases,
        session_activity.logins,
        session_activity.sub_second_events,
        {{ dbt.datediff('session_activity.session_start_at', 'session_activity.session_end_at', 'second') }}
            as duration_seconds,
        session_activity.session_start_at,
        session_activity.session_end_at,
        cast(session_activity.session_start_at as date) as session_start_date
    from session_activity
    inner join landing_events
        on session_activity.session_id = landing_events.session_id
    {%- if window_start is not none %}
    where session_activity.session_start_at >= cast({{ window_start }} as {{ dbt.type_timestamp() }})
    {%- endif %}

),

sessions_with_bot_signals as (

    select
        *,
        {{ is_bot_user_agent('user_agent') }} as has_bot_user_agent,
        (
            events >= {{ var('bot_min_events', 20) }}
            and events * 60 > {{ var('bot_max_events_per_minute', 30) }} * greatest(duration_seconds, 1)
        )
        or sub_second_events >= {{ var('bot_min_sub_second_events', 5) }} as has_inhuman_pace
    from sessions

),

sessions_classified as (

    select
        session_id,
        anonymous_id,
        anonymous_id_type,
        login_user_id,
        distinct_login_user_ids,
        purchase_transaction_id,
        platform,
        device_category,
        operating_system,
        user_agent,
        country_code,
        landing_page_url,
        referrer_host,
        utm_source,
        utm_medium,
        utm_campaign,
        gclid,
        fbclid,
        ttclid,
        events,
        page_views,
        item_views,
        add_to_carts,
        checkouts,
        purchases,
        logins,
        sub_second_events,
        duration_seconds,
        session_start_at,
        session_end_at,
        session_start_date,
        has_bot_user_agent,
        has_inhuman_pace,
        has_bot_user_agent or has_inhuman_pace as is_bot_session
    from sessions_with_bot_signals

)

select * from sessions_classified
