{#-
    One row per day × content item (creator post) × attribution model: the post's fees (payment
    day), sessions landing from the post's tracked link (visit day) and the orders and revenue the
    model credits to those sessions (order day). Affiliate codes identify the creator, not the
    post, so code redemptions count in fct_creator_performance_daily only. Model-independent
    measures repeat on each model's row: filter one model before summing them.
-#}
with

costs as (

    select * from {{ ref('int_performance__marketing_costs') }}
    where
        cost_type = 'creator_fee'
        and post_id is not null

),

touchpoints as (

    select * from {{ ref('int_attribution__touchpoints') }}
    where post_id is not null

),

attribution as (

    select * from {{ ref('fct_attribution') }}
    where post_id is not null

),

models as (

    {{ attribution_models_relation() }}

),

model_independent as (

    select
        date_day,
        post_id,
        spend as cost,  -- contract column name -- noqa: RF04
        0 as sessions
    from costs

    union all

    select
        touchpoint_date as date_day,
        post_id,
        0 as cost,  -- contract column name -- noqa: RF04
        1 as sessions
    from touchpoints

),

components as (

    select
        model_independent.date_day,
        model_independent.post_id,
        models.model,
        model_independent.cost,
        model_independent.sessions,
        0 as attributed_orders,
        0 as attributed_new_customers,
        0 as attributed_revenue
    from model_independent
    cross join models

    union all

    select
        conversion_date as date_day,
        post_id,
        model,
        0 as cost,  -- contract column name -- noqa: RF04
        0 as sessions,
        credit as attributed_orders,
        case when is_first_order then credit else 0 end as attributed_new_customers,
        attributed_revenue
    from attribution

),

final as (

    select
        {{ compound_key(['date_day', 'post_id', 'model']) }} as content_performance_key,
        date_day,
        {{ month_start('date_day') }} as month_start,
        post_id,
        model,
        cast(sum(cost) as {{ type_money() }}) as cost,  -- contract column name -- noqa: RF04
        cast(sum(sessions) as {{ dbt.type_bigint() }}) as sessions,
        cast(sum(attributed_orders) as {{ type_double() }}) as attributed_orders,
        cast(sum(attributed_new_customers) as {{ type_double() }}) as attributed_new_customers,
        cast(sum(attributed_revenue) as {{ type_money() }}) as attributed_revenue
    from components
    group by
        date_day,
        post_id,
        model

)

select * from final
