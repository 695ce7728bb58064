{#-
    Connected components by iterative label propagation, as a chain of CTEs (portable SQL: plain
    joins and group-bys, no recursive CTE). `edges_cte` names a CTE with columns node_a, node_b.
    Emits CTEs `<prefix>_nodes`, `<prefix>_neighbourhoods`, `<prefix>_round_0` ... and ends with
    `<prefix>_labels` (node, component_label), where component_label is the smallest node key of
    the component once `rounds` >= the longest shortest path. Call it between other CTEs; it ends
    with a comma.
-#}
{% macro label_propagation_ctes(edges_cte, prefix, rounds) -%}
{{ prefix }}_directed as (

    select
        node_a as node,
        node_b as neighbour
    from {{ edges_cte }}

    union all

    select
        node_b as node,
        node_a as neighbour
    from {{ edges_cte }}

),

{{ prefix }}_nodes as (

    select distinct node
    from {{ prefix }}_directed

),

{{ prefix }}_neighbourhoods as (

    select
        node,
        neighbour
    from {{ prefix }}_directed

    union all

    select
        node,
        node as neighbour
    from {{ prefix }}_nodes

),

{{ prefix }}_round_0 as (

    select
        node,
        node as component_label
    from {{ prefix }}_nodes

),

{% for round_number in range(1, rounds + 1) %}
{{ prefix }}_round_{{ round_number }} as {{ materialized_cte_hint() }}(

    select
        {{ prefix }}_neighbourhoods.node,
        min(previous_round.component_label) as component_label
    from {{ prefix }}_neighbourhoods
    inner join {{ prefix }}_round_{{ round_number - 1 }} as previous_round
        on {{ prefix }}_neighbourhoods.neighbour = previous_round.node
    group by {{ prefix }}_neighbourhoods.node

),

{% endfor %}
{{ prefix }}_labels as (

    select
        node,
        component_label
    from {{ prefix }}_round_{{ rounds }}

),
{%- endmacro %}


{#-
    Engines that inline CTEs re-plan the whole chain at every level (DuckDB's planner becomes
    exponential past ~15 rounds); `AS MATERIALIZED` keeps each round a separate result. Engines
    without the keyword materialize or inline on their own.
-#}
{% macro materialized_cte_hint() -%}
    {{ return(adapter.dispatch('materialized_cte_hint', 'xborder')()) }}
{%- endmacro %}

{% macro default__materialized_cte_hint() -%}
{%- endmacro %}

{% macro duckdb__materialized_cte_hint() -%}
    materialized{{ ' ' }}
{%- endmacro %}

{% macro postgres__materialized_cte_hint() -%}
    materialized{{ ' ' }}
{%- endmacro %}
