{#-
    One row per day (UTC order date; ad spend by the ad account's local date) with the headline
    KPIs, definitions per DESIGN.md section 6: GMV, net revenue, orders (non-cancelled), new
    customers (first orders), AOV = net revenue / orders, ad spend, blended ROAS = net revenue /
    spend, blended CAC = spend / new customers, repeat purchase rate = customers with >= 2 orders /
    customers (cumulative up to the day), share of the day's orders delivered within 7 days.
    Built only from accepted (non-quarantined) staged rows.
-#}
with

orders as (

    select * from {{ ref('fct_orders') }}
    where not is_cancelled

),

ad_performance as (

    select * from {{ ref('fct_ad_performance_daily') }}

),

calendar as (

    {{ dbt.date_spine(
        datepart='day',
        start_date="(select min(order_date) from " ~ ref('fct_orders') ~ ")",
        end_date=dbt.dateadd('day', 1, as_of_date())
    ) }}

),

days as (

    select cast(date_day as date) as date_day
    from calendar

),

daily_orders as (

    select
        order_date as date_day,
        count(*) as orders,
        sum(case when is_first_order then 1 else 0 end) as new_customers,
        sum(gross_amount) as gmv,
        sum(discount_amount) as discounts,
        sum(refund_amount + return_amount) as refunds_and_returns,
        sum(net_revenue) as net_revenue,
        sum(tax_amount) as tax,
        sum(shipping_charged_amount) as shipping_charged,
        sum(case when is_delivered_within_7_days then 1 else 0 end) as orders_delivered_within_7_days
    from orders
    group by order_date

),

daily_spend as (

    select
        date_day,
        sum(spend) as ad_spend
    from ad_performance
    group by date_day

),

repeat_milestones as (

    select
        order_date as date_day,
        -- a customer from before the data (prior_order_count > 0) enters the view at their first order here, and is
        -- a repeat customer from that order on: repeat customers never outnumber customers
        sum(case when person_order_number = prior_order_count + 1 then 1 else 0 end) as customers_reaching_first_order,
        sum(
            case when person_order_number = greatest(2, prior_order_count + 1) then 1 else 0 end
        ) as customers_reaching_second_order
    from orders
    group by order_date

),

joined as (

    select
        days.date_day,
        coalesce(daily_orders.orders, 0) as orders,
        coalesce(daily_orders.new_customers, 0) as new_customers,
        coalesce(daily_orders.gmv, 0) as gmv,
        coalesce(daily_orders.discounts, 0) as discounts,
        coalesce(daily_orders.refunds_and_returns, 0) as refunds_and_returns,
        coalesce(daily_orders.net_revenue, 0) as net_revenue,
        coalesce(daily_orders.tax, 0) as tax,
        coalesce(daily_orders.shipping_charged, 0) as shipping_charged,
        coalesce(daily_spend.ad_spend, 0) as ad_spend,
        coalesce(daily_orders.orders_delivered_within_7_days, 0) as orders_delivered_within_7_days,
        sum(coalesce(repeat_milestones.customers_reaching_first_order, 0)) over (
            order by days.date_day
            rows between unbounded preceding and current row
        ) as cumulative_customers,
        sum(coalesce(repeat_milestones.customers_reaching_second_order, 0)) over (
            order by days.date_day
            rows between unbounded preceding and current row
        ) as cumulative_repeat_customers
    from days
    left join daily_orders
        on days.date_day = daily_orders.date_day
    left join daily_spend
        on days.date_day = daily_spend.date_day
    left join repeat_milestones
        on days.date_day = repeat_milestones.date_day

),

final as (

    select
        date_day,
        cast(orders as {{ dbt.type_bigint() }}) as orders,
        cast(new_customers as {{ dbt.type_bigint() }}) as new_customers,
        cast(gmv as {{ type_money() }}) as gmv,
        cast(discounts as {{ type_money() }}) as discounts,
        cast(refunds_and_returns as {{ type_money() }}) as refunds_and_returns,
        cast(net_revenue as {{ type_money() }}) as net_revenue,
        cast(tax as {{ type_money() }}) as tax,
        cast(shipping_charged as {{ type_money() }}) as shipping_charged,
        cast(ad_spend as {{ type_money() }}) as ad_spend,
        cast(case when orders > 0 then net_revenue / orders end as {{ type_money() }}) as average_order_value,
        cast(case when ad_spend > 0 then net_revenue / ad_spend end as decimal(18, 6)) as blended_roas,
        cast(case when new_customers > 0 then ad_spend / new_customers end as {{ type_money() }}) as blended_cac,
        cast(cumulative_customers as {{ dbt.type_bigint() }}) as cumulative_customers,
        cast(cumulative_repeat_customers as {{ dbt.type_bigint() }}) as cumulative_repeat_customers,
        cast(
            case
                when cumulative_customers > 0
                    then cast(cumulative_repeat_customers as {{ dbt.type_numeric() }}) / cumulative_customers
            end
            as decimal(18, 6)
        ) as repeat_purchase_rate,
        cast(orders_delivered_within_7_days as {{ dbt.type_bigint() }}) as orders_delivered_within_7_days,
        cast(
            case
                when orders > 0 then cast(orders_delivered_within_7_days as {{ dbt.type_numeric() }}) / orders
            end
            as decimal(18, 6)
        ) as share_delivered_within_7_days
    from joined

)

select * from final
