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

{#-
    Sessions of the late-arriving window are rebuilt on every run; older sessions whose
    identifiers now resolve to another person (a login that reached back in time) are
    re-merged with the new person_id.
-#}
{%- set window_start = incremental_window_start('session_start_date') -%}
{%- set session_columns = [
    'session_id', 'person_id', 'anonymous_id_type', 'anonymous_id', 'login_user_id',
    'purchase_transaction_id', 'platform', 'device_category', 'operating_system', 'country_code',
    'channel', 'channel_group', 'paid_owned_earned', 'is_paid', 'channel_match_field',
    'channel_match_value', 'landing_page_url', 'referrer_host', 'utm_source', 'utm_medium',
    'utm_campaign', 'gclid', 'fbclid', 'ttclid', 'is_bot_session', 'has_bot_user_agent',
    'has_inhuman_pace', 'distinct_login_user_ids', 'events', 'page_views', 'item_views',
    'add_to_carts', 'checkouts', 'purchases', 'logins', 'duration_seconds', 'session_start_at',
    'session_end_at', 'session_start_date',
] -%}

with

sessions as (

    select * from {{ ref('int_sessions__classified') }}
    {%- if window_start is not none %}
    where session_start_date >= {{ window_start }}
    {%- endif %}

),

identity_map as (

    select
        identifier_type,
        identifier,
        person_id
    from {{ ref('int_identity__map') }}

),

sessions_resolved as (

    select
        sessions.*,
        coalesce(by_login.person_id, by_device.person_id) as person_id
    from sessions
    left join identity_map as by_login
        on
            by_login.identifier_type = 'login_user_id'
            and sessions.login_user_id = by_login.identifier
    left join identity_map as by_device
        on
            sessions.anonymous_id_type = by_device.identifier_type
            and sessions.anonymous_id = by_device.identifier

),

{% if window_start is not none %}
existing_sessions as (

    select * from {{ this }}
    where session_start_date < {{ window_start }}

),

existing_sessions_re_resolved as (

    select
        existing_sessions.*,
        coalesce(by_login.person_id, by_device.person_id) as current_person_id
    from existing_sessions
    left join identity_map as by_login
        on
            by_login.identifier_type = 'login_user_id'
            and existing_sessions.login_user_id = by_login.identifier
    left join identity_map as by_device
        on
            existing_sessions.anonymous_id_type = by_device.identifier_type
            and existing_sessions.anonymous_id = by_device.identifier

),

sessions_in_batch as (

    select
        {{ session_columns | join(',\n        ') }}
    from sessions_resolved

    union all

    select
        {{ session_columns | join(',\n        ') | replace('person_id,', 'current_person_id as person_id,', 1) }}
    from existing_sessions_re_resolved
    where person_id <> current_person_id

),
{% else %}
sessions_in_batch as (

    select * from sessions_resolved

),
{% endif %}

final as (

    select
        {{ session_columns | join(',\n        ') }}
    from sessions_in_batch

)

select * from final
