{#-
    Fails for every identity-graph edge whose two ends ended in different components: label
    propagation stopped (var('identity_max_rounds')) before the graph converged.
-#}
{% test identity_components_converged(model) %}
    select
        edges.node_a,
        edges.node_b,
        component_a.component_label as component_label_a,
        component_b.component_label as component_label_b
    from {{ ref('int_identity__edges') }} as edges
    inner join {{ model }} as component_a
        on edges.node_a = component_a.node
    inner join {{ model }} as component_b
        on edges.node_b = component_b.node
    where component_a.component_label <> component_b.component_label
{% endtest %}

{#-
    Fails for every row of `model` whose `column_name` value maps to no row, or to more than
    one row, of `to` on `field` (each order belongs to exactly one person, etc.).
-#}
{% test exactly_one_match(model, column_name, to, field) %}
    with

    tested as (
        select distinct {{ column_name }} as tested_value
        from {{ model }}
    ),

    matches as (
        select
            tested.tested_value,
            count(target.{{ field }}) as matched_rows
        from tested
        left join {{ to }} as target
            on tested.tested_value = target.{{ field }}
        group by tested.tested_value
    )

    select *
    from matches
    where matched_rows <> 1
{% endtest %}
