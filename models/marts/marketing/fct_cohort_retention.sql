{#-
    One row per acquisition month × months since acquisition × acquisition channel × home market.
    A person's acquisition month is the month of their first (non-cancelled) order; period k
    holds the cohort's orders placed k calendar months later. Retention(cohort, k) = share of the
    cohort's customers with an order in period k (DESIGN.md section 6).
-#}
with

customers as (

    select
        person_id,
        acquisition_month,
        acquisition_channel,
        coalesce(home_market_code, 'ZZ') as market_code
    from {{ ref('dim_customers') }}
    where is_customer

),

orders as (

    select
        person_id,
        order_date,
        net_revenue
    from {{ ref('fct_orders') }}
    where not is_cancelled

),

cohort_sizes as (

    select
        acquisition_month,
        acquisition_channel,
        market_code,
        count(*) as cohort_customers
    from customers
    group by
        acquisition_month,
        acquisition_channel,
        market_code

),

cohort_orders as (

    select
        customers.acquisition_month,
        customers.acquisition_channel,
        customers.market_code,
        customers.person_id,
        {{ dbt.datediff('customers.acquisition_month', dbt.date_trunc('month', 'orders.order_date'), 'month') }}
            as months_since_acquisition,
        orders.net_revenue
    from customers
    inner join orders
        on customers.person_id = orders.person_id

),

cohort_periods as (

    select
        acquisition_month,
        acquisition_channel,
        market_code,
        months_since_acquisition,
        count(distinct person_id) as active_customers,
        count(*) as orders,
        cast(sum(net_revenue) as {{ type_money() }}) as net_revenue
    from cohort_orders
    group by
        acquisition_month,
        acquisition_channel,
        market_code,
        months_since_acquisition

),

with_cumulative as (

    select
        cohort_periods.*,
        sum(cohort_periods.net_revenue) over (
            partition by
                cohort_periods.acquisition_month,
                cohort_periods.acquisition_channel,
                cohort_periods.market_code
            order by cohort_periods.months_since_acquisition
            rows between unbounded preceding and current row
        ) as cumulative_net_revenue
    from cohort_periods

),

final as (

    select
        {{ compound_key([
            'with_cumulative.acquisition_month', 'with_cumulative.months_since_acquisition',
            'with_cumulative.acquisition_channel', 'with_cumulative.market_code',
        ]) }} as cohort_period_key,
        with_cumulative.acquisition_month,
        with_cumulative.months_since_acquisition,
        with_cumulative.acquisition_channel,
        with_cumulative.market_code,
        cohort_sizes.cohort_customers,
        with_cumulative.active_customers,
        with_cumulative.orders,
        with_cumulative.net_revenue,
        cast(with_cumulative.cumulative_net_revenue as {{ type_money() }}) as cumulative_net_revenue,
        cast(with_cumulative.active_customers * 1.0 / cohort_sizes.cohort_customers as decimal(18, 6))
            as retention_rate,
        cast(with_cumulative.cumulative_net_revenue / cohort_sizes.cohort_customers as {{ type_money() }})
            as cumulative_revenue_per_customer
    from with_cumulative
    inner join cohort_sizes
        on
            with_cumulative.acquisition_month = cohort_sizes.acquisition_month
            and with_cumulative.acquisition_channel = cohort_sizes.acquisition_channel
            and with_cumulative.market_code = cohort_sizes.market_code

)

select * from final
