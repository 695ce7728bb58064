{#-
    Connected components of the identity graph by iterative label propagation (macro
    label_propagation_ctes): every node starts with its own key as label and, each round, takes
    the smallest label among itself and its neighbours, for var('identity_max_rounds') rounds.
    The test `identity_components_converged` fails if the cap was too small for the graph.
-#}
with

edges as (

    select
        node_a,
        node_b
    from {{ ref('int_identity__edges') }}

),

{{ label_propagation_ctes('edges', 'graph', var('identity_max_rounds', 20) | int) }}

components as (

    select
        node,
        component_label,
        {{ dbt.hash('component_label') }} as person_id
    from graph_labels

)

select * from components
