with

observed_links as (

    select * from {{ ref('int_identity__observed_links') }}

),

super_identifiers as (

    select node from {{ ref('int_identity__super_identifiers') }}

),

links_flagged as (

    select
        observed_links.*,
        super_a.node is not null or super_b.node is not null as touches_super_identifier
    from observed_links
    left join super_identifiers as super_a
        on observed_links.node_a = super_a.node
    left join super_identifiers as super_b
        on observed_links.node_b = super_b.node

),

edges as (

    select
        node_a,
        node_b,
        identifier_type_a,
        identifier_a,
        identifier_type_b,
        identifier_b,
        evidence_count,
        first_linked_at
    from links_flagged
    where not touches_super_identifier

)

select * from edges
