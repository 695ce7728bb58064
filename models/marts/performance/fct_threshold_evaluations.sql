{#-
    One row per threshold rule × entity of its scope, evaluated as of as_of_date: the metric over
    the rule's window, the threshold and whether it breaches. An entity whose base volume is below
    the rule's min_base, or whose metric is undefined (e.g. no spend), is evaluated but never breaches.
-#}
with

metric_values as (

    select * from {{ ref('int_threshold__metric_values') }}

),

rules as (

    select * from {{ ref('threshold_rules') }}

),

evaluated as (

    select
        metric_values.evaluation_id,
        metric_values.rule_id,
        rules.metric,
        rules.scope,
        metric_values.entity_type,
        metric_values.entity_id,
        metric_values.channel,
        metric_values.market,
        metric_values.model,
        rules.comparator,
        cast(rules.threshold as {{ type_double() }}) as threshold,
        metric_values.metric_value,
        metric_values.base_value,
        cast(coalesce(rules.min_base, 0) as {{ type_double() }}) as min_base,
        metric_values.metric_value is not null
        and metric_values.base_value >= coalesce(rules.min_base, 0) as is_judged,
        case rules.comparator
            when '>' then metric_values.metric_value > rules.threshold
            when '>=' then metric_values.metric_value >= rules.threshold
            when '<' then metric_values.metric_value < rules.threshold
            when '<=' then metric_values.metric_value <= rules.threshold
        end as is_beyond_threshold,
        rules.action as suggested_action,
        rules.description,
        cast(rules.window_days as {{ dbt.type_int() }}) as window_days,
        cast(metric_values.window_start as date) as window_start,
        cast(metric_values.window_end as date) as as_of_date
    from metric_values
    inner join rules
        on metric_values.rule_id = rules.rule_id

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
        min_base,
        is_judged,
        coalesce(is_judged and is_beyond_threshold, false) as is_breached,
        suggested_action,
        description,
        window_days,
        window_start,
        as_of_date
    from evaluated

)

select * from final
