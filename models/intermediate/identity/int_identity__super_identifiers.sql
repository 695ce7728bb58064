{#-
    Super identifiers: identifiers that demonstrably belong to several people, kept out of the
    graph (docs/decisions.md, "Identity: super-identifier cap"). Two rules:

    1. Direct: an identifier observed with more than var('identity_max_same_type_links')
       (default 1) distinct identifiers of one person-level type (two login ids on one tablet,
       two phones on one e-mail), or with more than var('identity_max_component_size') distinct
       identifiers of any type.
    2. Device conflict: a device (cookie, app instance) whose person-level neighbours fall into
       two or more clusters of the person-level graph (person-level identifiers linked among
       themselves, rule-1 identifiers removed) that both hold an identifier of the same type —
       e.g. one cluster with a customer id and e-mail, another with another e-mail. A device
       whose clusters are complementary (no type in common) may be a genuine bridge and stays.
-#}
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

link_ends_typed as (

    select
        link_ends.*,
        own_type.is_person_level,
        linked_type.is_person_level as is_linked_person_level
    from link_ends
    inner join identifier_types as own_type
        on link_ends.identifier_type = own_type.identifier_type
    inner join identifier_types as linked_type
        on link_ends.linked_identifier_type = linked_type.identifier_type

),

links_per_type as (

    select
        node,
        identifier_type,
        identifier,
        linked_identifier_type,
        is_linked_person_level,
        count(distinct linked_node) as linked_identifiers
    from link_ends_typed
    group by
        node,
        identifier_type,
        identifier,
        linked_identifier_type,
        is_linked_person_level

),

links_per_identifier as (

    select
        node,
        identifier_type,
        identifier,
        max(
            case when is_linked_person_level then linked_identifiers else 0 end
        ) as max_same_type_links,
        sum(linked_identifiers) as total_links
    from links_per_type
    group by
        node,
        identifier_type,
        identifier

),

over_cap_identifiers as (

    select
        node,
        max_same_type_links
    from links_per_identifier
    where max_same_type_links > {{ var('identity_max_same_type_links', 1) }}

),

{# A link to a bigger hub (more same-type links; ties: the larger node key) is that hub's
    excess, not this identifier's: a shopper's cookie linked to their own e-mail and to the
    placeholder e-mail is not shared, the placeholder is. #}
links_not_explained_by_bigger_hub as (

    select link_ends_typed.*
    from link_ends_typed
    left join over_cap_identifiers as own_count
        on link_ends_typed.node = own_count.node
    left join over_cap_identifiers as linked_hub
        on link_ends_typed.linked_node = linked_hub.node
    where
        linked_hub.node is null
        or own_count.node is null
        or linked_hub.max_same_type_links < own_count.max_same_type_links
        or (
            linked_hub.max_same_type_links = own_count.max_same_type_links
            and linked_hub.node < link_ends_typed.node
        )

),

remaining_links_per_type as (

    select
        node,
        linked_identifier_type,
        count(distinct linked_node) as linked_identifiers
    from links_not_explained_by_bigger_hub
    where is_linked_person_level
    group by
        node,
        linked_identifier_type

),

remaining_links_per_identifier as (

    select
        node,
        max(linked_identifiers) as max_same_type_links
    from remaining_links_per_type
    group by node

),

direct_super_identifiers as (

    select
        links_per_identifier.node,
        links_per_identifier.identifier_type,
        links_per_identifier.identifier,
        links_per_identifier.max_same_type_links,
        links_per_identifier.total_links,
        'same_type_links' as super_identifier_rule
    from links_per_identifier
    left join remaining_links_per_identifier
        on links_per_identifier.node = remaining_links_per_identifier.node
    where
        coalesce(remaining_links_per_identifier.max_same_type_links, 0)
        > {{ var('identity_max_same_type_links', 1) }}
        or links_per_identifier.total_links > {{ var('identity_max_component_size', 50) }}

),

person_level_edges as (

    select
        link_ends_typed.node as node_a,
        link_ends_typed.linked_node as node_b
    from link_ends_typed
    left join direct_super_identifiers as super_a
        on link_ends_typed.node = super_a.node
    left join direct_super_identifiers as super_b
        on link_ends_typed.linked_node = super_b.node
    where
        link_ends_typed.is_person_level
        and link_ends_typed.is_linked_person_level
        and link_ends_typed.node < link_ends_typed.linked_node
        and super_a.node is null
        and super_b.node is null

),

{{ label_propagation_ctes('person_level_edges', 'person_level', var('identity_max_rounds', 20) | int) }}

person_level_identifiers as (

    select distinct
        node,
        identifier_type
    from link_ends_typed
    where is_person_level

),

person_level_clusters as (

    select
        person_level_identifiers.node,
        person_level_identifiers.identifier_type,
        coalesce(person_level_labels.component_label, person_level_identifiers.node) as cluster_label
    from person_level_identifiers
    left join person_level_labels
        on person_level_identifiers.node = person_level_labels.node

),

cluster_types as (

    select distinct
        cluster_label,
        identifier_type
    from person_level_clusters

),

device_clusters as (

    select distinct
        link_ends_typed.node,
        link_ends_typed.identifier_type,
        link_ends_typed.identifier,
        person_level_clusters.cluster_label
    from link_ends_typed
    inner join person_level_clusters
        on link_ends_typed.linked_node = person_level_clusters.node
    left join direct_super_identifiers as super_device
        on link_ends_typed.node = super_device.node
    left join direct_super_identifiers as super_linked
        on link_ends_typed.linked_node = super_linked.node
    where
        not link_ends_typed.is_person_level
        and link_ends_typed.is_linked_person_level
        and super_device.node is null
        and super_linked.node is null

),

device_cluster_conflicts as (

    select
        device_clusters.node,
        device_clusters.identifier_type,
        device_clusters.identifier,
        cluster_types.identifier_type as conflicting_type,
        count(distinct device_clusters.cluster_label) as clusters_with_type
    from device_clusters
    inner join cluster_types
        on device_clusters.cluster_label = cluster_types.cluster_label
    group by
        device_clusters.node,
        device_clusters.identifier_type,
        device_clusters.identifier,
        cluster_types.identifier_type
    having count(distinct device_clusters.cluster_label) > 1

),

conflicting_devices as (

    select
        device_cluster_conflicts.node,
        device_cluster_conflicts.identifier_type,
        device_cluster_conflicts.identifier,
        links_per_identifier.max_same_type_links,
        links_per_identifier.total_links,
        'device_cluster_conflict' as super_identifier_rule
    from device_cluster_conflicts
    inner join links_per_identifier
        on device_cluster_conflicts.node = links_per_identifier.node
    group by
        device_cluster_conflicts.node,
        device_cluster_conflicts.identifier_type,
        device_cluster_conflicts.identifier,
        links_per_identifier.max_same_type_links,
        links_per_identifier.total_links

),

super_identifiers as (

    select * from direct_super_identifiers
    union all
    select * from conflicting_devices

)

select * from super_identifiers
