{#-
    One row per month of sharing: referral (fission) activity — shares, inviters, referral rate
    (inviters / customers acquired up to the month's end), share-to-order conversion, referred
    customers and their revenue, rewards and the deepest tree level reached.
-#}
with

referrals as (

    select * from {{ ref('fct_referrals') }}

),

customers as (

    select * from {{ ref('dim_customers') }}
    where is_customer

),

monthly as (

    select
        {{ month_start('shared_at') }} as month_start,
        count(*) as shares,
        count(distinct inviter_person_id) as inviters,
        sum(case when is_converted then 1 else 0 end) as converted_shares,
        count(distinct case when is_converted then invitee_person_id end) as referred_customers,
        sum(coalesce(converted_order_net_revenue, 0)) as referred_order_net_revenue,
        sum(coalesce(referee_net_revenue, 0)) as referred_customer_net_revenue,
        sum(coalesce(reward_amount, 0)) as rewards,
        max(tree_depth) as max_tree_depth
    from referrals
    where shared_at is not null
    group by {{ month_start('shared_at') }}

),

customers_to_date as (

    select
        monthly.month_start,
        count(customers.person_id) as customers_to_date
    from monthly
    left join customers
        on customers.first_order_at < {{ dbt.dateadd('month', 1, 'monthly.month_start') }}
    group by monthly.month_start

),

final as (

    select
        monthly.month_start,
        cast(monthly.shares as {{ dbt.type_bigint() }}) as shares,
        cast(monthly.inviters as {{ dbt.type_bigint() }}) as inviters,
        cast(customers_to_date.customers_to_date as {{ dbt.type_bigint() }}) as customers_to_date,
        cast({{ safe_ratio('monthly.inviters', 'customers_to_date.customers_to_date') }} as {{ type_double() }})
            as referral_rate,
        cast(monthly.converted_shares as {{ dbt.type_bigint() }}) as converted_shares,
        cast({{ safe_ratio('monthly.converted_shares', 'monthly.shares') }} as {{ type_double() }})
            as share_to_order_rate,
        cast(monthly.referred_customers as {{ dbt.type_bigint() }}) as referred_customers,
        cast(monthly.referred_order_net_revenue as {{ type_money() }}) as referred_order_net_revenue,
        cast(monthly.referred_customer_net_revenue as {{ type_money() }}) as referred_customer_net_revenue,
        cast(monthly.rewards as {{ type_money() }}) as rewards,
        cast(monthly.max_tree_depth as {{ dbt.type_int() }}) as max_tree_depth
    from monthly
    inner join customers_to_date
        on monthly.month_start = customers_to_date.month_start

)

select * from final
