with

observed_links as (

    select
        node_a,
        node_b,
        identifier_type_a,
        identifier_a,
        identifier_type_b,
        identifier_b
    from {{ ref('int_identity__observed_links') }}

),

identifier_types as (

    select
        identifier_type,
        is_person_level
    from {{ ref('identifier_types') }}

),

link_ends as (

    select
        node_a as node,
        identifier_type_a as identifier_type,
        identifier_a as identifier,
        node_b as linked_node,
        identifier_type_b as linked_identifier_type
    from observed_links

    union all

    select
        node_b as node,
        identifier_type_b as identifier_type,
        identifier_b as identifier,
        node_a as linked_node,
        identifier_type_a as linked_identifier_type
    from observed_links

),

links_per_type as (

    select
        link_ends.node,
        link_ends.identifier_type,
        link_ends.identifier,
        link_ends.linked_identifier_type,
        identifier_types.is_person_level as is_linked_type_person_level,
        count(distinct link_ends.linked_node) as linked_identifiers
    from link_ends
    inner join identifier_types
        on link_ends.linked_identifier_type = identifier_types.identifier_type
    group by
        link_ends.node,
        link_ends.identifier_type,
        link_ends.identifier,
        link_ends.linked_identifier_type,
        identifier_types.is_person_level

),

links_per_identifier as (

    select
        node,
        identifier_type,
        identifier,
        max(
            case when is_linked_type_person_level then linked_identifiers else 0 end
        ) as max_same_type_links,
        sum(linked_identifiers) as total_links
    from links_per_type
    group by
        node,
        identifier_type,
        identifier

),

super_identifiers as (

    select
        node,
        identifier_type,
        identifier,
        max_same_type_links,
        total_links
    from links_per_identifier
    where
        max_same_type_links > {{ var('identity_max_same_type_links', 1) }}
        or total_links > {{ var('identity_max_component_size', 50) }}

)

select * from super_identifiers
