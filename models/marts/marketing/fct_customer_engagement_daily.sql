{#-
    One row per person × day with any engagement: human sessions on the store and e-mail events
    (received, opened, clicked). Sessions without a purchase are also split by what brought the person:
    organic visits (direct, organic search, referral: the person's own initiative) and paid visits (an ad
    click: driven by the brand's spend, the same for a lapsed and an active customer). E-mail events reach a person through the hashed address
    (dim_customer_identifiers); events of addresses no person holds are left out. Churn scoring
    reads it: a customer who has lapsed visits and opens less (docs/ml.md).
-#}
with

sessions as (

    select
        person_id,
        session_start_date as activity_date,
        count(*) as sessions,
        sum(case when purchases = 0 and not is_paid and channel != 'email' then 1 else 0 end) as organic_visits,
        sum(case when purchases = 0 and is_paid then 1 else 0 end) as paid_visits,
        0 as emails_received,
        0 as email_opens,
        0 as email_clicks
    from {{ ref('fct_sessions') }}
    where person_id is not null
        and not is_bot_session
    group by
        person_id,
        session_start_date

),

email_people as (

    select
        identifier as email_hash,
        person_id
    from {{ ref('dim_customer_identifiers') }}
    where identifier_type = 'email'

),

emails as (

    select
        email_people.person_id,
        cast(events.occurred_at as date) as activity_date,
        0 as sessions,
        0 as organic_visits,
        0 as paid_visits,
        sum(case when events.event_type = 'Received Email' then 1 else 0 end) as emails_received,
        sum(case when events.event_type = 'Opened Email' then 1 else 0 end) as email_opens,
        sum(case when events.event_type = 'Clicked Email' then 1 else 0 end) as email_clicks
    from {{ ref('stg_email__events') }} as events
    inner join email_people
        on events.email_hash = email_people.email_hash
    group by
        email_people.person_id,
        cast(events.occurred_at as date)

),

unioned as (

    select * from sessions
    union all
    select * from emails

)

select
    {{ dbt.concat(["person_id", "'-'", dbt.safe_cast('activity_date', dbt.type_string())]) }} as person_day_key,
    person_id,
    activity_date,
    cast(sum(sessions) as {{ dbt.type_bigint() }}) as sessions,
    cast(sum(organic_visits) as {{ dbt.type_bigint() }}) as organic_visits,
    cast(sum(paid_visits) as {{ dbt.type_bigint() }}) as paid_visits,
    cast(sum(emails_received) as {{ dbt.type_bigint() }}) as emails_received,
    cast(sum(email_opens) as {{ dbt.type_bigint() }}) as email_opens,
    cast(sum(email_clicks) as {{ dbt.type_bigint() }}) as email_clicks
from unioned
group by
    person_id,
    activity_date
