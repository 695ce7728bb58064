with

identifiers as (

    select * from {{ ref('int_identity__identifiers') }}

),

components as (

    select
        node,
        person_id
    from {{ ref('int_identity__components') }}

),

super_identifiers as (

    select node from {{ ref('int_identity__super_identifiers') }}

),

mapped as (

    select
        identifiers.node,
        identifiers.identifier_type,
        identifiers.identifier,
        coalesce(components.person_id, {{ dbt.hash('identifiers.node') }}) as person_id,
        super_identifiers.node is not null as is_super_identifier,
        identifiers.first_seen_at,
        identifiers.last_seen_at
    from identifiers
    left join components
        on identifiers.node = components.node
    left join super_identifiers
        on identifiers.node = super_identifiers.node

)

select * from mapped
