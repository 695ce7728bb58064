{#-
    Connected components of the identity graph by iterative label propagation: every node
    starts with its own key as label and, each round, takes the smallest label among itself
    and its neighbours. After as many rounds as the longest shortest path, every node of a
    component carries the component's smallest node key. The number of rounds is capped by
    var('identity_max_rounds'); the test `identity_components_converged` fails if the cap was
    too small for the graph. Plain joins and group-bys: no recursive CTE, so it runs on any
    engine (DESIGN.md section 10).
-#}
{%- set max_rounds = var('identity_max_rounds', 20) | int -%}

with

edges as (

    select
        node_a,
        node_b
    from {{ ref('int_identity__edges') }}

),

directed_edges as (

    select
        node_a as node,
        node_b as neighbour
    from edges

    union all

    select
        node_b as node,
        node_a as neighbour
    from edges

),

nodes as (

    select distinct node
    from directed_edges

),

neighbourhoods as (

    select
        node,
        neighbour
    from directed_edges

    union all

    select
        node,
        node as neighbour
    from nodes

),

labels_round_0 as (

    select
        node,
        node as component_label
    from nodes

),

{% for round_number in range(1, max_rounds + 1) %}
labels_round_{{ round_number }} as (

    select
        neighbourhoods.node,
        min(previous_round.component_label) as component_label
    from neighbourhoods
    inner join labels_round_{{ round_number - 1 }} as previous_round
        on neighbourhoods.neighbour = previous_round.node
    group by neighbourhoods.node

),

{% endfor %}
components as (

    select
        node,
        component_label,
        {{ dbt.hash('component_label') }} as person_id
    from labels_round_{{ max_rounds }}

)

select * from components
