{#-
    The unified user: one row per person of the identity graph (known customers and contacts,
    and anonymous visitors, flagged). Rules in docs/decisions.md ("Customers: ...").
-#}
with

identifiers as (

    select * from {{ ref('dim_customer_identifiers') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

sessions as (

    select * from {{ ref('fct_sessions') }}

),

touchpoints as (

    select * from {{ ref('fct_touchpoints') }}

),

consent_signals as (

    select * from {{ ref('int_consent__signals') }}

),

identity_map as (

    select
        identifier_type,
        identifier,
        person_id
    from {{ ref('int_identity__map') }}

),

person_identifiers as (

    select
        person_id,
        count(*) as identifiers,
        cast(sum(case when is_person_level then 1 else 0 end) as {{ dbt.type_bigint() }}) as person_level_identifiers,
        cast(sum(case when identifier_type in ('cookie', 'app_instance') then 1 else 0 end) as {{ dbt.type_bigint() }}) as devices,
        cast(sum(case when identifier_type = 'email' then 1 else 0 end) as {{ dbt.type_bigint() }}) as email_addresses,
        cast(sum(case when identifier_type = 'shopify_customer_id' then 1 else 0 end) as {{ dbt.type_bigint() }}) as shopify_customer_ids,
        cast(sum(case when identifier_type = 'amazon_buyer_id' then 1 else 0 end) as {{ dbt.type_bigint() }}) as amazon_buyer_ids,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at
    from identifiers
    group by person_id

),

persons as (

    select person_id from person_identifiers
    union
    select person_id from orders

),

prior_history as (

    select * from {{ ref('int_orders__prior_history') }}

),

valid_orders as (

    select *
    from orders
    where not is_cancelled

),

person_orders as (

    select
        person_id,
        count(*) as orders,
        cast(sum(gross_amount) as {{ type_money() }}) as gmv,
        cast(sum(net_revenue) as {{ type_money() }}) as net_revenue,
        min(ordered_at) as first_order_at,
        max(ordered_at) as last_order_at,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date
    from valid_orders
    group by person_id

),

first_orders as (

    select
        person_id,
        order_id as first_order_id,
        sales_channel as first_order_sales_channel,
        shipping_country_code as first_order_country_code
    from valid_orders
    where is_first_order

),

historical_ltv as (

    select
        valid_orders.person_id,
        sum(
            case
                when valid_orders.ordered_at < {{ dbt.dateadd('day', 90, 'person_orders.first_order_at') }}
                    then valid_orders.net_revenue
                else 0
            end
        ) as ltv_90d_raw,
        sum(
            case
                when valid_orders.ordered_at < {{ dbt.dateadd('day', 180, 'person_orders.first_order_at') }}
                    then valid_orders.net_revenue
                else 0
            end
        ) as ltv_180d_raw,
        sum(
            case
                when valid_orders.ordered_at < {{ dbt.dateadd('day', 365, 'person_orders.first_order_at') }}
                    then valid_orders.net_revenue
                else 0
            end
        ) as ltv_365d_raw
    from valid_orders
    inner join person_orders
        on valid_orders.person_id = person_orders.person_id
    group by valid_orders.person_id

),

order_countries as (

    select
        person_id,
        shipping_country_code as country_code,
        count(*) as occurrences,
        max(ordered_at) as last_used_at
    from valid_orders
    where shipping_country_code is not null
    group by
        person_id,
        shipping_country_code

),

session_countries as (

    select
        person_id,
        country_code,
        count(*) as occurrences,
        max(session_start_at) as last_used_at
    from sessions
    where
        country_code is not null
        and not is_bot_session
    group by
        person_id,
        country_code

),

country_candidates as (

    select
        person_id,
        country_code,
        1 as source_rank,
        occurrences,
        last_used_at
    from order_countries

    union all

    select
        person_id,
        country_code,
        2 as source_rank,
        occurrences,
        last_used_at
    from session_countries

),

home_markets as (

    select
        person_id,
        country_code as home_market_code
    from (
        select
            person_id,
            country_code,
            row_number() over (
                partition by person_id
                order by source_rank asc, occurrences desc, last_used_at desc, country_code asc
            ) as country_rank
        from country_candidates
    ) as ranked_countries
    where country_rank = 1

),

acquisition_touchpoints as (

    select
        person_orders.person_id,
        touchpoints.channel,
        touchpoints.touchpoint_at,
        touchpoints.touchpoint_id,
        row_number() over (
            partition by person_orders.person_id
            order by touchpoints.touchpoint_at, touchpoints.touchpoint_id
        ) as touch_rank
    from person_orders
    inner join touchpoints
        on person_orders.person_id = touchpoints.person_id
    where
        not touchpoints.is_bot_session
        and touchpoints.touchpoint_at <= person_orders.first_order_at
        and touchpoints.touchpoint_at
        >= {{ dbt.dateadd('day', -1 * var('attribution_lookback_days', 30), 'person_orders.first_order_at') }}

),

acquisition_channels as (

    select
        person_id,
        channel as acquisition_channel
    from acquisition_touchpoints
    where touch_rank = 1

),

as_of as (

    select {{ as_of_date() }} as as_of_day

),

rfm_inputs as (

    select
        person_orders.person_id,
        {{ dbt.datediff('last_order_date', 'as_of_day', 'day') }} as recency_days,
        person_orders.orders as frequency_orders,
        person_orders.net_revenue as monetary_net_revenue
    from person_orders
    cross join as_of

),

rfm_ranks as (

    select
        *,
        percent_rank() over (order by recency_days desc) as recency_percentile,
        percent_rank() over (order by frequency_orders) as frequency_percentile,
        percent_rank() over (order by monetary_net_revenue) as monetary_percentile
    from rfm_inputs

),

rfm_scores as (

    select
        person_id,
        recency_days,
        least(5, 1 + cast(floor(recency_percentile * 5) as {{ dbt.type_int() }})) as recency_score,
        least(5, 1 + cast(floor(frequency_percentile * 5) as {{ dbt.type_int() }})) as frequency_score,
        least(5, 1 + cast(floor(monetary_percentile * 5) as {{ dbt.type_int() }})) as monetary_score
    from rfm_ranks

),

rfm_segments as (

    select
        *,
        case
            when recency_score >= 4 and frequency_score >= 4 then 'champions'
            when recency_score >= 3 and frequency_score >= 3 then 'loyal_customers'
            when recency_score >= 4 then 'recent_customers'
            when recency_score = 3 then 'potential_loyalists'
            when frequency_score >= 4 then 'cant_lose_them'
            when frequency_score = 3 then 'at_risk'
            when recency_score = 2 then 'hibernating'
            else 'lost'
        end as rfm_segment
    from rfm_scores

),

person_consent_signals as (

    select
        identity_map.person_id,
        consent_signals.consent_purpose,
        consent_signals.is_granted,
        consent_signals.signal_at,
        row_number() over (
            partition by identity_map.person_id, consent_signals.consent_purpose
            order by
                consent_signals.signal_at desc,
                case when consent_signals.is_granted then 1 else 0 end asc,
                consent_signals.signal_source asc
        ) as signal_rank
    from consent_signals
    inner join identity_map
        on
            consent_signals.identifier_type = identity_map.identifier_type
            and consent_signals.identifier = identity_map.identifier
    where consent_signals.is_granted is not null

),

person_consent as (

    select
        person_id,
        max(
            case
                when consent_purpose = 'email_marketing' and signal_rank = 1
                    then case when is_granted then 'granted' else 'withdrawn' end
            end
        ) as email_marketing_consent,
        max(
            case
                when consent_purpose = 'personalised_ads' and signal_rank = 1
                    then case when is_granted then 'granted' else 'withdrawn' end
            end
        ) as personalised_ads_consent,
        max(
            case
                when consent_purpose = 'analytics' and signal_rank = 1
                    then case when is_granted then 'granted' else 'withdrawn' end
            end
        ) as analytics_consent,
        max(case when signal_rank = 1 then signal_at end) as consent_updated_at
    from person_consent_signals
    group by person_id

),

final as (

    select
        persons.person_id,
        coalesce(person_identifiers.person_level_identifiers, 0) > 0 as is_known,
        coalesce(person_orders.orders, 0) > 0 as is_customer,
        coalesce(person_identifiers.identifiers, 0) as identifiers,
        coalesce(person_identifiers.person_level_identifiers, 0) as person_level_identifiers,
        coalesce(person_identifiers.devices, 0) as devices,
        coalesce(person_identifiers.email_addresses, 0) as email_addresses,
        coalesce(person_identifiers.shopify_customer_ids, 0) as shopify_customer_ids,
        coalesce(person_identifiers.amazon_buyer_ids, 0) as amazon_buyer_ids,
        home_markets.home_market_code,
        case
            when person_orders.person_id is null or prior_history.person_id is not null then null
            else coalesce(acquisition_channels.acquisition_channel, 'unattributed')
        end as acquisition_channel,
        cast(coalesce(prior_history.prior_order_count, 0) as {{ dbt.type_bigint() }}) as prior_order_count,
        first_orders.first_order_id,
        first_orders.first_order_sales_channel,
        cast(coalesce(person_orders.orders, 0) as {{ dbt.type_bigint() }}) as orders,
        cast(coalesce(person_orders.gmv, 0) as {{ type_money() }}) as gmv,
        cast(coalesce(person_orders.net_revenue, 0) as {{ type_money() }}) as net_revenue,
        cast(case when prior_history.person_id is null then historical_ltv.ltv_90d_raw end as {{ type_money() }})
            as ltv_90d,
        cast(case when prior_history.person_id is null then historical_ltv.ltv_180d_raw end as {{ type_money() }})
            as ltv_180d,
        cast(case when prior_history.person_id is null then historical_ltv.ltv_365d_raw end as {{ type_money() }})
            as ltv_365d,
        rfm_segments.recency_days,
        rfm_segments.recency_score,
        rfm_segments.frequency_score,
        rfm_segments.monetary_score,
        rfm_segments.rfm_segment,
        coalesce(person_consent.email_marketing_consent, 'unknown') as email_marketing_consent,
        coalesce(person_consent.personalised_ads_consent, 'unknown') as personalised_ads_consent,
        coalesce(person_consent.analytics_consent, 'unknown') as analytics_consent,
        coalesce(person_consent.email_marketing_consent = 'withdrawn', false)
        or coalesce(person_consent.personalised_ads_consent = 'withdrawn', false) as has_withdrawn_marketing_consent,
        coalesce(person_identifiers.first_seen_at, person_orders.first_order_at) as first_seen_at,
        coalesce(person_identifiers.last_seen_at, person_orders.last_order_at) as last_seen_at,
        person_orders.first_order_at,
        person_orders.last_order_at,
        case
            when prior_history.person_id is null
                then {{ dbt.date_trunc('month', 'person_orders.first_order_date') }}
        end as acquisition_month,
        person_consent.consent_updated_at
    from persons
    left join person_identifiers
        on persons.person_id = person_identifiers.person_id
    left join person_orders
        on persons.person_id = person_orders.person_id
    left join first_orders
        on persons.person_id = first_orders.person_id
    left join prior_history
        on persons.person_id = prior_history.person_id
    left join historical_ltv
        on persons.person_id = historical_ltv.person_id
    left join home_markets
        on persons.person_id = home_markets.person_id
    left join acquisition_channels
        on persons.person_id = acquisition_channels.person_id
    left join rfm_segments
        on persons.person_id = rfm_segments.person_id
    left join person_consent
        on persons.person_id = person_consent.person_id

)

select * from final
