{#-
    One row per consent signal about an identifier: the privacy platform's consent changes
    (email_marketing, personalised_ads, analytics), Shopify's e-mail marketing consent state,
    the e-mail tool's subscription state and its "Unsubscribed" events. `is_granted` is null when
    the signal says "never asked" (Shopify not_subscribed, Klaviyo NEVER_SUBSCRIBED).
-#}
with

consent_events as (

    select * from {{ ref('stg_privacy__consent_events') }}

),

shopify_customers as (

    select * from {{ ref('stg_shopify__customers') }}

),

email_profiles as (

    select * from {{ ref('stg_email__profiles') }}

),

email_events as (

    select * from {{ ref('stg_email__events') }}

),

privacy_platform_signals as (

    select
        'email' as identifier_type,
        email_hash as identifier,
        consent_purpose,
        is_granted,
        'privacy_platform' as signal_source,
        changed_at as signal_at
    from consent_events
    where email_hash is not null

    union all

    select
        'shopify_customer_id' as identifier_type,
        cast(shopify_customer_id as {{ dbt.type_string() }}) as identifier,
        consent_purpose,
        is_granted,
        'privacy_platform' as signal_source,
        changed_at as signal_at
    from consent_events
    where shopify_customer_id is not null

),

shopify_signals as (

    select
        'shopify_customer_id' as identifier_type,
        cast(customer_id as {{ dbt.type_string() }}) as identifier,
        'email_marketing' as consent_purpose,
        case lower(email_marketing_consent_state)
            when 'subscribed' then true
            when 'unsubscribed' then false
        end as is_granted,
        'shopify' as signal_source,
        coalesce(email_marketing_consent_updated_at, updated_at) as signal_at
    from shopify_customers
    where email_marketing_consent_state is not null

),

email_tool_signals as (

    select
        'email' as identifier_type,
        email_hash as identifier,
        'email_marketing' as consent_purpose,
        case upper(email_marketing_consent)
            when 'SUBSCRIBED' then true
            when 'UNSUBSCRIBED' then false
        end as is_granted,
        'email_tool' as signal_source,
        coalesce(email_marketing_consent_at, updated_at) as signal_at
    from email_profiles
    where
        email_hash is not null
        and email_marketing_consent is not null

    union all

    select
        'email' as identifier_type,
        email_hash as identifier,
        'email_marketing' as consent_purpose,
        false as is_granted,
        'email_tool_unsubscribe' as signal_source,
        occurred_at as signal_at
    from email_events
    where
        email_hash is not null
        and event_type = 'Unsubscribed'

),

signals as (

    select * from privacy_platform_signals
    union all
    select * from shopify_signals
    union all
    select * from email_tool_signals

)

select * from signals
