with

sightings as (

    select
        identifier_type,
        identifier,
        node,
        seen_at
    from {{ ref('int_identity__identifier_sightings') }}

),

identifiers as (

    select
        node,
        identifier_type,
        identifier,
        min(seen_at) as first_seen_at,
        max(seen_at) as last_seen_at
    from sightings
    group by
        node,
        identifier_type,
        identifier

)

select * from identifiers
