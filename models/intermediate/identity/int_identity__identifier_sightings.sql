{#-
    Every place an identifier shows up, one row per (record, identifier), before any linking.
    `record_key` groups the identifiers one record showed together: the observed links are the
    pairs within a record. A shared `record_key` is the only evidence of "same person" — never a
    referral or discount code.
-#}
with

web_events as (

    select * from {{ ref('stg_web_events__events') }}

),

shopify_customers as (

    select * from {{ ref('stg_shopify__customers') }}

),

shopify_orders as (

    select * from {{ ref('stg_shopify__orders') }}

),

amazon_orders as (

    select * from {{ ref('stg_amazon_sp__orders') }}

),

email_profiles as (

    select * from {{ ref('stg_email__profiles') }}

),

email_events as (

    select * from {{ ref('stg_email__events') }}

),

loyalty_members as (

    select * from {{ ref('stg_loyalty__members') }}

),

consent_events as (

    select * from {{ ref('stg_privacy__consent_events') }}

),

referrals as (

    select * from {{ ref('stg_referrals__referrals') }}

),

experiment_assignments as (

    select * from {{ ref('stg_experiments__assignments') }}

),

-- Web: a device seen logged in. Many events per device and day: one sighting per pair and day.
web_logins as (

    select
        {{ dbt.concat([
            "'web_login:'", 'anonymous_id', "'|'", 'login_user_id', "'|'",
            dbt.safe_cast('cast(event_at as date)', dbt.type_string()),
        ]) }} as login_record_key,
        anonymous_id_type,
        anonymous_id,
        login_user_id,
        min(event_at) as seen_at
    from web_events
    where login_user_id is not null
    group by
        anonymous_id_type,
        anonymous_id,
        login_user_id,
        cast(event_at as date),
        login_record_key

),

email_click_landings as (

    select
        web_events.event_id,
        web_events.anonymous_id_type,
        web_events.anonymous_id,
        email_profiles.email_hash,
        web_events.event_at as seen_at
    from web_events
    inner join email_profiles
        on {{ url_parameter('web_events.page_url', '_kx') }} = lower(email_profiles.email_profile_id)
    where
        {{ dbt.position("'_kx='", 'web_events.page_url') }} > 0
        and email_profiles.email_hash is not null

),

login_user_ids as (

    select
        login_user_id,
        seen_at
    from web_logins

    union all

    select
        login_user_id,
        assigned_at as seen_at
    from experiment_assignments
    where login_user_id is not null

),

web_login_customers as (

    select
        login_user_id,
        {{ dbt.split_part('login_user_id', "'u_'", 2) }} as shopify_customer_id,
        min(seen_at) as seen_at
    from login_user_ids
    where {{ dbt.position("'u_'", 'login_user_id') }} = 1
    group by login_user_id

),

web_devices as (

    select
        anonymous_id_type,
        anonymous_id,
        min(event_at) as first_seen_at,
        max(event_at) as last_seen_at
    from web_events
    where anonymous_id is not null
    group by
        anonymous_id_type,
        anonymous_id

),

device_id_patterns as (

    select
        identifier_type,
        anonymous_id_pattern
    from {{ ref('identifier_types') }}
    where anonymous_id_pattern is not null

),

-- a device id's type: as web events saw it; else recognised by its format (seed identifier_types); else cookie
assignments_typed as (

    select
        experiment_assignments.assignment_id,
        coalesce(
            web_devices.anonymous_id_type,
            (
                select min(device_id_patterns.identifier_type) as identifier_type
                from device_id_patterns
                where {{ regex_matches('experiment_assignments.anonymous_id', 'device_id_patterns.anonymous_id_pattern') }}
            ),
            'cookie'
        ) as anonymous_id_type,
        experiment_assignments.anonymous_id,
        experiment_assignments.login_user_id,
        experiment_assignments.assigned_at
    from experiment_assignments
    left join web_devices
        on experiment_assignments.anonymous_id = web_devices.anonymous_id

),

web_purchases as (

    select
        web_events.event_id,
        web_events.anonymous_id_type,
        web_events.anonymous_id,
        cast(shopify_orders.customer_id as {{ dbt.type_string() }}) as shopify_customer_id,
        shopify_orders.email_hash,
        web_events.event_at as seen_at
    from web_events
    inner join shopify_orders
        on web_events.transaction_id = cast(shopify_orders.order_id as {{ dbt.type_string() }})
    where web_events.event_name = 'purchase'

),

sightings as (

    -- device <-> login user id (one record per device, login and day)
    select
        login_record_key as record_key,
        'web_events' as evidence_source,
        anonymous_id_type as identifier_type,
        anonymous_id as identifier,
        seen_at
    from web_logins
    union all
    select
        login_record_key as record_key,
        'web_events' as evidence_source,
        'login_user_id' as identifier_type,
        login_user_id as identifier,
        seen_at
    from web_logins

    -- every device, alone (anonymous visitors are identifiers too)
    union all
    select
        {{ dbt.concat(["'web_device:'", 'anonymous_id']) }} as record_key,
        'web_events' as evidence_source,
        anonymous_id_type as identifier_type,
        anonymous_id as identifier,
        first_seen_at as seen_at
    from web_devices
    union all
    select
        {{ dbt.concat(["'web_device:'", 'anonymous_id']) }} as record_key,
        'web_events' as evidence_source,
        anonymous_id_type as identifier_type,
        anonymous_id as identifier,
        last_seen_at as seen_at
    from web_devices

    -- e-mail click landing: the device <-> the e-mail of the profile named by the link's _kx token
    union all
    select
        {{ dbt.concat(["'email_click_landing:'", 'event_id']) }} as record_key,
        'web_events' as evidence_source,
        anonymous_id_type as identifier_type,
        anonymous_id as identifier,
        seen_at
    from email_click_landings
    union all
    select
        {{ dbt.concat(["'email_click_landing:'", 'event_id']) }} as record_key,
        'web_events' as evidence_source,
        'email' as identifier_type,
        email_hash as identifier,
        seen_at
    from email_click_landings

    -- login user id <-> the Shopify customer id it names ('u_<customer id>')
    union all
    select
        {{ dbt.concat(["'login_customer:'", 'login_user_id']) }} as record_key,
        'web_events' as evidence_source,
        'login_user_id' as identifier_type,
        login_user_id as identifier,
        seen_at
    from web_login_customers
    union all
    select
        {{ dbt.concat(["'login_customer:'", 'login_user_id']) }} as record_key,
        'web_events' as evidence_source,
        'shopify_customer_id' as identifier_type,
        shopify_customer_id as identifier,
        seen_at
    from web_login_customers
    where shopify_customer_id <> ''

    -- purchase event: device <-> the purchased order's customer and e-mail
    union all
    select
        {{ dbt.concat(["'web_purchase:'", 'event_id']) }} as record_key,
        'web_events' as evidence_source,
        anonymous_id_type as identifier_type,
        anonymous_id as identifier,
        seen_at
    from web_purchases
    union all
    select
        {{ dbt.concat(["'web_purchase:'", 'event_id']) }} as record_key,
        'web_events' as evidence_source,
        'shopify_customer_id' as identifier_type,
        shopify_customer_id as identifier,
        seen_at
    from web_purchases
    where shopify_customer_id is not null
    union all
    select
        {{ dbt.concat(["'web_purchase:'", 'event_id']) }} as record_key,
        'web_events' as evidence_source,
        'email' as identifier_type,
        email_hash as identifier,
        seen_at
    from web_purchases
    where email_hash is not null

    -- Shopify customer record: customer id, its login user id (only once seen on the web), e-mail, phone
    union all
    select
        {{ dbt.concat(["'shopify_customer:'", dbt.safe_cast('customer_id', dbt.type_string())]) }} as record_key,
        'shopify' as evidence_source,
        'shopify_customer_id' as identifier_type,
        cast(customer_id as {{ dbt.type_string() }}) as identifier,
        created_at as seen_at
    from shopify_customers
    union all
    select
        {{ dbt.concat(["'shopify_customer:'", dbt.safe_cast('customer_id', dbt.type_string())]) }} as record_key,
        'shopify' as evidence_source,
        'email' as identifier_type,
        email_hash as identifier,
        created_at as seen_at
    from shopify_customers
    where email_hash is not null
    union all
    select
        {{ dbt.concat(["'shopify_customer:'", dbt.safe_cast('customer_id', dbt.type_string())]) }} as record_key,
        'shopify' as evidence_source,
        'phone' as identifier_type,
        phone_hash as identifier,
        created_at as seen_at
    from shopify_customers
    where phone_hash is not null

    -- Shopify order: customer id, e-mail, phone as given at checkout
    union all
    select
        {{ dbt.concat(["'shopify_order:'", dbt.safe_cast('order_id', dbt.type_string())]) }} as record_key,
        'shopify' as evidence_source,
        'shopify_customer_id' as identifier_type,
        cast(customer_id as {{ dbt.type_string() }}) as identifier,
        created_at as seen_at
    from shopify_orders
    where customer_id is not null
    union all
    select
        {{ dbt.concat(["'shopify_order:'", dbt.safe_cast('order_id', dbt.type_string())]) }} as record_key,
        'shopify' as evidence_source,
        'email' as identifier_type,
        email_hash as identifier,
        created_at as seen_at
    from shopify_orders
    where email_hash is not null
    union all
    select
        {{ dbt.concat(["'shopify_order:'", dbt.safe_cast('order_id', dbt.type_string())]) }} as record_key,
        'shopify' as evidence_source,
        'phone' as identifier_type,
        phone_hash as identifier,
        created_at as seen_at
    from shopify_orders
    where phone_hash is not null

    -- Amazon order: the buyer proxy alone (it links only through the loyalty programme)
    union all
    select
        {{ dbt.concat(["'amazon_order:'", 'amazon_order_id']) }} as record_key,
        'amazon_sp' as evidence_source,
        'amazon_buyer_id' as identifier_type,
        amazon_buyer_id as identifier,
        purchased_at as seen_at
    from amazon_orders
    where amazon_buyer_id is not null

    -- E-mail (Klaviyo) profile: e-mail, phone
    union all
    select
        {{ dbt.concat(["'email_profile:'", 'email_profile_id']) }} as record_key,
        'email' as evidence_source,
        'email' as identifier_type,
        email_hash as identifier,
        created_at as seen_at
    from email_profiles
    where email_hash is not null
    union all
    select
        {{ dbt.concat(["'email_profile:'", 'email_profile_id']) }} as record_key,
        'email' as evidence_source,
        'phone' as identifier_type,
        phone_hash as identifier,
        created_at as seen_at
    from email_profiles
    where phone_hash is not null

    -- E-mail events: the e-mail alone (clicks link to a device only with a landing token)
    union all
    select
        {{ dbt.concat(["'email_event:'", 'email_event_id']) }} as record_key,
        'email' as evidence_source,
        'email' as identifier_type,
        email_hash as identifier,
        occurred_at as seen_at
    from email_events
    where email_hash is not null

    -- Loyalty member: e-mail, Shopify customer id, Amazon buyer proxy
    union all
    select
        {{ dbt.concat(["'loyalty_member:'", 'member_id']) }} as record_key,
        'loyalty' as evidence_source,
        'email' as identifier_type,
        email_hash as identifier,
        joined_at as seen_at
    from loyalty_members
    where email_hash is not null
    union all
    select
        {{ dbt.concat(["'loyalty_member:'", 'member_id']) }} as record_key,
        'loyalty' as evidence_source,
        'shopify_customer_id' as identifier_type,
        cast(shopify_customer_id as {{ dbt.type_string() }}) as identifier,
        joined_at as seen_at
    from loyalty_members
    where shopify_customer_id is not null
    union all
    select
        {{ dbt.concat(["'loyalty_member:'", 'member_id']) }} as record_key,
        'loyalty' as evidence_source,
        'amazon_buyer_id' as identifier_type,
        amazon_buyer_id as identifier,
        joined_at as seen_at
    from loyalty_members
    where amazon_buyer_id is not null

    -- Consent change: the subject's e-mail and customer id
    union all
    select
        {{ dbt.concat(["'consent_event:'", 'consent_event_id']) }} as record_key,
        'privacy' as evidence_source,
        'email' as identifier_type,
        email_hash as identifier,
        changed_at as seen_at
    from consent_events
    where email_hash is not null
    union all
    select
        {{ dbt.concat(["'consent_event:'", 'consent_event_id']) }} as record_key,
        'privacy' as evidence_source,
        'shopify_customer_id' as identifier_type,
        cast(shopify_customer_id as {{ dbt.type_string() }}) as identifier,
        changed_at as seen_at
    from consent_events
    where shopify_customer_id is not null

    -- Referral: each party's own e-mail and customer id (never the shared code)
    union all
    select
        {{ dbt.concat(["'referrer:'", 'referral_id']) }} as record_key,
        'referrals' as evidence_source,
        'email' as identifier_type,
        referrer_email_hash as identifier,
        shared_at as seen_at
    from referrals
    where referrer_email_hash is not null
    union all
    select
        {{ dbt.concat(["'referrer:'", 'referral_id']) }} as record_key,
        'referrals' as evidence_source,
        'shopify_customer_id' as identifier_type,
        cast(referrer_customer_id as {{ dbt.type_string() }}) as identifier,
        shared_at as seen_at
    from referrals
    where referrer_customer_id is not null
    union all
    select
        {{ dbt.concat(["'referee:'", 'referral_id']) }} as record_key,
        'referrals' as evidence_source,
        'email' as identifier_type,
        referee_email_hash as identifier,
        shared_at as seen_at
    from referrals
    where referee_email_hash is not null
    union all
    select
        {{ dbt.concat(["'referee:'", 'referral_id']) }} as record_key,
        'referrals' as evidence_source,
        'shopify_customer_id' as identifier_type,
        cast(referee_customer_id as {{ dbt.type_string() }}) as identifier,
        shared_at as seen_at
    from referrals
    where referee_customer_id is not null

    -- Experiment assignment: device and, when logged in, login user id
    union all
    select
        {{ dbt.concat(["'assignment:'", 'assignment_id']) }} as record_key,
        'experiments' as evidence_source,
        anonymous_id_type as identifier_type,
        anonymous_id as identifier,
        assigned_at as seen_at
    from assignments_typed
    where anonymous_id is not null
    union all
    select
        {{ dbt.concat(["'assignment:'", 'assignment_id']) }} as record_key,
        'experiments' as evidence_source,
        'login_user_id' as identifier_type,
        login_user_id as identifier,
        assigned_at as seen_at
    from assignments_typed
    where login_user_id is not null

)

select
    record_key,
    evidence_source,
    identifier_type,
    identifier,
    {{ dbt.concat(['identifier_type', "':'", 'identifier']) }} as node,
    seen_at
from sightings
where identifier is not null
