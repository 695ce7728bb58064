{#- One row per threshold rule × entity breaching it as of as_of_date (today's operating alerts). -#}
with

evaluations as (

    select * from {{ ref('fct_threshold_evaluations') }}
    where is_breached

),

final as (

    select
        evaluation_id,
        rule_id,
        metric,
        scope,
        entity_type,
        entity_id,
        channel,
        market,
        model,
        comparator,
        threshold,
        metric_value,
        base_value,
        suggested_action,
        description,
        window_days,
        window_start,
        as_of_date
    from evaluations

)

select * from final
