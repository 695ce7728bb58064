{#-
    One row per user-level marketing touchpoint, from three places:
    web/app sessions (the landing's classified channel — ad clicks, UTM'd links, organic,
    referral, direct), e-mail clicks recorded by the e-mail tool (channel `email`), and creator /
    affiliate codes redeemed on Shopify orders (channel `affiliate_kol`, at the order's time).
    Each keeps the identifiers it saw; the person is resolved in fct_touchpoints.
    An e-mail click usually also opens a session tagged utm_medium=email: both are kept, and
    attribution collapses same-channel touches within var('touchpoint_dedupe_minutes').
-#}
with

sessions as (

    select * from {{ ref('int_sessions__classified') }}

),

email_events as (

    select * from {{ ref('stg_email__events') }}

),

shopify_orders as (

    select * from {{ ref('stg_shopify__orders') }}

),

discount_codes as (

    select * from {{ ref('stg_shopify__order_discount_codes') }}

),

creator_posts as (

    select * from {{ ref('stg_creators__posts') }}

),

channel_mapping as (

    select * from {{ ref('channel_mapping') }}

),

channel_attributes as (

    select
        channel,
        min(channel_group) as channel_group,
        min(paid_owned_earned) as paid_owned_earned,
        {{ dbt.bool_or('is_paid') }} as is_paid
    from channel_mapping
    group by channel

),

session_touchpoints as (

    select
        {{ dbt.concat(["'session:'", 'session_id']) }} as touchpoint_id,
        'web_session' as touchpoint_type,
        session_id,
        cast(null as {{ dbt.type_string() }}) as order_id,
        anonymous_id_type,
        anonymous_id,
        login_user_id,
        cast(null as {{ dbt.type_string() }}) as shopify_customer_id,
        cast(null as {{ dbt.type_string() }}) as email_hash,
        channel,
        channel_group,
        paid_owned_earned,
        is_paid,
        utm_source,
        utm_medium,
        utm_campaign,
        case
            when gclid is not null then 'gclid'
            when fbclid is not null then 'fbclid'
            when ttclid is not null then 'ttclid'
        end as click_id_type,
        referrer_host,
        cast(null as {{ dbt.type_string() }}) as email_campaign_id,
        cast(null as {{ dbt.type_string() }}) as creator_id,
        cast(null as {{ dbt.type_string() }}) as affiliate_code,
        country_code,
        device_category,
        is_bot_session,
        session_start_at as touchpoint_at,
        session_start_date as touchpoint_date
    from sessions

),

email_click_touchpoints as (

    select
        {{ dbt.concat(["'email_click:'", 'email_events.email_event_id']) }} as touchpoint_id,
        'email_click' as touchpoint_type,
        cast(null as {{ dbt.type_string() }}) as session_id,
        cast(null as {{ dbt.type_string() }}) as order_id,
        cast(null as {{ dbt.type_string() }}) as anonymous_id_type,
        cast(null as {{ dbt.type_string() }}) as anonymous_id,
        cast(null as {{ dbt.type_string() }}) as login_user_id,
        cast(null as {{ dbt.type_string() }}) as shopify_customer_id,
        email_events.email_hash,
        channel_attributes.channel,
        channel_attributes.channel_group,
        channel_attributes.paid_owned_earned,
        channel_attributes.is_paid,
        email_events.utm_source,
        email_events.utm_medium,
        email_events.utm_campaign,
        cast(null as {{ dbt.type_string() }}) as click_id_type,
        cast(null as {{ dbt.type_string() }}) as referrer_host,
        coalesce(email_events.email_campaign_id, email_events.email_flow_id) as email_campaign_id,
        cast(null as {{ dbt.type_string() }}) as creator_id,
        cast(null as {{ dbt.type_string() }}) as affiliate_code,
        cast(null as {{ dbt.type_string() }}) as country_code,
        cast(null as {{ dbt.type_string() }}) as device_category,
        false as is_bot_session,
        email_events.occurred_at as touchpoint_at,
        cast(email_events.occurred_at as date) as touchpoint_date
    from email_events
    inner join channel_attributes
        on channel_attributes.channel = 'email'
    where
        email_events.event_type = 'Clicked Email'
        and email_events.email_hash is not null

),

affiliate_codes as (

    select
        upper(affiliate_code) as affiliate_code,
        min(creator_id) as creator_id
    from creator_posts
    where affiliate_code is not null
    group by upper(affiliate_code)

),

affiliate_code_orders as (

    select
        discount_codes.order_id,
        min(affiliate_codes.affiliate_code) as affiliate_code
    from discount_codes
    inner join affiliate_codes
        on upper(discount_codes.discount_code) = affiliate_codes.affiliate_code
    group by discount_codes.order_id

),

affiliate_code_touchpoints as (

    select
        {{ dbt.concat(["'affiliate_code:'", dbt.safe_cast('shopify_orders.order_id', dbt.type_string())]) }}
            as touchpoint_id,
        'affiliate_code' as touchpoint_type,
        cast(null as {{ dbt.type_string() }}) as session_id,
        {{ dbt.concat(["'shopify:'", dbt.safe_cast('shopify_orders.order_id', dbt.type_string())]) }} as order_id,
        cast(null as {{ dbt.type_string() }}) as anonymous_id_type,
        cast(null as {{ dbt.type_string() }}) as anonymous_id,
        cast(null as {{ dbt.type_string() }}) as login_user_id,
        cast(shopify_orders.customer_id as {{ dbt.type_string() }}) as shopify_customer_id,
        shopify_orders.email_hash,
        channel_attributes.channel,
        channel_attributes.channel_group,
        channel_attributes.paid_owned_earned,
        channel_attributes.is_paid,
        cast(null as {{ dbt.type_string() }}) as utm_source,
        cast(null as {{ dbt.type_string() }}) as utm_medium,
        cast(null as {{ dbt.type_string() }}) as utm_campaign,
        cast(null as {{ dbt.type_string() }}) as click_id_type,
        cast(null as {{ dbt.type_string() }}) as referrer_host,
        cast(null as {{ dbt.type_string() }}) as email_campaign_id,
        cast(affiliate_codes.creator_id as {{ dbt.type_string() }}) as creator_id,
        affiliate_codes.affiliate_code,
        shopify_orders.shipping_country_code as country_code,
        cast(null as {{ dbt.type_string() }}) as device_category,
        false as is_bot_session,
        shopify_orders.created_at as touchpoint_at,
        cast(shopify_orders.created_at as date) as touchpoint_date
    from affiliate_code_orders
    inner join affiliate_codes
        on affiliate_code_orders.affiliate_code = affiliate_codes.affiliate_code
    inner join shopify_orders
        on affiliate_code_orders.order_id = shopify_orders.order_id
    inner join channel_attributes
        on channel_attributes.channel = 'affiliate_kol'

),

touchpoints as (

    select * from session_touchpoints
    union all
    select * from email_click_touchpoints
    union all
    select * from affiliate_code_touchpoints

)

select * from touchpoints
