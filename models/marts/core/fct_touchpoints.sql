{{
    config(
        materialized='incremental',
        unique_key='touchpoint_id',
        incremental_strategy='replace_window',
        late_window_column='touchpoint_date',
        on_schema_change='fail',
        post_hook="{{ report_rows_affected() }}",
    )
}}

{#-
    Person resolution: login user id, then Shopify customer id, then e-mail hash, then the
    device, each through the current identity map. Touchpoints of the late-arriving window are
    rebuilt; older ones whose identifiers now resolve to another person are re-merged.
-#}
{%- set window_start = incremental_window_start('touchpoint_date') -%}
{%- set touchpoint_columns = [
    'touchpoint_id', 'person_id', 'touchpoint_type', 'session_id', 'order_id', 'anonymous_id_type',
    'anonymous_id', 'login_user_id', 'shopify_customer_id', 'email_hash', 'channel', 'channel_group',
    'paid_owned_earned', 'is_paid', 'utm_source', 'utm_medium', 'utm_campaign', 'click_id_type',
    'referrer_host', 'email_campaign_id', 'creator_id', 'affiliate_code', 'country_code',
    'device_category', 'is_bot_session', 'touchpoint_at', 'touchpoint_date',
] -%}

{%- set person_lookups = [
    ['by_login', "'login_user_id'", 'login_user_id'],
    ['by_customer', "'shopify_customer_id'", 'shopify_customer_id'],
    ['by_email', "'email'", 'email_hash'],
    ['by_device', 'anonymous_id_type', 'anonymous_id'],
] -%}

with

touchpoints as (

    select * from {{ ref('int_touchpoints__unioned') }}
    {%- if window_start is not none %}
    where touchpoint_date >= {{ window_start }}
    {%- endif %}

),

identity_map as (

    select
        identifier_type,
        identifier,
        person_id
    from {{ ref('int_identity__map') }}

),

touchpoints_resolved as (

    select
        touchpoints.*,
        {{ person_lookup_coalesce(person_lookups) }} as person_id
    from touchpoints
    {{ person_lookup_joins('touchpoints', person_lookups) }}

),

{% if window_start is not none %}
existing_touchpoints as (

    select * from {{ this }}
    where touchpoint_date < {{ window_start }}

),

existing_touchpoints_re_resolved as (

    select
        existing_touchpoints.*,
        {{ person_lookup_coalesce(person_lookups) }} as current_person_id
    from existing_touchpoints
    {{ person_lookup_joins('existing_touchpoints', person_lookups) }}

),

touchpoints_in_batch as (

    select
        {{ touchpoint_columns | join(',\n        ') }}
    from touchpoints_resolved

    union all

    select
        {{ touchpoint_columns | join(',\n        ') | replace('person_id,', 'current_person_id as person_id,', 1) }}
    from existing_touchpoints_re_resolved
    where person_id is distinct from current_person_id

),
{% else %}
touchpoints_in_batch as (

    select * from touchpoints_resolved

),
{% endif %}

final as (

    select
        {{ touchpoint_columns | join(',\n        ') }}
    from touchpoints_in_batch

)

select * from final
