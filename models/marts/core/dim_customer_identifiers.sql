with

identity_map as (

    select * from {{ ref('int_identity__map') }}

),

identifier_types as (

    select * from {{ ref('identifier_types') }}

),

final as (

    select
        identity_map.identifier_type,
        identity_map.identifier,
        identity_map.person_id,
        identifier_types.is_pii,
        identifier_types.is_person_level,
        identity_map.is_super_identifier,
        identity_map.first_seen_at,
        identity_map.last_seen_at
    from identity_map
    inner join identifier_types
        on identity_map.identifier_type = identifier_types.identifier_type

)

select * from final
