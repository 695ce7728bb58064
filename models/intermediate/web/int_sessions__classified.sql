{#-
    One row per web/app session with the channel of its landing, from the `channel_mapping` seed: every rule the landing
    matches is a candidate (click id present, utm_medium / utm_source equal, referrer host
    containing the pattern, or the catch-all `direct`), and the lowest `priority` wins. A
    referrer on the shop's own host is internal navigation, not a referral.
-#}
with

sessions as (

    select * from {{ ref('int_sessions__sessionized') }}

),

channel_mapping as (

    select * from {{ ref('channel_mapping') }}

),

sessions_with_external_referrer as (

    select
        session_id,
        session_start_date,
        utm_source,
        utm_medium,
        gclid,
        fbclid,
        ttclid,
        case
            when referrer_host = {{ url_host('landing_page_url') }} then null
            else referrer_host
        end as external_referrer_host
    from sessions

),

candidate_channels as (

    select
        sessions_with_external_referrer.session_id,
        sessions_with_external_referrer.session_start_date,
        channel_mapping.priority,
        channel_mapping.match_field,
        channel_mapping.match_value,
        channel_mapping.channel,
        channel_mapping.channel_group,
        channel_mapping.paid_owned_earned,
        channel_mapping.is_paid
    from sessions_with_external_referrer
    inner join channel_mapping
        on
            (
                channel_mapping.match_field = 'click_id'
                and (
                    (channel_mapping.match_value = 'gclid' and sessions_with_external_referrer.gclid is not null)
                    or (channel_mapping.match_value = 'fbclid' and sessions_with_external_referrer.fbclid is not null)
                    or (channel_mapping.match_value = 'ttclid' and sessions_with_external_referrer.ttclid is not null)
                )
            )
            or (
                channel_mapping.match_field = 'utm_medium'
                and sessions_with_external_referrer.utm_medium = channel_mapping.match_value
            )
            or (
                channel_mapping.match_field = 'utm_source'
                and sessions_with_external_referrer.utm_source = channel_mapping.match_value
            )
            or (
                channel_mapping.match_field = 'referrer_domain'
                and sessions_with_external_referrer.external_referrer_host is not null
                and (
                    channel_mapping.match_value = '*'
                    or {{ dbt.position('channel_mapping.match_value', 'sessions_with_external_referrer.external_referrer_host') }} > 0
                )
            )
            or channel_mapping.match_field = 'direct'

),

ranked_channels as (

    select
        *,
        row_number() over (
            partition by session_start_date, session_id
            order by priority
        ) as channel_rank
    from candidate_channels

),

session_channels as (

    select
        session_id,
        channel,
        channel_group,
        paid_owned_earned,
        is_paid,
        match_field as channel_match_field,
        match_value as channel_match_value,
        priority as channel_rule_priority
    from ranked_channels
    where channel_rank = 1

),

sessions_classified as (

    select
        sessions.session_id,
        sessions.anonymous_id,
        sessions.anonymous_id_type,
        sessions.login_user_id,
        sessions.distinct_login_user_ids,
        sessions.purchase_transaction_id,
        sessions.platform,
        sessions.device_category,
        sessions.operating_system,
        sessions.user_agent,
        sessions.country_code,
        sessions.landing_page_url,
        sessions.referrer_host,
        sessions.utm_source,
        sessions.utm_medium,
        sessions.utm_campaign,
        sessions.gclid,
        sessions.fbclid,
        sessions.ttclid,
        sessions.events,
        sessions.page_views,
        sessions.item_views,
        sessions.add_to_carts,
        sessions.checkouts,
        sessions.purchases,
        sessions.logins,
        sessions.sub_second_events,
        sessions.duration_seconds,
        sessions.session_start_at,
        sessions.session_end_at,
        sessions.session_start_date,
        sessions.has_bot_user_agent,
        sessions.has_inhuman_pace,
        sessions.is_bot_session,
        session_channels.channel,
        session_channels.channel_group,
        session_channels.paid_owned_earned,
        session_channels.is_paid,
        session_channels.channel_match_field,
        session_channels.channel_match_value,
        session_channels.channel_rule_priority
    from sessions
    inner join session_channels
        on sessions.session_id = session_channels.session_id

)

select * from sessions_classified
