{#-
    One row per acquisition month × acquisition channel × market × attribution model: new
    customers credited to the channel by the model (their first orders' credit, so a customer can
    count fractionally for several channels), the channel's marketing spend in that market and
    month, CAC, historical LTV at 90 and 180 days and LTV:CAC. LTV at H days averages only
    customers whose first order is at least H days before as_of_date (a younger cohort has not
    had H days to buy again). Customers without an eligible touchpoint before their first order
    are the 'unattributed' channel.
-#}
with

customers as (

    select * from {{ ref('dim_customers') }}
    where
        is_customer
        and first_order_id is not null

),

attribution as (

    select * from {{ ref('fct_attribution') }}
    where is_first_order

),

eligible_conversions as (

    select distinct conversion_id
    from {{ ref('int_attribution__eligible_touchpoints') }}

),

orders as (

    select
        order_id,
        shipping_country_code
    from {{ ref('fct_orders') }}

),

costs as (

    select * from {{ ref('int_performance__marketing_costs') }}

),

markets as (

    select * from {{ ref('dim_markets') }}

),

models as (

    {{ attribution_models_relation() }}

),

customer_cohorts as (

    select
        customers.person_id,
        customers.first_order_id,
        {{ month_start('customers.first_order_at') }} as acquisition_month,
        coalesce(orders.shipping_country_code, customers.home_market_code, 'ZZ') as market_code,
        customers.ltv_90d,
        customers.ltv_180d,
        customers.first_order_at <= {{ dbt.dateadd('day', -90, as_of_end_at()) }} as is_matured_90d,
        customers.first_order_at <= {{ dbt.dateadd('day', -180, as_of_end_at()) }} as is_matured_180d
    from customers
    left join orders
        on customers.first_order_id = orders.order_id

),

credited_customers as (

    select
        customer_cohorts.acquisition_month,
        attribution.channel,
        customer_cohorts.market_code,
        attribution.model,
        attribution.credit,
        customer_cohorts.ltv_90d,
        customer_cohorts.ltv_180d,
        customer_cohorts.is_matured_90d,
        customer_cohorts.is_matured_180d
    from customer_cohorts
    inner join attribution
        on customer_cohorts.first_order_id = attribution.conversion_id

    union all

    select
        customer_cohorts.acquisition_month,
        {{ unattributed_channel() }} as channel,
        customer_cohorts.market_code,
        models.model,
        1.0 as credit,
        customer_cohorts.ltv_90d,
        customer_cohorts.ltv_180d,
        customer_cohorts.is_matured_90d,
        customer_cohorts.is_matured_180d
    from customer_cohorts
    cross join models
    where customer_cohorts.first_order_id not in (select eligible_conversions.conversion_id from eligible_conversions)

),

customer_components as (

    select
        acquisition_month,
        channel,
        market_code,
        model,
        sum(credit) as new_customers,
        sum(case when is_matured_90d then credit else 0 end) as customers_matured_90d,
        sum(case when is_matured_90d then credit * ltv_90d else 0 end) as ltv_90d_revenue,
        sum(case when is_matured_180d then credit else 0 end) as customers_matured_180d,
        sum(case when is_matured_180d then credit * ltv_180d else 0 end) as ltv_180d_revenue,
        0 as spend
    from credited_customers
    group by
        acquisition_month,
        channel,
        market_code,
        model

),

spend_components as (

    select
        {{ month_start('costs.date_day') }} as acquisition_month,
        costs.channel,
        costs.market_code,
        models.model,
        0 as new_customers,
        0 as customers_matured_90d,
        0 as ltv_90d_revenue,
        0 as customers_matured_180d,
        0 as ltv_180d_revenue,
        sum(costs.spend) as spend
    from costs
    cross join models
    group by
        {{ month_start('costs.date_day') }},
        costs.channel,
        costs.market_code,
        models.model

),

cohorts as (

    select
        acquisition_month,
        channel,
        market_code,
        model,
        sum(new_customers) as new_customers,
        sum(customers_matured_90d) as customers_matured_90d,
        sum(ltv_90d_revenue) as ltv_90d_revenue,
        sum(customers_matured_180d) as customers_matured_180d,
        sum(ltv_180d_revenue) as ltv_180d_revenue,
        sum(spend) as spend
    from (
        select * from customer_components
        union all
        select * from spend_components
    ) as components
    group by
        acquisition_month,
        channel,
        market_code,
        model

),

with_ratios as (

    select
        *,
        {{ safe_ratio('spend', 'new_customers') }} as customer_acquisition_cost,
        {{ safe_ratio('ltv_90d_revenue', 'customers_matured_90d') }} as ltv_90d,
        {{ safe_ratio('ltv_180d_revenue', 'customers_matured_180d') }} as ltv_180d
    from cohorts

),

final as (

    select
        {{ compound_key(['with_ratios.acquisition_month', 'with_ratios.channel', 'with_ratios.market_code', 'with_ratios.model']) }}
            as acquisition_cohort_key,
        with_ratios.acquisition_month,
        with_ratios.channel,
        with_ratios.channel = {{ unattributed_channel() }} as is_unattributed,
        with_ratios.market_code,
        coalesce(markets.region, 'UNKNOWN') as region,
        with_ratios.model,
        cast(with_ratios.new_customers as {{ type_double() }}) as new_customers,
        cast(with_ratios.spend as {{ type_money() }}) as spend,
        cast(with_ratios.customer_acquisition_cost as {{ type_money() }}) as customer_acquisition_cost,
        cast(with_ratios.customers_matured_90d as {{ type_double() }}) as customers_matured_90d,
        cast(with_ratios.ltv_90d as {{ type_money() }}) as ltv_90d,
        cast(with_ratios.customers_matured_180d as {{ type_double() }}) as customers_matured_180d,
        cast(with_ratios.ltv_180d as {{ type_money() }}) as ltv_180d,
        cast({{ safe_ratio('with_ratios.ltv_90d', 'with_ratios.customer_acquisition_cost') }} as {{ type_double() }})
            as ltv_to_cac_90d,
        cast({{ safe_ratio('with_ratios.ltv_180d', 'with_ratios.customer_acquisition_cost') }} as {{ type_double() }})
            as ltv_to_cac_180d
    from with_ratios
    left join markets
        on with_ratios.market_code = markets.country_code

)

select * from final
