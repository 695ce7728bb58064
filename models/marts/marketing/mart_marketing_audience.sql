{#-
    One row per known person who may be targeted by user-level marketing activation (e-mail
    lists, ad-platform customer audiences). People whose latest e-mail marketing consent or
    personalised-ads consent is "withdrawn" are excluded (DESIGN.md section 9); the export
    carries only hashed contact identifiers.
-#}
with

customers as (

    select * from {{ ref('dim_customers') }}

),

identifiers as (

    select * from {{ ref('dim_customer_identifiers') }}

),

eligible_people as (

    select *
    from customers
    where
        is_known
        and not has_withdrawn_marketing_consent
        and email_marketing_consent <> 'withdrawn'
        and personalised_ads_consent <> 'withdrawn'

),

contact_identifiers as (

    select
        person_id,
        min(case when identifier_type = 'email' then identifier end) as email_hash,
        min(case when identifier_type = 'phone' then identifier end) as phone_hash
    from identifiers
    where
        identifier_type in ('email', 'phone')
        and not is_super_identifier
    group by person_id

),

final as (

    select
        eligible_people.person_id,
        contact_identifiers.email_hash,
        contact_identifiers.phone_hash,
        eligible_people.home_market_code,
        eligible_people.acquisition_channel,
        eligible_people.rfm_segment,
        eligible_people.orders,
        eligible_people.net_revenue,
        eligible_people.email_marketing_consent,
        eligible_people.personalised_ads_consent,
        eligible_people.email_marketing_consent = 'granted' as is_email_marketable,
        eligible_people.last_order_at
    from eligible_people
    inner join contact_identifiers
        on eligible_people.person_id = contact_identifiers.person_id

)

select * from final
