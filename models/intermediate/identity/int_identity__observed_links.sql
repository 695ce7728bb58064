with

sightings as (

    select
        record_key,
        identifier_type,
        identifier,
        node,
        seen_at
    from {{ ref('int_identity__identifier_sightings') }}

),

record_identifiers as (

    select
        record_key,
        identifier_type,
        identifier,
        node,
        min(seen_at) as seen_at
    from sightings
    group by
        record_key,
        identifier_type,
        identifier,
        node

),

pairs as (

    select
        left_side.record_key,
        left_side.node as node_a,
        left_side.identifier_type as identifier_type_a,
        left_side.identifier as identifier_a,
        right_side.node as node_b,
        right_side.identifier_type as identifier_type_b,
        right_side.identifier as identifier_b,
        case
            when left_side.seen_at < right_side.seen_at then left_side.seen_at
            else right_side.seen_at
        end as linked_at
    from record_identifiers as left_side
    inner join record_identifiers as right_side
        on
            left_side.record_key = right_side.record_key
            and left_side.node < right_side.node

),

observed_links as (

    select
        node_a,
        node_b,
        identifier_type_a,
        identifier_a,
        identifier_type_b,
        identifier_b,
        count(distinct record_key) as evidence_count,
        min(linked_at) as first_linked_at
    from pairs
    group by
        node_a,
        node_b,
        identifier_type_a,
        identifier_a,
        identifier_type_b,
        identifier_b

)

select * from observed_links
